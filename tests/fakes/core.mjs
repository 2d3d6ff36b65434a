// A fake vendor server on 127.0.0.1. Every request is recorded and validated against the
// vendor's contract (violations are kept on the record, never thrown at the client), then
// either answered as the vendor documents or, when the test queued a failure, answered with a
// 5xx, a 429 + Retry-After, or not at all (hang). A failed call never changes the fake's state.
import { createServer } from "node:http";

/** Throw this from `respond` to answer with a status and body. */
export class Reply {
  constructor(status, body, headers = {}) {
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

/**
 * Start a fake.
 * - `validate(record)`: push strings onto `record.violations` for every contract breach.
 * - `respond(record)`: return `{ status, body, headers }` (object body → JSON) or throw a Reply.
 * - `rateHeaders(record)`: headers added to every answer (the vendor's rate-limit headers).
 * A record is `{ vendor, method, path, query, headers (lower-case), body (raw text), json,
 * violations, status }`.
 */
export async function startFake({ name, validate, respond, rateHeaders = () => ({}) }) {
  const requests = [];
  const failures = []; // { kind: "status" | "hang", status, headers, body }
  const hanging = new Set();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url, "http://fake");
      const headers = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
      const record = {
        vendor: name, method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams),
        headers, body: raw, json: undefined, violations: [], status: null, at: Date.now(),
      };
      if (raw.length && /json/i.test(headers["content-type"] || "")) {
        try { record.json = JSON.parse(raw); } catch { record.violations.push("body is not valid JSON"); }
      }
      requests.push(record);
      let out;
      try {
        await validate(record);
        const failure = failures.shift();
        if (failure?.kind === "hang") { hanging.add(res); record.status = "hang"; return; }
        out = failure ?? (await respond(record));
      } catch (e) {
        if (e instanceof Reply) out = e;
        else { record.violations.push(`fake crashed: ${e.stack || e}`); out = { status: 500, body: { error: "fake crashed" } }; }
      }
      record.status = out.status;
      const h = { ...rateHeaders(record), ...(out.headers || {}) };
      let body = out.body ?? "";
      if (typeof body !== "string") { body = JSON.stringify(body); h["Content-Type"] ??= "application/json; charset=utf-8"; }
      res.writeHead(out.status, h);
      res.end(body);
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  const fake = {
    name,
    url: `http://127.0.0.1:${port}`,
    port,
    /** Every request received, oldest first (failed and hung ones included). */
    requests,
    /** All violations, flattened: `{ method, path, message }`. */
    get violations() {
      return requests.flatMap((r) => r.violations.map((message) => ({ method: r.method, path: r.path, message })));
    },
    /** Throw, listing every violation, if any request broke the vendor's contract. */
    assertNoViolations() {
      const v = fake.violations;
      if (v.length) throw new Error(`${name}: ${v.length} contract violation(s):\n` + v.map((x) => `  ${x.method} ${x.path}: ${x.message}`).join("\n"));
    },
    /** The next `n` requests get `status` (default 500). */
    failNext(n = 1, { status = 500, headers = {}, body = { error: "injected failure" } } = {}) {
      for (let i = 0; i < n; i++) failures.push({ kind: "status", status, headers, body });
    },
    /** The next `n` requests get 429 with `Retry-After: seconds`. */
    rateLimitNext(n = 1, seconds = 1, body = { error: "rate limited" }) {
      for (let i = 0; i < n; i++) failures.push({ kind: "status", status: 429, headers: { "Retry-After": String(seconds) }, body });
    },
    /** The next `n` requests are never answered (the client's timeout must fire). */
    hangNext(n = 1) {
      for (let i = 0; i < n; i++) failures.push({ kind: "hang" });
    },
    /** Injected failures not used yet. */
    get pendingFailures() { return failures.length; },
    /** Forget recorded requests and queued failures (the vendor's data stays). */
    clearRequests() { requests.length = 0; failures.length = 0; },
    async close() {
      for (const res of hanging) res.socket?.destroy();
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
    },
  };
  return fake;
}

/** `Authorization: Basic …` as [user, password], or null. */
export function basicAuth(headers) {
  const m = /^Basic\s+(.+)$/i.exec(headers.authorization || "");
  if (!m) return null;
  const text = Buffer.from(m[1], "base64").toString("utf8");
  const i = text.indexOf(":");
  return i < 0 ? null : [text.slice(0, i), text.slice(i + 1)];
}

/** The bearer token, or null. */
export function bearer(headers) {
  const m = /^Bearer\s+(\S+)$/i.exec(headers.authorization || "");
  return m ? m[1] : null;
}

/** Check a value's JSON type; push a violation and return false if it is wrong or missing. */
export function expectType(violations, where, value, type, { required = false } = {}) {
  if (value === undefined) {
    if (required) violations.push(`${where} is required`);
    return false;
  }
  const actual = Array.isArray(value) ? "array" : value === null ? "null" : Number.isInteger(value) ? "integer" : typeof value;
  const ok = type === actual || (type === "number" && actual === "integer");
  if (!ok) violations.push(`${where} must be ${type}, got ${actual}`);
  return ok;
}

/** Flag keys of `obj` that are not in `allowed`. */
export function expectKeys(violations, where, obj, allowed) {
  if (!obj || typeof obj !== "object" || Array.isArray(obj)) return;
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) violations.push(`${where}.${k} is not a documented field`);
}
