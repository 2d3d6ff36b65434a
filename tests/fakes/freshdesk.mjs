// Fake Freshdesk API v2. Freshdesk publishes no machine-readable description, so requests are
// checked against the documented contract in shared/reference/helpdesk-apis.md (§2) and the
// request shapes in vendor-specs/freshdesk: Basic auth with the API key and password X,
// documented fields only, enum codes, `cf_` custom fields that exist, notes with a body.
import { startFake, basicAuth, expectType, expectKeys, Reply } from "./core.mjs";

const TICKET_FIELDS = ["email", "name", "subject", "description", "status", "priority", "source", "type", "tags", "group_id", "responder_id",
  "custom_fields", "cc_emails", "requester_id", "phone", "facebook_id", "twitter_id", "unique_external_id", "company_id", "product_id",
  "due_by", "fr_due_by", "email_config_id", "parent_id"];
const NOTE_FIELDS = ["body", "private", "incoming", "notify_emails", "user_id", "attachments"];
const STATUS = [2, 3, 4, 5];
const PRIORITY = [1, 2, 3, 4];
const SOURCE = [1, 2, 3, 7, 9, 10];

/**
 * Start a fake Freshdesk. Options: `apiKey`; `customFields` (known `cf_` names; unknown ones
 * get 400 invalid_field; omit to accept any `cf_` name); `ticketTypes`.
 */
