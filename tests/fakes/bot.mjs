// A site's own bot behind Baton's `webhook` AI provider: checks each POST (JSON body
// `{conversation_id, transcript: [{role: customer|ai, text}], message}` and, when a secret is
// given, a Standard Webhooks signature) and answers `{answer, confidence, intent?, resolved?}`.
import { startFake, expectType, expectKeys } from "./core.mjs";
import { signStandard } from "./webhook.mjs";
import { timingSafeEqual } from "node:crypto";

/**
 * Options: `secret` (`whsec_…`; null: requests must come unsigned), `path` (default `/bot`),
 * `answer(record)` → the JSON object (or raw text) to answer. `answerNext(...)` queues answers.
 */
export async function startBot({ secret = null, path = "/bot", answer = () => ({ answer: "Hello from the bot.", confidence: 0.9 }) } = {}) {
  const queued = [];
  const validate = (r) => {
    const v = r.violations;
    if (r.method !== "POST" || r.path !== path) { v.push(`unexpected ${r.method} ${r.path}`); return; }
    const id = r.headers["webhook-id"], ts = r.headers["webhook-timestamp"], sig = r.headers["webhook-signature"];
    if (secret) {
      if (!id || !ts || !sig) v.push("webhook-id, webhook-timestamp and webhook-signature are required");
      else {
        const want = Buffer.from(signStandard(secret, id, ts, r.body));
        const ok = sig.split(" ").some((s) => { const b = Buffer.from(s); return b.length === want.length && timingSafeEqual(b, want); });
        if (!ok) v.push("webhook-signature does not verify with the shared secret");
        if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) v.push("webhook-timestamp more than 5 minutes away");
      }
    } else if (id || sig) v.push("an unsigned bot got signature headers");
    const b = r.json;
    if (!b) { v.push("body must be JSON"); return; }
    expectKeys(v, "body", b, ["conversation_id", "transcript", "message"]);
    expectType(v, "body.conversation_id", b.conversation_id, "string", { required: true });
    expectType(v, "body.message", b.message, "string", { required: true });
    if (expectType(v, "body.transcript", b.transcript, "array", { required: true })) {
      b.transcript.forEach((t, i) => {
        if (!["customer", "ai"].includes(t?.role)) v.push(`body.transcript[${i}].role must be customer or ai`);
        expectType(v, `body.transcript[${i}].text`, t?.text, "string", { required: true });
      });
    }
  };
  const respond = async (r) => {
    if (r.violations.length) return { status: 400, body: { error: r.violations.join("; ") } };
    const next = queued.length ? queued.shift() : await answer(r);
    return { status: 200, body: typeof next === "string" ? next : JSON.stringify(next), headers: { "Content-Type": "application/json" } };
  };
  const fake = await startFake({ name: "bot", validate, respond });
  const clear = fake.clearRequests;
  return Object.assign(fake, {
    secret, botUrl: fake.url + path,
    /** The next answers (objects become JSON text); `failNext`/`hangNext` come first. */
    answerNext(...answers) { queued.push(...answers); },
    /** Also forgets queued answers. */
    clearRequests() { clear(); queued.length = 0; },
  });
}
