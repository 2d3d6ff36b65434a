#!/usr/bin/env bash
# Checks that two `baton classify` binaries (before and after a change) write byte-identical
# output, stdout and stderr, on every row of ../shared/data plus edge cases and malformed lines,
# under several configs. Usage: scripts/classify-same-output.sh OLD_BATON NEW_BATON
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: $0 OLD_BATON NEW_BATON" >&2; exit 2; }
OLD=$1 NEW=$2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 - ../shared/data "$WORK" <<'PY'
import json, os, sys
data, work = sys.argv[1], sys.argv[2]
texts = []
with open(os.path.join(data, "intents/bitext.tsv"), encoding="utf-8") as fh:
    texts += [line.rstrip("\n").split("\t")[0] for line in fh]
for f in ("tweets_GroundTruth.txt", "movieReviewSnippets_GroundTruth.txt"):
    with open(os.path.join(data, "vader", f), encoding="utf-8", errors="replace") as fh:
        texts += [p[2] for p in (l.rstrip("\n").split("\t") for l in fh) if len(p) >= 3]
# Made-up edge cases: case, accents, contractions, runs, Unicode spaces, long tokens, Spanish.
texts += [
    "", " ", "\n", "I want to talk to a real person", "AGENT PLEASE!!!", "agent\nplease",
    "I don't want to cancel", "do I need to talk to someone?", "let me talk to someone",
    "pleeeease heeelp me get a huuuman", "caf\u00e9 na\u00efve \u00c9TAT \u0130stanbul",
    "tab\tseparated\u00a0nbsp\u2028line\u2029para", "I can\u2019t pay my invoice", "refund`s",
    "averyveryverylongtokenthatisnotremembered refund", "GOOD but BAD!!", "the shit",
    "kind of good", "never so good", "without doubt great", "at least it is good",
    "the least helpful answer", "yeah right", "quiero hablar con una persona", "llego roto",
    "quiero cancelar mi suscripci\u00f3n", "data breach!!", "my account was hacked",
    "speak to your boss", "arrived broken :(", ":) :-( <3", "????", "!!!!!", "no no no",
    "I'll sue you", "GDPR request", "money back now", "charged twice?!", "\u00bfreembolso?",
    "emoji \U0001F600 here", "ctrl\u0001char", "x" * 300, "word " * 200,
]
lines = []
for i, t in enumerate(texts):
    lines.append(json.dumps({"id": f"r{i}", "text": t}))
    if i % 7 == 0:
        lines.append(json.dumps({"text": t, "id": f"t{i}"}, ensure_ascii=False))
    if i % 11 == 0:
        lines.append(json.dumps({"id": i, "text": t}))
    if i % 13 == 0:
        lines.append(json.dumps({"id": f"q\"{i}\u00e9", "text": t}))
# Malformed and unusual lines.
lines += ["not json", "{}", '{"id": "x"}', '{"text": 5, "id": "y"}', '{"id": "z", "text": "a\\q"}',
          '{"id": "s", "text": "\\ud800"}', '{"id":"w","text":"ok","extra":1}', "   ",
          '{"id" : "sp" ,  "text" : "spaced  out" }  ', '{"id": null, "text": "null id"}',
          '{"id": "u", "text": "\\u00e9\\n\\t\\"q\\" \\ud83d\\ude00"}', '[1, 2]']
with open(os.path.join(work, "input.jsonl"), "w", encoding="utf-8") as out:
    out.write("\n".join(lines) + "\n")
# The same with CRLF line endings, without the last line ending, and with a bad UTF-8 byte
# (lines before it are classified, then the command stops).
body = "\n".join(lines).encode("utf-8")
with open(os.path.join(work, "crlf.jsonl"), "wb") as out:
    out.write(body.replace(b"\n", b"\r\n") + b"\r\n")
with open(os.path.join(work, "unended.jsonl"), "wb") as out:
    out.write(body)
