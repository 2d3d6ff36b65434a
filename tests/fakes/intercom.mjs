// Fake Intercom: every request is checked against Intercom's own OpenAPI 2.16 description
// (shared/reference/vendor-specs/intercom) plus auth, the `Intercom-Version` header, known
// conversation attributes and existing ids.
import { createHmac, randomBytes } from "node:crypto";
import { startFake, bearer, Reply } from "./core.mjs";
import { openApi, validateOpenApi } from "./openapi.mjs";

const SPEC = "intercom/intercom-2.16.trimmed.yaml";
const hex24 = () => randomBytes(12).toString("hex");
const errorList = (status, code, message) => new Reply(status, { type: "error.list", request_id: hex24(), errors: [{ code, message, field: null }] });

/**
 * Start a fake Intercom. Options: `token` (Bearer), `admins` (admin ids allowed as `admin_id`),
 * `teams` (team ids), `attributes` (conversation data attribute names; others get 400
 * INVALID_PARAMETER; omit to accept any).
 */
export async function startIntercom({ token = "ic-test-token", admins = ["991267628"], teams = ["5017691"], attributes = null } = {}) {
  const spec = openApi(SPEC);
  const contacts = [];
  const conversations = [];
  let nextMessage = 403918330, nextConversation = 499, remaining = 1666;

  const validate = (r) => {
    if (bearer(r.headers) !== token) r.violations.push("Authorization must be 'Bearer <access token>'");
    if (!r.headers["intercom-version"]) r.violations.push("Intercom-Version header missing (pin the API version)");
    r.op = validateOpenApi(spec, r);
    const b = r.json || {};
    if (b.admin_id !== undefined && !admins.includes(String(b.admin_id))) r.violations.push(`admin_id ${b.admin_id} is not an admin of this workspace`);
    if (b.message_type === "assignment" && b.type === "team" && !teams.includes(String(b.assignee_id))) r.violations.push(`team ${b.assignee_id} does not exist`);
    if (r.op.operation?.template === "/conversations/{conversation_id}" && attributes) {
      for (const k of Object.keys(b.custom_attributes || {})) if (!attributes.includes(k)) r.violations.push(`conversation attribute '${k}' is not defined in the workspace`);
    }
  };

  const convo = (id) => conversations.find((c) => c.id === id) || (() => { throw errorList(404, "not_found", "Resource Not Found"); })();
  const view = (c) => ({ type: "conversation", id: c.id, state: c.state, open: c.state === "open", title: c.title, team_assignee_id: c.team_assignee_id, admin_assignee_id: null, custom_attributes: c.custom_attributes, updated_at: Math.floor(Date.now() / 1000), conversation_parts: { type: "conversation_part.list", conversation_parts: c.parts.slice(-1), total_count: c.parts.length } });

  const respond = (r) => {
    if (bearer(r.headers) !== token) throw errorList(401, "unauthorized", "Access Token Invalid");
    const op = r.op.operation;
    if (!op) throw errorList(404, "not_found", "Resource Not Found");
    if (r.violations.length) throw errorList(400, "parameter_invalid", r.violations.join("; "));
    const b = r.json;
    const key = `${r.method} ${op.template}`;
    if (key === "POST /contacts/search") {
      const q = b.query;
      const data = q.field === "email" && q.operator === "=" ? contacts.filter((c) => c.email === q.value) : [];
      return { status: 200, body: { type: "list", data, total_count: data.length, pages: { type: "pages", page: 1, per_page: 50, total_pages: 1 } } };
    }
    if (key === "POST /contacts") {
      const dup = contacts.find((c) => (b.email && c.email === b.email) || (b.external_id && c.external_id === b.external_id));
      if (dup) throw errorList(409, "conflict", `A contact matching those details already exists with id=${dup.id}`);
      const c = { type: "contact", id: hex24(), role: b.role || "user", email: b.email ?? null, external_id: b.external_id ?? null, name: b.name ?? null, custom_attributes: b.custom_attributes || {} };
      contacts.push(c);
      return { status: 200, body: c };
    }
    if (key === "POST /conversations") {
      if (!contacts.some((c) => c.id === b.from.id)) throw errorList(404, "not_found", "User Not Found");
      const c = { id: String(nextConversation++), contact_id: b.from.id, state: "open", title: null, team_assignee_id: null, custom_attributes: {}, parts: [{ part_type: "comment", body: b.body, author: { type: "user", id: b.from.id } }] };
      conversations.push(c);
      return { status: 200, body: { type: "user_message", id: String(nextMessage++), created_at: Math.floor(Date.now() / 1000), body: b.body, message_type: "inapp", conversation_id: c.id } };
    }
    if (key === "POST /conversations/{conversation_id}/reply") {
      const c = convo(r.op.params.conversation_id);
      if (b.type === "admin") c.parts.push({ part_type: b.message_type, body: b.body, author: { type: "admin", id: b.admin_id } });
      else { c.parts.push({ part_type: "comment", body: b.body, author: { type: "user", id: b.intercom_user_id || b.user_id || b.email } }); if (c.state !== "open") c.state = "open"; }
      return { status: 200, body: view(c) };
    }
    if (key === "POST /conversations/{conversation_id}/parts") {
      const c = convo(r.op.params.conversation_id);
      if (b.message_type === "assignment" && b.type === "team") c.team_assignee_id = String(b.assignee_id);
      if (b.message_type === "close") c.state = "closed";
      if (b.message_type === "open") c.state = "open";
      if (b.message_type === "snoozed") c.state = "snoozed";
      c.parts.push({ part_type: b.message_type === "assignment" ? "assignment" : b.message_type, body: b.body ?? null, author: { type: "admin", id: b.admin_id } });
      return { status: 200, body: view(c) };
    }
    if (key === "PUT /conversations/{conversation_id}") {
      const c = convo(r.op.params.conversation_id);
      if (b.title !== undefined) c.title = b.title;
      Object.assign(c.custom_attributes, b.custom_attributes || {});
      return { status: 200, body: view(c) };
    }
    throw errorList(404, "not_found", "Not implemented by the fake");
  };

  const fake = await startFake({
    name: "intercom", validate, respond,
    rateHeaders: (r) => (bearer(r.headers) === token ? { "X-RateLimit-Limit": "1666", "X-RateLimit-Remaining": String(Math.max(0, --remaining)), "X-RateLimit-Reset": String(Math.floor(Date.now() / 1000) + 10) } : {}),
  });
  return Object.assign(fake, {
    contacts, conversations, token,
    /** Add an existing contact (as if the customer was already known). */
    addContact(c) { const contact = { type: "contact", id: hex24(), role: "user", ...c }; contacts.push(contact); return contact; },
    webhook: intercomWebhooks,
  });
}

