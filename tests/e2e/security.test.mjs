// Identity verification (HMAC user_hash and HS256 JWT), rate limits with Retry-After, origin
// allow-list, CORS for host pages, and tokens that only open their own conversation.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { startBaton } from "./harness.mjs";
import { api } from "./api.mjs";

const IDENTITY_SECRET = "site-identity-secret-for-tests";
let baton, http;
before(async () => {
  baton = await startBaton({ vars: { IDENTITY_SECRET, RATE_LIMIT_CONVERSATIONS: "4/60", RATE_LIMIT_MESSAGES: "3/60" } });
  http = api(baton);
});
after(async () => { await baton?.stop(); });

const b64url = (x) => Buffer.from(typeof x === "string" ? x : JSON.stringify(x)).toString("base64url");
function jwt(claims, secret = IDENTITY_SECRET) {
  const head = b64url({ alg: "HS256", typ: "JWT" });
  const body = b64url(claims);
  const sig = createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}
let nextIp = 1;
// Each call looks like a different visitor unless the test names the IP.
const start = (user, headers = {}) =>
  fetch(baton.base + "/v1/conversations", {
    method: "POST", headers: { "Content-Type": "application/json", "CF-Connecting-IP": `192.0.2.${nextIp++}`, ...headers },
    body: JSON.stringify({ site: "demo", page: {}, user }),
  });

test("identity: a valid user_hash or JWT marks the customer verified; a forged one is refused", async () => {
  const hash = createHmac("sha256", IDENTITY_SECRET).update("u-42").digest("hex");
  let r = await start({ user_id: "u-42", email: "kim@example.com", user_hash: hash });
  assert.equal(r.status, 201);
  let c = await r.json();
  let st = await http.state(c.id);
  assert.equal(st.json.user.verified, true);
  assert.equal(st.json.user.user_hash, undefined, "the proof itself is not stored");

  r = await start({ user_id: "u-43", user_hash: hash });
  assert.equal(r.status, 401);
  assert.match((await r.json()).error.message, /user_hash does not match/);

  r = await start({ jwt: jwt({ sub: "u-77", email: "lee@example.com", plan: "enterprise", exp: Math.floor(Date.now() / 1000) + 600 }) });
  assert.equal(r.status, 201);
  c = await r.json();
  st = await http.state(c.id);
  assert.equal(st.json.user.user_id, "u-77");
  assert.equal(st.json.user.plan, "enterprise");
  assert.equal(st.json.user.verified, true);

  r = await start({ jwt: jwt({ sub: "u-77" }, "wrong-secret") });
  assert.equal(r.status, 401);
  r = await start({ jwt: jwt({ sub: "u-77", exp: 1000 }) });
  assert.equal(r.status, 401);
  assert.match((await r.json()).error.message, /expired/);

  r = await start({ user_id: "anon", email: "who@example.com" });
  c = await r.json();
  assert.equal((await http.state(c.id)).json.user.verified, false, "unproven identity is kept, marked unverified");
});

test("identity: a JWT's claims are the whole identity; the page cannot add a plan beside them", async () => {
  const r = await start({ plan: "enterprise", account_value: 900000, email: "spoof@example.com", jwt: jwt({ sub: "u-78", email: "ray@example.com" }) });
  assert.equal(r.status, 201);
  const { user } = (await http.state((await r.json()).id)).json;
  assert.equal(user.verified, true);
  assert.equal(user.user_id, "u-78");
  assert.equal(user.email, "ray@example.com", "the signed email, not the page's");
  assert.equal(user.plan, undefined, "a plan the token does not carry is not taken from the page");
  assert.equal(user.account_value, undefined);
});

test("identity: a site that requires verification refuses customers without a proof", async () => {
  await http.site("verified-only", (doc) => { doc.identity = { require_verification: true }; });
  const startOn = (user) => fetch(baton.base + "/v1/conversations", {
    method: "POST", headers: { "Content-Type": "application/json", "CF-Connecting-IP": `192.0.2.${nextIp++}` },
    body: JSON.stringify({ site: "verified-only", page: {}, user }),
  });
  for (const user of [undefined, {}, { user_id: "u-42", email: "kim@example.com" }]) {
    const r = await startOn(user);
    assert.equal(r.status, 400, JSON.stringify(user));
    const { error } = await r.json();
    assert.equal(error.code, "identity_required");
    assert.equal(error.field, "user");
    assert.match(error.message, /user_hash|jwt/);
  }
  const hash = createHmac("sha256", IDENTITY_SECRET).update("u-42").digest("hex");
  let r = await startOn({ user_id: "u-42", user_hash: hash });
  assert.equal(r.status, 201, "a user_hash is a proof");
  r = await startOn({ jwt: jwt({ sub: "u-79" }) });
  assert.equal(r.status, 201, "so is a JWT");
  r = await start({ user_id: "anon" });
  assert.equal(r.status, 201, "other sites still take unverified customers");
});

