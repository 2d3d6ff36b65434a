// 200 concurrent conversations on one local workerd: no error, no lost or repeated message.
// Correctness only; the figures are printed, never asserted (see scripts/budgets.mjs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBaton } from "./harness.mjs";
import { runLoad } from "../../scripts/load.mjs";

let baton;
before(async () => { baton = await startBaton(); });
after(async () => { await baton?.stop(); });

test("200 concurrent conversations complete with nothing lost", { timeout: 300_000 }, async () => {
  const r = await runLoad(baton, 200);
  console.log(`load: ${r.conversations} conversations, ${r.messages} messages in ${r.seconds.toFixed(1)} s; reply p50 ${r.reply_ms.p50} ms, p99 ${r.reply_ms.p99} ms; starts retried after a wrangler dev restart: ${r.dev_restarts}`);
  assert.deepEqual(r.problems, []);
  assert.equal(r.messages, 200 * 3 + 50);
});
