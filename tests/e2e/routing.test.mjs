// Routing in the Router object: queue positions and wait estimates while nobody is free,
// automatic assignment by skill and free capacity, longest wait first.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBaton } from "./harness.mjs";
import { api, live } from "./api.mjs";

let baton, http;
before(async () => {
  baton = await startBaton();
  http = api(baton);
});
after(async () => { await baton?.stop(); });

const presence = (name, online, skills, capacity = 1) =>
  http.call("POST", "/v1/sites/demo/presence", { name, online, skills, capacity }, baton.agentToken);
const lastStatus = (events) => [...events].reverse().find((e) => e.kind === "status");

test("waiting customers see their place and wait; free qualified agents get the longest-waiting first", async () => {
  const first = await http.start("demo", { name: "First" });
  const second = await http.start("demo", { name: "Second" });
  const a = live(baton, first);
  const b = live(baton, second);
  await Promise.all([a.opened, b.opened]);
  await http.send(first, "I want to talk to a real person");
  await http.send(second, "can I speak to a human agent");

  await a.next((e) => e.kind === "status" && e.position === 1 && e.wait_seconds > 0);
  await b.next((e) => e.kind === "status" && e.position === 2);
  const wait1 = lastStatus(a.events).wait_seconds, wait2 = lastStatus(b.events).wait_seconds;
  assert.ok(wait2 > wait1, `second in line waits longer (${wait2} > ${wait1})`);

  // An agent without the support queue's skill is not assigned anything.
  let r = await presence("Bea", true, ["billing"], 2);
  assert.equal(r.status, 200, r.text);
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(lastStatus(a.events).status, "queued");

  // A qualified agent with room for one takes the longest-waiting conversation.
  r = await presence("Ana", true, ["general", "billing"], 1);
  assert.equal(r.status, 200, r.text);
  const joined = await a.next((e) => e.kind === "status" && e.status === "with_agent");
  assert.equal(joined.agent, "Ana");
  await b.next((e) => e.kind === "status" && e.status === "queued" && e.position === 1);
  assert.equal(lastStatus(b.events).status, "queued", "Ana is at capacity");

  // Resolving frees capacity: the next conversation is assigned.
  r = await http.agent("resolve", first.id);
  assert.equal(r.status, 200, r.text);
  const next = await b.next((e) => e.kind === "status" && e.status === "with_agent");
  assert.equal(next.agent, "Ana");

  const agents = await http.call("GET", "/v1/sites/demo/agents", undefined, baton.agentToken);
  assert.deepEqual(agents.json.map((x) => x.name).sort(), ["Ana", "Bea"]);
  a.close(); b.close();
});

test("presence is validated", async () => {
  let r = await presence("", true, []);
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, "name");
  r = await presence("Cy", true, [], 0);
  assert.equal(r.json.error.field, "capacity");
  r = await http.call("POST", "/v1/sites/demo/presence", { name: "X", online: true }, "wrong");
  assert.equal(r.status, 401);
});
