// A Standard Webhooks receiver for the helpdesk tests: checks signatures, de-duplicates by
// webhook-id, and follows a failure plan (500, 429 with Retry-After, or taking the ticket and
// never answering).
import { createServer } from "node:http";
import { createHmac, timingSafeEqual } from "node:crypto";

/** A Standard Webhooks receiver that checks signatures and de-duplicates by webhook-id. */
export function receiver(port, SECRET) {
  const state = { plan: [], tickets: new Map(), attempts: [], badSignatures: 0, hung: [] };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const id = req.headers["webhook-id"], ts = req.headers["webhook-timestamp"];
      const expected = "v1," + createHmac("sha256", Buffer.from(SECRET.slice(6), "base64")).update(`${id}.${ts}.${body}`).digest("base64");
      const given = String(req.headers["webhook-signature"] || "");
      const ok = given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
      state.attempts.push({ id, at: Date.now() });
      if (!ok) { state.badSignatures++; res.writeHead(401); return res.end(); }
      const step = state.plan.shift() || "ok";
      if (step === 500) { res.writeHead(500); return res.end("boom"); }
      if (step === 429) { res.writeHead(429, { "Retry-After": "1" }); return res.end(); }
      if (!state.tickets.has(id)) state.tickets.set(id, JSON.parse(body));
      if (step === "hang") { state.hung.push(res); return; } // took it, answer lost
      res.writeHead(state.tickets.size && step === "dup" ? 409 : 201, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ ticket: id }));
    });
  });
  return new Promise((r) => server.listen(port, "127.0.0.1", () => r({ server, state })));
}


/** Poll `pred` until it holds. */
export async function waitFor(pred, ms, what, every = 100) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error("timed out waiting for " + what);
}
