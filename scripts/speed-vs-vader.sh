#!/usr/bin/env bash
# Throughput of `baton classify` against Python vaderSentiment on the same texts, each pinned to
# one core, in one run. Prints texts/second for both and the ratio. Installs vaderSentiment from
# PyPI into target/speed-venv if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=../shared/data/vader
VENV=target/speed-venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c 'import vaderSentiment' 2>/dev/null || "$VENV/bin/pip" install --quiet vaderSentiment==3.3.2
echo "building baton (profile cli: release, optimised for speed)" >&2
cargo build --quiet --profile cli --bin baton
BATON=target/cli/baton
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# Tweets and movie snippets, as classify input, repeated to run for a while.
"$VENV/bin/python" - "$DATA" "$WORK" <<'PY'
import json, sys, os
data, work = sys.argv[1], sys.argv[2]
texts = []
for f in ("tweets_GroundTruth.txt", "movieReviewSnippets_GroundTruth.txt"):
    with open(os.path.join(data, f), encoding="utf-8", errors="replace") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 3:
                texts.append(parts[2])
with open(os.path.join(work, "texts.txt"), "w", encoding="utf-8") as out:
    out.write("\n".join(texts))
with open(os.path.join(work, "input.jsonl"), "w", encoding="utf-8") as out:
    for rep in range(10):
        for i, t in enumerate(texts):
            out.write(json.dumps({"id": f"{rep}-{i}", "text": t}) + "\n")
print(len(texts), file=sys.stderr)
PY
N_TEXTS=$(wc -l < "$WORK/input.jsonl")
PIN="taskset -c 0"
command -v taskset >/dev/null || PIN=""
start=$(date +%s.%N)
$PIN "$BATON" classify < "$WORK/input.jsonl" > "$WORK/out.jsonl"
end=$(date +%s.%N)
BATON_RATE=$(python3 -c "print(int($N_TEXTS / ($end - $start)))")
VADER_RATE=$($PIN "$VENV/bin/python" - "$WORK/texts.txt" <<'PY'
import sys, time
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
texts = open(sys.argv[1], encoding="utf-8").read().split("\n")
a = SentimentIntensityAnalyzer()
start = time.perf_counter()
for t in texts:
    a.polarity_scores(t)
print(int(len(texts) / (time.perf_counter() - start)))
PY
)
echo "texts: $N_TEXTS for baton classify (hard triggers + sentiment + JSON in and out), $((N_TEXTS / 10)) for vaderSentiment (sentiment only)"
echo "baton classify:  $BATON_RATE texts/s (one core)"
echo "vaderSentiment:  $VADER_RATE texts/s (one core)"
python3 -c "print(f'ratio: {$BATON_RATE / $VADER_RATE:.1f}x (goal >= 50x)')"