with open(os.path.join(work, "bad-utf8.jsonl"), "wb") as out:
    half = body.index(b"\n", len(body) // 2)
    out.write(body[:half] + b"\n" + b'{"id": "bad", "text": "x\xff"}\n' + body[half:])
# Configs: site phrases per locale and for every locale, shadows, disabled triggers, rollout.
configs = {
    "custom-en": {"site": {"locale": "en"}, "triggers": {"hard": [
        {"id": "human_request", "phrases": {"en": ["speak to your boss"], "*": ["manager now"]}},
        {"id": "billing_dispute", "enabled": False},
        {"id": "legal_compliance", "shadow": True, "category": "escalations"},
        {"id": "vip_word", "phrases": {"*": ["gold member", "refund"]}}]},
        "rollout": {"percent": 30, "shadow_triggers": ["cancellation"]}},
    "custom-es": {"site": {"locale": "es"}, "triggers": {"hard": [
        {"id": "damaged_item", "category": "orders", "phrases": {"es": ["llego roto"], "en": ["arrived broken"]}}]}},
}
for name, c in configs.items():
    with open(os.path.join(work, name + ".json"), "w", encoding="utf-8") as out:
        json.dump(c, out)
# Conversations of three customer turns for `baton replay --json`, whose decision records carry
# each message's sentiment unrounded.
with open(os.path.join(work, "transcripts.jsonl"), "w", encoding="utf-8") as out:
    for i in range(0, len(texts) - 2, 3):
        turns = []
        for k, t in enumerate(texts[i:i + 3]):
            turns.append({"role": "customer", "text": t})
            turns.append({"role": "ai", "text": "ok", "confidence": 0.2 * k, "resolved": k == 1})
        out.write(json.dumps({"id": f"c{i}", "user": {"plan": "enterprise" if i % 2 else "free"}, "turns": turns}) + "\n")
# One-message conversations that all escalate (the AI is never confident), so every text's
# decision record, with its sentiment unrounded, is printed.
with open(os.path.join(work, "single.jsonl"), "w", encoding="utf-8") as out:
    for i, t in enumerate(texts):
        turns = [{"role": "customer", "text": t}, {"role": "ai", "text": "?", "confidence": 0.0}]
        out.write(json.dumps({"id": f"s{i}", "turns": turns}) + "\n")
with open(os.path.join(work, "always.json"), "w", encoding="utf-8") as out:
    json.dump({"triggers": {"soft": {"threshold": 0.05, "weights": {"low_confidence": 0.5}}}}, out)
print(f"{len(lines)} input lines", file=sys.stderr)
PY
status=0
for config in "" config/examples/b2b-saas.json config/examples/ecommerce.json config/sites/demo.json "$WORK/custom-en.json" "$WORK/custom-es.json"; do
  args=(classify)
  [ -n "$config" ] && args+=(--config "$config")
  "$OLD" "${args[@]}" < "$WORK/input.jsonl" > "$WORK/old.out" 2> "$WORK/old.err" || true
  "$NEW" "${args[@]}" < "$WORK/input.jsonl" > "$WORK/new.out" 2> "$WORK/new.err" || true
  if cmp -s "$WORK/old.out" "$WORK/new.out" && cmp -s "$WORK/old.err" "$WORK/new.err"; then
    echo "same: ${config:-built-in defaults} ($(wc -l < "$WORK/new.out") lines out, $(wc -l < "$WORK/new.err") on stderr)"
  else
    echo "DIFFERENT: ${config:-built-in defaults}"
    diff <(cat "$WORK/old.out" "$WORK/old.err") <(cat "$WORK/new.out" "$WORK/new.err") | head -10
    status=1
  fi
done
for run in "config/examples/b2b-saas.json transcripts" "$WORK/custom-es.json transcripts" "$WORK/always.json single"; do
  set -- $run
  "$OLD" replay --config "$1" "$WORK/$2.jsonl" --json > "$WORK/old.out" 2>&1 || true
  "$NEW" replay --config "$1" "$WORK/$2.jsonl" --json > "$WORK/new.out" 2>&1 || true
  if cmp -s "$WORK/old.out" "$WORK/new.out"; then
    echo "same: replay --json of $2 under $1 ($(grep -c '"decision":{' "$WORK/new.out") decision records)"
  else
    echo "DIFFERENT: replay --json of $2 under $1"
    diff "$WORK/old.out" "$WORK/new.out" | head -10
    status=1
  fi
done
for input in crlf unended bad-utf8; do
  "$OLD" classify < "$WORK/$input.jsonl" > "$WORK/old.out" 2> "$WORK/old.err" && echo 0 >> "$WORK/old.err" || echo $? >> "$WORK/old.err"
  "$NEW" classify < "$WORK/$input.jsonl" > "$WORK/new.out" 2> "$WORK/new.err" && echo 0 >> "$WORK/new.err" || echo $? >> "$WORK/new.err"
  if cmp -s "$WORK/old.out" "$WORK/new.out" && cmp -s "$WORK/old.err" "$WORK/new.err"; then
    echo "same: $input input, built-in defaults ($(wc -l < "$WORK/new.out") lines out, exit status $(tail -1 "$WORK/new.err"))"
  else
    echo "DIFFERENT: $input input"
    diff <(cat "$WORK/old.out" "$WORK/old.err") <(cat "$WORK/new.out" "$WORK/new.err") | head -10
    status=1
  fi
done
exit $status
