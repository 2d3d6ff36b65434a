// What the widget costs a host page, measured by Lighthouse (default mobile throttling) in
// Debian Chromium: the demo page with the widget closed against the same page without it.
// Prints Total Blocking Time for both and the widget's own script execution time.
// Run after a build: `cargo xtask lighthouse` (or `node scripts/lighthouse.mjs [runs]`;
// LH_DEBUG=1 prints every script's time per run).
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
import { startBaton, ROOT } from "../tests/e2e/harness.mjs";

const runs = Number(process.argv[2] || 5);
// The baseline: the demo page exactly, minus the one script tag.
const demo = readFileSync(join(ROOT, "www/index.html"), "utf8");
const tag = /<script async src="\/widget\.js"[^>]*><\/script>\n?/;
if (!tag.test(demo)) throw new Error("www/index.html no longer embeds /widget.js as expected");
writeFileSync(join(ROOT, "dist/www/baseline.html"), demo.replace(tag, ""));

// bootup-time leaves out scripts under 50 ms of (throttled) main-thread time; a small widget
// would read as 0 ms, so every script is listed.
const config = { extends: "lighthouse:default", audits: [{ path: "bootup-time", options: { thresholdInMs: 0 } }] };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const baton = await startBaton();
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM || "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});
try {
  const isWidget = (url) => /^\/widget(\.js$|\/)/.test(new URL(url, baton.base).pathname);
  const measure = async (path) => {
    const { lhr } = await lighthouse(baton.base + path, {
      port: chrome.port, output: "json", logLevel: "error", onlyCategories: ["performance"],
    }, config);
    if (lhr.runtimeError) throw new Error(`${path}: ${lhr.runtimeError.message}`);
    const boot = lhr.audits["bootup-time"].details?.items || [];
    // bootup-time attributes main-thread time to script URLs: the widget's are /widget.js
    // (the loader) and, once opened, /widget/… (glue and wasm); a closed widget has only the first.
    const widget = boot.filter((i) => isWidget(i.url));
    if (process.env.LH_DEBUG) {
      console.log(path, boot.map((i) => `${i.url} ${i.scripting.toFixed(1)}+${i.scriptParseCompile.toFixed(1)}`).join("; "));
      const long = lhr.audits["long-tasks"].details?.items || [];
      console.log("  long tasks:", long.map((t) => `${t.url} at ${t.startTime.toFixed(0)} for ${t.duration.toFixed(0)} ms`).join("; ") || "none");
    }
    const requests = lhr.audits["network-requests"].details?.items || [];
    // The widget's own share of blocking time: its long tasks' time over 50 ms. (TBT itself swings
    // with the machine: on a busy one the page's own parse and layout tasks grow.)
    const widgetBlocking = (lhr.audits["long-tasks"].details?.items || [])
      .filter((t) => isWidget(t.url))
      .reduce((sum, t) => sum + Math.max(0, t.duration - 50), 0);
    return {
      widgetBlocking,
      tbt: lhr.audits["total-blocking-time"].numericValue,
      script: widget.reduce((s, i) => s + (i.scripting || 0), 0),
      compile: widget.reduce((s, i) => s + (i.scriptParseCompile || 0), 0),
      pageScript: boot.reduce((s, i) => s + (i.scripting || 0), 0),
      bytes: requests.filter((r) => /\/widget/.test(r.url)).reduce((s, r) => s + (r.transferSize || 0), 0),
      widgetRequests: requests.filter((r) => /\/widget/.test(r.url)).map((r) => new URL(r.url).pathname),
      widgetScripts: widget.map((i) => new URL(i.url).pathname),
    };
  };
  const load = () => loadavg().map((l) => l.toFixed(1)).join(" ");
  const loadBefore = load();
  const rows = { with: [], without: [] };
  for (let i = 0; i < runs; i++) {
    rows.without.push(await measure("/baseline.html"));
    rows.with.push(await measure("/"));
  }
  const tbtWith = median(rows.with.map((r) => r.tbt));
  const tbtWithout = median(rows.without.map((r) => r.tbt));
  const script = median(rows.with.map((r) => r.script));
  console.log(`\nLighthouse ${lhVersion()} (mobile, simulated throttling), median of ${runs} runs, ${new Date().toISOString().slice(0, 10)}`);
  console.log(`machine: ${cpus().length} cores, load average (1/5/15 min) ${loadBefore} before, ${load()} after`);
  console.log("| measure | demo page without widget | with widget (closed) | goal |");
  console.log("|---|---:|---:|---|");
  console.log(`| Total Blocking Time | ${tbtWithout.toFixed(0)} ms | ${tbtWith.toFixed(0)} ms | at most 5 ms more: ${tbtWith - tbtWithout <= 5 ? "met" : "not met"} (+${(tbtWith - tbtWithout).toFixed(0)} ms) |`);
  const widgetBlocking = median(rows.with.map((r) => r.widgetBlocking));
  console.log(`| blocking time in the widget's own long tasks | | ${widgetBlocking.toFixed(0)} ms | at most 5 ms: ${widgetBlocking <= 5 ? "met" : "not met"} |`);
  console.log(`| widget script execution | | ${script.toFixed(1)} ms | ≤ 25 ms: ${script <= 25 ? "met" : "not met"} |`);
  console.log(`| all script execution on the page | ${median(rows.without.map((r) => r.pageScript)).toFixed(1)} ms | ${median(rows.with.map((r) => r.pageScript)).toFixed(1)} ms | |`);
  console.log(`| widget parse and compile | | ${median(rows.with.map((r) => r.compile)).toFixed(1)} ms | |`);
  console.log("per run (without → with TBT, widget script):", rows.without.map((r, i) => `${r.tbt.toFixed(0)}→${rows.with[i].tbt.toFixed(0)} ms, ${rows.with[i].script.toFixed(1)} ms`).join("; "));
  console.log(`| widget bytes transferred | | ${median(rows.with.map((r) => r.bytes))} B | (${rows.with[0].widgetRequests.join(", ")}) |`);
  console.log(`scripts counted as the widget's: ${[...new Set(rows.with.flatMap((r) => r.widgetScripts))].join(", ") || "none"}`);
} finally {
  await chrome.kill();
  await baton.stop();
}

function lhVersion() {
  return JSON.parse(readFileSync(join(ROOT, "node_modules/lighthouse/package.json"), "utf8")).version;
}