/** Build signed Intercom notifications to post to Baton's `/v1/hooks/intercom/{site}`. */
export const intercomWebhooks = {
  /** `sha1=` + hex HMAC-SHA1(client secret, body). */
  sign(secret, body) { return "sha1=" + createHmac("sha1", secret).update(body).digest("hex"); },
  signed(secret, payload) {
    const body = typeof payload === "string" ? payload : JSON.stringify(payload);
    return { body, headers: { "Content-Type": "application/json", "X-Hub-Signature": intercomWebhooks.sign(secret, body) } };
  },
  notification(topic, item) {
    const now = Math.floor(Date.now() / 1000);
    return { type: "notification_event", id: `notif_${randomBytes(8).toString("hex")}`, topic, app_id: "a86dr8yl", created_at: now, delivery_attempts: 1, first_sent_at: now, data: { type: "notification_event_data", item } };
  },
  adminReplied({ conversationId, body, adminName = "Ana Agent", attributes = {} }) {
    return intercomWebhooks.notification("conversation.admin.replied", { type: "conversation", id: String(conversationId), state: "open", custom_attributes: attributes, conversation_parts: { type: "conversation_part.list", conversation_parts: [{ type: "conversation_part", id: String(Date.now()), part_type: "comment", body, author: { type: "admin", id: "991267628", name: adminName } }] } });
  },
  adminClosed({ conversationId, attributes = {} }) {
    return intercomWebhooks.notification("conversation.admin.closed", { type: "conversation", id: String(conversationId), state: "closed", custom_attributes: attributes, conversation_parts: { type: "conversation_part.list", conversation_parts: [{ type: "conversation_part", id: String(Date.now()), part_type: "close", body: null, author: { type: "admin", id: "991267628" } }] } });
  },
};