export async function startFreshdesk({ apiKey = "fd-test-key", customFields = null, ticketTypes = ["Question", "Incident", "Problem", "Feature Request"] } = {}) {
  const tickets = [];
  const contacts = [];
  let nextTicket = 77, nextNote = 3001, nextContact = 5001, remaining = 200;

  const route = (r) => {
    let m;
    if (r.path === "/api/v2/tickets" && r.method === "POST") return { op: "create" };
    if ((m = /^\/api\/v2\/tickets\/(\d+)$/.exec(r.path)) && r.method === "PUT") return { op: "update", id: Number(m[1]) };
    if ((m = /^\/api\/v2\/tickets\/(\d+)\/notes$/.exec(r.path)) && r.method === "POST") return { op: "note", id: Number(m[1]) };
    if ((m = /^\/api\/v2\/tickets\/(\d+)\/reply$/.exec(r.path)) && r.method === "POST") return { op: "reply", id: Number(m[1]) };
    if ((m = /^\/api\/v2\/tickets\/(\d+)$/.exec(r.path)) && r.method === "GET") return { op: "get", id: Number(m[1]) };
    return { op: null };
  };

  const checkTicket = (v, b, creating) => {
    expectKeys(v, "body", b, TICKET_FIELDS);
    if (creating) {
      if (!["requester_id", "email", "phone", "facebook_id", "twitter_id", "unique_external_id"].some((k) => b[k] !== undefined)) v.push("one of requester_id, email, phone, facebook_id, twitter_id, unique_external_id is required");
      for (const k of ["subject", "description"]) expectType(v, `body.${k}`, b[k], "string", { required: true });
      for (const k of ["status", "priority", "source"]) expectType(v, `body.${k}`, b[k], "integer", { required: true });
    }
    if (b.status !== undefined && !STATUS.includes(b.status)) v.push(`body.status ${b.status} is not one of 2,3,4,5`);
    if (b.priority !== undefined && !PRIORITY.includes(b.priority)) v.push(`body.priority ${b.priority} is not one of 1,2,3,4`);
    if (b.source !== undefined && !SOURCE.includes(b.source)) v.push(`body.source ${b.source} is not a documented source code`);
    if (b.type !== undefined && !ticketTypes.includes(b.type)) v.push(`body.type '${b.type}' is not a ticket type of this account`);
    if (b.email !== undefined && !/^[^@\s]+@[^@\s]+$/.test(b.email)) v.push("body.email is not an email address");
    if (b.tags !== undefined && (!Array.isArray(b.tags) || b.tags.some((t) => typeof t !== "string"))) v.push("body.tags must be an array of strings");
    if (b.custom_fields !== undefined) {
      if (!expectType(v, "body.custom_fields", b.custom_fields, "object")) return;
      for (const k of Object.keys(b.custom_fields)) {
        if (!k.startsWith("cf_")) v.push(`custom field '${k}' must use its cf_ name`);
        else if (customFields && !customFields.includes(k)) v.push(`custom field '${k}' does not exist`);
      }
    }
    if (b.description !== undefined && /<script/i.test(b.description)) v.push("body.description carries an unescaped <script>");
  };

  const validate = (r) => {
    const creds = basicAuth(r.headers);
    if (!creds || creds[0] !== apiKey || creds[1] !== "X") r.violations.push("Authorization must be Basic '{api_key}:X'");
    r.route = route(r);
    if (!r.route.op) { r.violations.push(`no documented operation ${r.method} ${r.path}`); return; }
    if (r.method !== "GET" && !/^application\/json/i.test(r.headers["content-type"] || "")) r.violations.push("Content-Type must be application/json");
    const b = r.json;
    if (r.method !== "GET" && (!b || typeof b !== "object" || Array.isArray(b))) { r.violations.push("body must be a JSON object"); return; }
    if (r.route.op === "create") checkTicket(r.violations, b, true);
    if (r.route.op === "update") checkTicket(r.violations, b, false);
    if (r.route.op === "note") {
      expectKeys(r.violations, "body", b, NOTE_FIELDS);
      expectType(r.violations, "body.body", b.body, "string", { required: true });
      if (b.private !== undefined) expectType(r.violations, "body.private", b.private, "boolean");
      if (b.incoming !== undefined) expectType(r.violations, "body.incoming", b.incoming, "boolean");
    }
  };

  const invalid = (violations) => new Reply(400, { description: "Validation failed", errors: violations.map((m) => ({ field: /'(cf_[^']+)'|body\.(\w+)/.exec(m)?.slice(1).find(Boolean) || "", message: m, code: /does not exist|not a documented/.test(m) ? "invalid_field" : /required/.test(m) ? "missing_field" : "invalid_value" })) });

  const respond = (r) => {
    if (r.violations.some((v) => v.startsWith("Authorization"))) throw new Reply(401, { code: "invalid_credentials", message: "You have to be logged in to perform this action." });
    if (!r.route.op) throw new Reply(404, { code: "not_found", message: "Not found" });
    if (r.violations.length) throw invalid(r.violations);
    const b = r.json;
    const now = new Date().toISOString();
    if (r.route.op === "create") {
      let contact = b.requester_id ? contacts.find((c) => c.id === b.requester_id) : contacts.find((c) => c.email === b.email);
      if (!contact) { contact = { id: nextContact++, email: b.email, name: b.name ?? b.email }; contacts.push(contact); }
      const t = { id: nextTicket++, ...b, requester_id: contact.id, custom_fields: b.custom_fields || {}, tags: b.tags || [], notes: [], created_at: now, updated_at: now };
      tickets.push(t);
      const { notes, ...view } = t;
      return { status: 201, headers: { Location: `${fake.url}/api/v2/tickets/${t.id}` }, body: view };
    }
    const t = tickets.find((x) => x.id === r.route.id);
    if (!t) throw new Reply(404, { code: "not_found", message: "Ticket not found" });
    if (r.route.op === "get") { const { notes, ...view } = t; return { status: 200, body: view }; }
    if (r.route.op === "update") { Object.assign(t, b, { updated_at: now }); const { notes, ...view } = t; return { status: 200, body: view }; }
    const note = { id: nextNote++, body: b.body, body_text: b.body.replace(/<[^>]*>/g, ""), private: b.private ?? (r.route.op === "note"), incoming: b.incoming ?? false, user_id: b.user_id ?? null, ticket_id: t.id, created_at: now, updated_at: now };
    t.notes.push(note);
    return { status: 201, body: note };
  };

  const fake = await startFake({
    name: "freshdesk", validate, respond,
    rateHeaders: () => ({ "X-RateLimit-Total": "200", "X-RateLimit-Remaining": String(Math.max(0, --remaining)), "X-RateLimit-Used-CurrentRequest": "1" }),
  });
  return Object.assign(fake, {
    tickets, contacts, apiKey,
    /** Set a ticket's status code as an agent would (no webhook is sent: use `webhook`). */
    setStatus(id, status) { const t = tickets.find((x) => x.id === Number(id)); if (t) t.status = status; return t; },
    webhook: freshdeskWebhooks,
  });
}

/** Automation-rule deliveries (unsigned: a shared secret in a custom header). */
export const freshdeskWebhooks = {
  signed(secret, payload, header = "X-Baton-Secret") {
    return { body: JSON.stringify(payload), headers: { "Content-Type": "application/json", [header]: secret } };
  },
  reply({ ticketId, comment, agentName = "Ana Agent", status = "Open" }) {
    return { event: "reply", ticket_id: String(ticketId), status, comment, agent_name: agentName };
  },
  resolved({ ticketId, status = "Resolved" }) {
    return { event: "status", ticket_id: String(ticketId), status };
  },
};
