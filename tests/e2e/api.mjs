// Small HTTP and WebSocket clients for the edge API, used by the end-to-end tests.
import WebSocket from "ws";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./harness.mjs";

/** The demo site's config (`config/sites/demo.json`) as site `id`, allowing the local origin. */
export function demoSite(baton, id) {
  const doc = JSON.parse(readFileSync(join(ROOT, "config/sites/demo.json"), "utf8"));
  doc.site.id = id;
  doc.site.allowed_origins = [baton.base];
  return doc;
}

export function api(baton) {
  const call = async (method, path, body, token) => {
    const r = await fetch(baton.base + path, {
      method,
      headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch {}
    return { status: r.status, json, text };
  };
  return {
    call,
    /** Store the demo config changed by `patch(doc)` as site `id`; throws unless it is accepted. */
    async site(id, patch = () => {}) {
      const doc = demoSite(baton, id);
      patch(doc);
      const r = await call("PUT", `/v1/admin/sites/${id}/config`, doc, baton.adminToken);
      if (r.status !== 200) throw new Error(`config of site ${id}: ${r.status} ${r.text}`);
      return doc;
    },
    async start(site = "demo", user = {}) {
      const body = { site, page: { url: baton.base + "/", title: "test" }, user };
      let r = await call("POST", "/v1/conversations", body);
      // wrangler dev's proxy answers 503 "Your worker restarted mid-request" (Retry-After: 0)
      // when local workerd resets its connection to a new Durable Object (scripts/do-burst.mjs);
      // like the widget, try such a start once more.
      if (r.status === 503 && /restarted mid-request/.test(r.text)) r = await call("POST", "/v1/conversations", body);
      if (r.status !== 201) throw new Error(`start: ${r.status} ${r.text}`);
      return r.json;
    },
    send: (c, text, client_id) => call("POST", `/v1/conversations/${c.id}/messages`, { token: c.token, text, client_id }),
    agent: (action, id, body = {}) => call("POST", `/v1/conversations/${id}/${action}`, { agent: "Ana", ...body }, baton.agentToken),
    state: (id) => call("GET", `/v1/conversations/${id}`, undefined, baton.agentToken),
    inbox: (site = "demo") => call("GET", `/v1/sites/${site}/inbox`, undefined, baton.agentToken),
  };
}

/** Open the live channel and collect events; `next(pred)` waits for one. */
export function live(baton, c, since = 0) {
  const url = baton.base.replace(/^http/, "ws") + `/v1/conversations/${c.id}/live?token=${c.token}&since=${since}`;
  const ws = new WebSocket(url);
  const events = [];
  const waiters = [];
  ws.on("message", (data) => {
    const ev = JSON.parse(String(data));
    events.push(ev);
    for (const w of [...waiters]) if (w.pred(ev)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(ev); }
  });
  const opened = new Promise((resolve, reject) => { ws.once("open", resolve); ws.once("error", reject); });
  return {
    ws, events, opened,
    next(pred, ms = 10_000) {
      const found = events.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("timed out waiting for an event; got " + JSON.stringify(events))), ms);
        waiters.push({ pred, resolve: (ev) => { clearTimeout(timer); resolve(ev); } });
      });
    },
    close() { ws.close(); },
  };
}