test("rate limits answer 429 with Retry-After", async () => {
  const ip = { "CF-Connecting-IP": "198.51.100.7" };
  for (let i = 0; i < 4; i++) assert.equal((await start({}, ip)).status, 201);
  const r = await start({}, ip);
  assert.equal(r.status, 429);
  assert.ok(Number(r.headers.get("retry-after")) > 0);
  assert.equal((await r.json()).error.code, "rate_limited");
  // Another IP is not affected.
  assert.equal((await start({}, { "CF-Connecting-IP": "203.0.113.9" })).status, 201);

  const c = await (await start({}, { "CF-Connecting-IP": "203.0.113.10" })).json();
  for (let i = 0; i < 3; i++) assert.equal((await http.send(c, `hello ${i}`)).status, 200);
  const over = await http.send(c, "one too many");
  assert.equal(over.status, 429);
  const st = await http.state(c.id);
  assert.ok(!st.json.events.some((e) => e.text === "one too many"), "a refused message is not stored");
});

test("origins outside the allow-list cannot start conversations", async () => {
  const r = await start({}, { Origin: "https://evil.example", "CF-Connecting-IP": "203.0.113.11" });
  assert.equal(r.status, 403);
  assert.match((await r.json()).error.message, /allowed_origins/);
});

test("CORS: a host page may call the API cross-origin and read answers, errors and Retry-After", async () => {
  const origin = baton.base; // the allowed origin of this run
  let r = await fetch(baton.base + "/v1/conversations", {
    method: "OPTIONS",
    headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" },
  });
  assert.equal(r.status, 204);
  assert.equal(r.headers.get("access-control-allow-origin"), origin);
  assert.match(r.headers.get("access-control-allow-methods"), /POST/);
  assert.match(r.headers.get("access-control-allow-headers"), /Content-Type/i);
  assert.match(r.headers.get("vary"), /Origin/);

  r = await start({}, { Origin: origin, "CF-Connecting-IP": "203.0.113.12" });
  assert.equal(r.status, 201);
  assert.equal(r.headers.get("access-control-allow-origin"), origin);
  // Errors are readable too, and so is Retry-After on a 429.
  r = await start({}, { Origin: "https://evil.example", "CF-Connecting-IP": "203.0.113.13" });
  assert.equal(r.status, 403);
  assert.equal(r.headers.get("access-control-allow-origin"), "https://evil.example", "the page may read why it was refused");
  const ip = { Origin: origin, "CF-Connecting-IP": "198.51.100.8" };
  for (let i = 0; i < 4; i++) await start({}, ip);
  r = await start({}, ip);
  assert.equal(r.status, 429);
  assert.match(r.headers.get("access-control-expose-headers") || "", /Retry-After/);
});

test("CORS: the agents' and admins' API is same-origin only, and the widget config honours the allow-list", async () => {
  const evil = "https://evil.example";
  for (const [method, path] of [["GET", "/v1/sites/demo/inbox"], ["PUT", "/v1/admin/sites/demo/config"], ["POST", "/v1/conversations/x/reply"]]) {
    const pre = await fetch(baton.base + path, {
      method: "OPTIONS",
      headers: { Origin: evil, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": "authorization" },
    });
    assert.equal(pre.headers.get("access-control-allow-origin"), null, `no preflight grant for ${method} ${path}`);
  }
  const r = await fetch(baton.base + "/v1/sites/demo/inbox", { headers: { Origin: baton.base, Authorization: `Bearer ${baton.agentToken}` } });
  assert.equal(r.status, 200, "the same-origin inbox still works");
  assert.equal(r.headers.get("access-control-allow-origin"), null);
  const w = await fetch(baton.base + "/v1/sites/demo/widget", { headers: { Origin: evil } });
  assert.equal(w.status, 403);
  assert.match((await w.json()).error.message, /allowed_origins/);
  assert.equal(w.headers.get("access-control-allow-origin"), evil, "the page may read why");
  const ok = await fetch(baton.base + "/v1/sites/demo/widget", { headers: { Origin: baton.base } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("access-control-allow-origin"), baton.base);
});
