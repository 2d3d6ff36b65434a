// Budgets from issue 4, measured on a local workerd: the worker's gzip size, CPU time per
// customer message (p50/p99, from the kernel's per-thread CPU accounting of the workerd
// processes), and the 200-conversation load figures. Prints; asserts nothing.
// Usage: cargo xtask budgets   (builds first), or node scripts/budgets.mjs after a build.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { startBaton, ROOT } from "../tests/e2e/harness.mjs";
import { api } from "../tests/e2e/api.mjs";
import { runLoad } from "./load.mjs";

const gz = (p) => gzipSync(readFileSync(join(ROOT, p)), { level: 9 }).length;

function descendants(pid) {
  let out = [];
  let kids = [];
  try { kids = execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)]).toString().trim().split(/\s+/).filter(Boolean); } catch {}
  for (const k of kids) out = out.concat([Number(k)], descendants(k));
  return out;
}

/** CPU nanoseconds used so far by every thread of the given processes. */
function cpuNs(pids) {
  let total = 0;
  for (const pid of pids) {
    const dir = `/proc/${pid}/task`;
    if (!existsSync(dir)) continue;
    for (const t of readdirSync(dir)) {
      try { total += Number(readFileSync(`${dir}/${t}/schedstat`, "utf8").split(" ")[0]); } catch {}
    }
  }
  return total;
}

const pct = (s, p) => s[Math.min(s.length - 1, Math.round((p / 100) * (s.length - 1)))];

const wasm = gz("edge/build/index_bg.wasm");
const js = gz("edge/build/index.js");
console.log(`worker size: index_bg.wasm ${wasm} B gzip + index.js ${js} B gzip = ${wasm + js} B (budget 500 KB wasm: ${wasm <= 500 * 1024 ? "within" : "OVER"})`);

const baton = await startBaton();
try {
  const http = api(baton);
  const workerd = descendants(baton.pid()).filter((p) => {
    try { return readFileSync(`/proc/${p}/cmdline`, "utf8").includes("workerd"); } catch { return false; }
  });
  if (!workerd.length) throw new Error("no workerd process found under wrangler");
  const questions = ["How much is the Pro plan?", "Where can I download my invoices?", "How do I add seats to my team?", "How long is the free trial?"];
  const samples = [];
  const ROUNDS = 60;
  for (let round = 0; round < ROUNDS; round++) {
    const c = await http.start("demo", { name: `cpu ${round}` });
    for (const q of questions) {
      const before = cpuNs(workerd);
      const r = await http.send(c, q);
      const after = cpuNs(workerd);
      if (r.status !== 200) throw new Error(`send: ${r.status} ${r.text}`);
      if (round > 2) samples.push((after - before) / 1e6); // skip warm-up
    }
  }
  samples.sort((a, b) => a - b);
  console.log(`CPU per customer message (workerd, whole request incl. storage, built-in KB answer; ${samples.length} messages): p50 ${pct(samples, 50).toFixed(2)} ms, p99 ${pct(samples, 99).toFixed(2)} ms`);

  const load = await runLoad(baton, 200);
  console.log(`load: ${load.conversations} concurrent conversations, ${load.messages} messages in ${load.seconds.toFixed(1)} s (${load.messages_per_second}/s), reply p50 ${load.reply_ms.p50} ms, p99 ${load.reply_ms.p99} ms, problems: ${load.problems.length}`);
} finally {
  await baton.stop();
}
