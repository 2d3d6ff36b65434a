#!/usr/bin/env bash
# Throughput of `baton classify` against Python vaderSentiment on the same texts, each pinned to
# one core, in one run. Prints texts/second for both and the ratio. Installs vaderSentiment from
# PyPI into target/speed-venv if it is missing. Each side is timed three times and its best run
# counts (the machine may be shared: the best run is the one least disturbed). Baton is timed
# end to end (process start, JSON in and out); vaderSentiment inside Python, after its import.
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
for name, reps in (("input.jsonl", 10), ("once.jsonl", 1)):
    with open(os.path.join(work, name), "w", encoding="utf-8") as out:
        for rep in range(reps):
            for i, t in enumerate(texts):
                out.write(json.dumps({"id": f"{rep}-{i}", "text": t}) + "\n")
print(len(texts), file=sys.stderr)
PY
N_TEXTS=$(wc -l < "$WORK/input.jsonl")
N_ONCE=$(wc -l < "$WORK/once.jsonl")
PIN="taskset -c 0"
command -v taskset >/dev/null || PIN=""
# Best of three runs of `baton classify` on FILE: texts per second.
baton_rate() {
  local best=0 start end rate
  for _ in 1 2 3; do
    start=$(date +%s.%N)
    $PIN "$BATON" classify < "$1" > "$WORK/out.jsonl"
    end=$(date +%s.%N)
    rate=$(python3 -c "print(int($(wc -l < "$1") / ($end - $start)))")
    [ "$rate" -gt "$best" ] && best=$rate
  done
  echo "$best"
}
BATON_RATE=$(baton_rate "$WORK/input.jsonl")
BATON_ONCE=$(baton_rate "$WORK/once.jsonl")
VADER_RATE=$($PIN "$VENV/bin/python" - "$WORK/texts.txt" <<'PY'
import sys, time
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
texts = open(sys.argv[1], encoding="utf-8").read().split("\n")
a = SentimentIntensityAnalyzer()
best = 0.0
for _ in range(3):
    start = time.perf_counter()
    for t in texts:
        a.polarity_scores(t)
    best = max(best, len(texts) / (time.perf_counter() - start))
print(int(best))
PY
)
echo "texts: $N_TEXTS for baton classify (the $N_ONCE texts ten times; hard triggers + sentiment + JSON in and out), $N_ONCE for vaderSentiment (sentiment only)"
echo "baton classify:  $BATON_RATE texts/s (one core)"
echo "  one pass over the $N_ONCE texts (every word new to its memo, process start included): $BATON_ONCE texts/s"
echo "vaderSentiment:  $VADER_RATE texts/s (one core)"
python3 -c "print(f'ratio: {$BATON_RATE / $VADER_RATE:.1f}x (goal >= 50x)')"
