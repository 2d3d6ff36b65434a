// A site's webhook endpoint: checks every delivery against the Standard Webhooks spec
// (vendor-specs/standard-webhooks): the three headers, an id without '.', an integer timestamp
// within 5 minutes, a `v1` signature that verifies with the shared secret, a JSON body
// `{type, timestamp, data}`. Keeps deliveries and the distinct message ids.
import { createHmac, timingSafeEqual, randomBytes } from "node:crypto";
import { startFake } from "./core.mjs";

/** A fresh `whsec_` secret. */
export const newWebhookSecret = () => "whsec_" + randomBytes(24).toString("base64");

export function signStandard(secret, id, timestamp, body) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return "v1," + createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
}

/** Start a receiver. Options: `secret` (`whsec_…`), `path` (default `/hooks/baton`). */
export async function startWebhookReceiver({ secret = newWebhookSecret(), path = "/hooks/baton" } = {}) {
  const deliveries = [];
  const validate = (r) => {
    if (r.method !== "POST" || r.path !== path) { r.violations.push(`unexpected ${r.method} ${r.path}`); return; }
    const id = r.headers["webhook-id"], ts = r.headers["webhook-timestamp"], sig = r.headers["webhook-signature"];
    if (!id) r.violations.push("webhook-id missing");
    else if (id.includes(".")) r.violations.push("webhook-id must not contain '.'");
    if (!ts || !/^\d+$/.test(ts)) r.violations.push("webhook-timestamp must be integer Unix seconds");
    else if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) r.violations.push("webhook-timestamp more than 5 minutes away");
    if (!sig) r.violations.push("webhook-signature missing");
    else if (id && ts) {
      const expected = Buffer.from(signStandard(secret, id, ts, r.body));
      const ok = sig.split(" ").some((s) => { const b = Buffer.from(s); return b.length === expected.length && timingSafeEqual(b, expected); });
      if (!ok) r.violations.push("webhook-signature does not verify with the shared secret");
    }
    if (!/^application\/json/i.test(r.headers["content-type"] || "")) r.violations.push("Content-Type must be application/json");
    const b = r.json;
    if (!b || typeof b.type !== "string" || !/^[a-zA-Z0-9_.]+$/.test(b.type)) r.violations.push("body.type must be a dot-separated event type");
    if (!b || Number.isNaN(Date.parse(b.timestamp))) r.violations.push("body.timestamp must be RFC 3339");
    if (!b || typeof b.data !== "object" || b.data === null) r.violations.push("body.data must be an object");
  };
  const respond = (r) => {
    if (r.violations.length) return { status: 400, body: { error: r.violations.join("; ") } };
    deliveries.push({ id: r.headers["webhook-id"], timestamp: Number(r.headers["webhook-timestamp"]), ...r.json });
    return { status: 204 };
  };
  const fake = await startFake({ name: "webhook", validate, respond });
  return Object.assign(fake, {
    secret, deliveries, hookUrl: fake.url + path,
    /** Deliveries de-duplicated by `webhook-id` (what an idempotent receiver keeps). */
    uniqueDeliveries() { return [...new Map(deliveries.map((d) => [d.id, d])).values()]; },
  });
}
