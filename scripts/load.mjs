// Load: N concurrent conversations on one local workerd, each on its own WebSocket, each sending
// a few messages; checks that every conversation's log is complete and gap-free.
// Usage: node scripts/load.mjs [N]   (also used by tests/e2e/load.test.mjs)
import { api, live } from "../tests/e2e/api.mjs";

const QUESTIONS = ["How much is the Pro plan?", "Where can I download my invoices?", "How do I add seats?"];

function pct(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.round((p / 100) * (sorted.length - 1)))] : null;
}

/** Run the load; returns figures and every problem found. */
export async function runLoad(baton, n = 200) {
  const http = api(baton);
  const problems = [];
  const latencies = [];
  const t0 = Date.now();
  let messages = 0;
  // wrangler dev answers this 503 itself when its local runtime restarts under the burst of 200
  // starts (not seen from the worker's code; cause not yet found, see the closing notes of
  // issue 4). A customer's widget retries a failed start; so does this, once, and counts it.
  let devRestarts = 0;
  const start = async (i) => {
    try {
      return await http.start("demo", { name: `Load ${i}` });
    } catch (e) {
      if (!/503 Your worker restarted mid-request/.test(e.message)) throw e;
      devRestarts++;
      await new Promise((r) => setTimeout(r, 500));
      return http.start("demo", { name: `Load ${i}` });
    }
  };
  await Promise.all(Array.from({ length: n }, async (_, i) => {
    try {
      const c = await start(i);
      const ch = live(baton, c);
      await ch.opened;
      const texts = [...QUESTIONS];
      if (i % 4 === 0) texts.push("I want to talk to a real person");
      for (const [k, text] of texts.entries()) {
        const client_id = `load-${i}-${k}`;
        const sent = Date.now();
        ch.ws.send(JSON.stringify({ type: "send", text, client_id }));
        messages++;
        // Each customer message is answered by the AI, or by the transition when escalating.
        await ch.next((e) => e.kind === "message" && e.client_id === client_id, 60_000);
        await ch.next((e) => e.kind === "message" && (e.author === "ai" || e.author === "system") && e.seq > 0 &&
          ch.events.findIndex((x) => x.client_id === client_id) < ch.events.indexOf(e), 60_000);
        latencies.push(Date.now() - sent);
      }
      ch.close();
      const st = await http.state(c.id);
      const seqs = st.json.events.map((e) => e.seq);
      if (seqs.some((s, j) => s !== j + 1)) problems.push(`conversation ${i}: sequence has gaps ${seqs}`);
      const stored = st.json.events.filter((e) => e.author === "customer").map((e) => e.text);
      if (JSON.stringify(stored) !== JSON.stringify(texts)) problems.push(`conversation ${i}: stored ${JSON.stringify(stored)}`);
      const live_seen = ch.events.map((e) => e.seq);
      if (new Set(live_seen).size !== live_seen.length) problems.push(`conversation ${i}: duplicate live events`);
    } catch (e) {
      problems.push(`conversation ${i}: ${e.message}`);
    }
  }));
  const seconds = (Date.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    conversations: n, messages, seconds, problems, dev_restarts: devRestarts,
    messages_per_second: Math.round(messages / seconds),
    reply_ms: { p50: pct(latencies, 50), p99: pct(latencies, 99), max: latencies.at(-1) },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { startBaton } = await import("../tests/e2e/harness.mjs");
  const n = Number(process.argv[2] || 200);
  const baton = await startBaton();
  try {
    const r = await runLoad(baton, n);
    console.log(JSON.stringify({ ...r, problems: r.problems.length }, null, 2));
    if (r.problems.length) { console.error(r.problems.slice(0, 10).join("\n")); process.exitCode = 1; }
  } finally {
    await baton.stop();
  }
}
