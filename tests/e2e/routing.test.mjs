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
  // The transition message says the same wait the router then keeps current (one estimate).
  const said = (ch) => Number(/number \d+ in line; expected wait about (\d+) minutes/.exec(ch.events.find((e) => e.kind === "message" && e.author === "system" && /in line/.test(e.text))?.text)?.[1]);
  assert.equal(said(a), Math.max(1, Math.ceil(wait1 / 60)), JSON.stringify(a.events.filter((e) => e.kind === "message")));
  assert.equal(said(b), Math.max(1, Math.ceil(wait2 / 60)));

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

test("the wait a customer is first told comes from recent times to agent and the agents online", async () => {
  // The first test's customers were taken within seconds: a place in line now takes seconds,
  // not the two minutes assumed before anything was measured.
  const busy = [];
  for (const name of ["Dan", "Eli"]) {
    const r = await presence(name, true, ["general"], 1);
    assert.equal(r.status, 200, r.text);
    const c = await http.start("demo", { name: `Held by ${name}` });
    const ch = live(baton, c);
    await ch.opened;
    await http.send(c, "I want to talk to a real person");
    await ch.next((e) => e.kind === "status" && e.status === "with_agent");
    busy.push(ch);
  }
  const c = await http.start("demo", { name: "Waiting" });
  const ch = live(baton, c);
  await ch.opened;
  await http.send(c, "I want to talk to a real person");
  const queued = await ch.next((e) => e.kind === "status" && e.status === "queued" && e.position === 1 && e.wait_seconds !== undefined);
  const message = ch.events.find((e) => e.kind === "message" && e.author === "system" && /in line/.test(e.text));
  const said = Number(/expected wait about (\d+) minutes/.exec(message?.text)?.[1]);
  assert.equal(said, Math.max(1, Math.ceil(queued.wait_seconds / 60)), `${message?.text} / router: ${queued.wait_seconds} s`);
  assert.ok(queued.wait_seconds < 60, `seconds a place, several agents: ${queued.wait_seconds} s`);
  assert.equal(said, 1);
  for (const b of busy) b.close();
  ch.close();
  for (const name of ["Dan", "Eli"]) await presence(name, false, []);
});
