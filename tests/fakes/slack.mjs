// Fake Slack Web API (`chat.postMessage`). Requests are checked against Slack's own published
// description (vendor-specs/slack, Swagger 2.0): the path, the token (the spec's `token`
// header, or `Authorization: Bearer` as real clients send), only declared parameters, their
// types, `channel` required; plus the documented Block Kit limits. Always 200 with `ok`,
// except 429 + Retry-After when told to.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startFake, bearer } from "./core.mjs";
import { SPECS } from "./openapi.mjs";

const spec = JSON.parse(readFileSync(join(SPECS, "slack/slack-chat.postMessage.trimmed.patched.json"), "utf8"));
const operation = spec.paths["/chat.postMessage"].post;
const params = Object.fromEntries(operation.parameters.filter((p) => p.in === "formData").map((p) => [p.name, p]));

function checkBlocks(v, blocks) {
  if (!Array.isArray(blocks)) { v.push("blocks must be an array"); return; }
  if (blocks.length > 50) v.push(`${blocks.length} blocks (max 50)`);
  const text = (t, where, max, plainOnly = false) => {
    if (!t || typeof t !== "object") { v.push(`${where} must be a text object`); return; }
    if (!["plain_text", "mrkdwn"].includes(t.type) || (plainOnly && t.type !== "plain_text")) v.push(`${where}.type '${t.type}' not allowed`);
    if (typeof t.text !== "string" || !t.text.length) v.push(`${where}.text must be a non-empty string`);
    else if (t.text.length > max) v.push(`${where}.text is ${t.text.length} chars (max ${max})`);
  };
  blocks.forEach((b, i) => {
    const w = `blocks[${i}]`;
    if (b.block_id !== undefined && String(b.block_id).length > 255) v.push(`${w}.block_id too long`);
    switch (b.type) {
      case "header": text(b.text, `${w}.text`, 150, true); break;
      case "section":
        if (!b.text && !b.fields) v.push(`${w} needs text or fields`);
        if (b.text) text(b.text, `${w}.text`, 3000);
        if (b.fields) { if (b.fields.length > 10) v.push(`${w}.fields has ${b.fields.length} items (max 10)`); b.fields.forEach((f, j) => text(f, `${w}.fields[${j}]`, 2000)); }
        break;
      case "context":
        if (!Array.isArray(b.elements) || !b.elements.length || b.elements.length > 10) v.push(`${w}.elements must have 1-10 items`);
        else b.elements.forEach((e, j) => (e.type === "image" ? null : text(e, `${w}.elements[${j}]`, 3000)));
        break;
      case "actions":
        if (!Array.isArray(b.elements) || !b.elements.length || b.elements.length > 25) v.push(`${w}.elements must have 1-25 items`);
        else b.elements.forEach((e, j) => {
          if (e.type !== "button") return;
          text(e.text, `${w}.elements[${j}].text`, 75, true);
          if (e.style !== undefined && !["primary", "danger"].includes(e.style)) v.push(`${w}.elements[${j}].style '${e.style}' not allowed`);
          if (e.url !== undefined && !/^https?:\/\//.test(e.url)) v.push(`${w}.elements[${j}].url must be http(s)`);
        });
        break;
      case "divider": break;
      default: v.push(`${w}.type '${b.type}' is not a message block Baton should send`);
    }
  });
}

/** Start a fake Slack. Options: `token` (bot token), `channels` (ids the bot is in). */
export async function startSlack({ token = "xoxb-test-token", channels = ["C123ABC456"] } = {}) {
  const messages = [];
  let seq = 0;
  const validate = (r) => {
    if (r.method !== "POST" || r.path !== `${spec.basePath}/chat.postMessage`) { r.violations.push(`no operation ${r.method} ${r.path} in Slack's API description`); return; }
    const tok = bearer(r.headers) ?? r.headers.token;
    if (tok !== token) r.violations.push("token missing or wrong (header 'token' or Authorization: Bearer)");
    const ct = (r.headers["content-type"] || "").split(";")[0].trim();
    if (!operation.consumes.includes(ct)) { r.violations.push(`content-type '${ct}' not accepted`); return; }
    const body = ct === "application/json" ? r.json : Object.fromEntries(new URLSearchParams(r.body));
    if (!body || typeof body !== "object") { r.violations.push("body must be an object"); return; }
    r.args = body;
    for (const [k, val] of Object.entries(body)) {
      const p = params[k];
      if (!p) { r.violations.push(`parameter '${k}' is not in chat.postMessage's description`); continue; }
      if (k === "blocks" || k === "attachments") {
        // Form posts carry JSON strings; JSON posts may carry the arrays themselves.
        let parsed = val;
        if (typeof val === "string") { try { parsed = JSON.parse(val); } catch { r.violations.push(`${k} is not JSON`); continue; } }
        if (k === "blocks") checkBlocks(r.violations, parsed);
        continue;
      }
      const ok = p.type === "boolean" ? typeof val === "boolean" || val === "true" || val === "false" : typeof val === p.type;
      if (!ok) r.violations.push(`parameter '${k}' must be ${p.type}`);
    }
    for (const p of operation.parameters) if (p.required && p.in === "formData" && body[p.name] === undefined) r.violations.push(`parameter '${p.name}' is required`);
    if (body.text === undefined) r.violations.push("text is missing (Slack wants it as the notification fallback)");
  };
  const respond = (r) => {
    const fail = (error) => ({ status: 200, body: { ok: false, error } });
    if (r.violations.some((v) => v.startsWith("token"))) return fail("invalid_auth");
    if (r.violations.some((v) => v.includes("blocks") || v.includes("block"))) return fail("invalid_blocks");
    if (r.violations.length) return fail("invalid_arguments");
    if (!channels.includes(r.args.channel)) return fail("channel_not_found");
    const ts = `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, "0")}`;
    const message = { type: "message", subtype: "bot_message", text: r.args.text, blocks: typeof r.args.blocks === "string" ? JSON.parse(r.args.blocks) : r.args.blocks, ts, bot_id: "B19LU7CSY" };
    messages.push({ channel: r.args.channel, ...message });
    return { status: 200, body: { ok: true, channel: r.args.channel, ts, message } };
  };
  const fake = await startFake({ name: "slack", validate, respond });
  return Object.assign(fake, { messages, token });
}
