// Fake Zendesk Support: every request is checked against Zendesk's own OpenAPI description
// (shared/reference/vendor-specs/zendesk) plus the documented rules the schema leaves out
// (auth, `comment.public` always sent, known custom field ids, Idempotency-Key semantics).
import { createHmac, randomUUID } from "node:crypto";
import { startFake, basicAuth, bearer, Reply } from "./core.mjs";
import { openApi, validateOpenApi } from "./openapi.mjs";

const SPEC = "zendesk/zendesk-support.trimmed.yaml";

/**
 * Start a fake Zendesk. Options: `email`, `token` (API-token auth: Basic `{email}/token:{token}`),
 * `oauth` (Bearer), `customFields` (known ticket-field ids; unknown ones get 422; omit to accept any).
 */
export async function startZendesk({ email = "baton@example.com", token = "zd-test-token", oauth = null, customFields = null } = {}) {
  const spec = openApi(SPEC, { stripJsonSuffix: true });
  const users = [];
  const tickets = [];
  const idempotency = new Map();
  let nextUser = 9001, nextTicket = 5001, remaining = 700;
  const fields = customFields ? new Set(customFields.map(Number)) : null;

  const validate = (r) => {
    const creds = basicAuth(r.headers);
    const tokenOk = creds && creds[0] === `${email}/token` && creds[1] === token;
    const oauthOk = oauth && bearer(r.headers) === oauth;
    if (!tokenOk && !oauthOk) r.violations.push("Authorization must be Basic '{email}/token:{api_token}' or Bearer");
    r.op = validateOpenApi(spec, r);
    const t = r.json?.ticket;
    if (t?.comment && typeof t.comment.public !== "boolean") r.violations.push("ticket.comment.public must always be sent (the first comment's value sticks otherwise)");
    if (t?.comment && t.comment.body === undefined && t.comment.html_body === undefined) r.violations.push("ticket.comment needs body or html_body");
    if (r.op.operation?.template === "/api/v2/tickets" && r.method === "POST") {
      if (!r.headers["idempotency-key"]) r.violations.push("POST /api/v2/tickets without Idempotency-Key (a retry could duplicate the ticket)");
      if (!t?.subject) r.violations.push("ticket.subject is required by Baton's contract");
      if (!t?.requester && !t?.requester_id) r.violations.push("ticket needs requester or requester_id");
    }
    for (const f of t?.custom_fields || []) if (fields && !fields.has(Number(f.id))) r.violations.push(`custom field id ${f.id} does not exist in this account`);
  };

  const notFound = () => new Reply(404, { error: "RecordNotFound", description: "Not found" });
  const view = (t) => ({ id: t.id, url: `${fake.url}/api/v2/tickets/${t.id}.json`, subject: t.subject, status: t.status, priority: t.priority, type: t.type, tags: t.tags, custom_fields: t.custom_fields, external_id: t.external_id, requester_id: t.requester_id, followup_ids: t.followup_ids || [], created_at: t.created_at, updated_at: t.updated_at });
  const findUser = (u) => users.find((x) => (u.email && x.email === u.email) || (u.external_id && x.external_id?.toLowerCase() === String(u.external_id).toLowerCase()));

  const respond = (r) => {
    if (r.violations.some((v) => v.startsWith("Authorization"))) throw new Reply(401, { error: "Couldn't authenticate you" });
    const op = r.op.operation;
    if (!op) throw new Reply(404, { error: "InvalidEndpoint", description: "Not found" });
    const key = `${r.method} ${op.template}`;
    if (r.violations.length) {
      return { status: 422, body: { error: "RecordInvalid", description: "Record validation errors", details: { base: r.violations.map((d) => ({ description: d, error: "Invalid" })) } } };
    }
    if (key === "POST /api/v2/users/create_or_update") {
      const u = r.json.user;
      let user = findUser(u);
      const created = !user;
      if (!user) { user = { id: nextUser++, role: "end-user", ...u }; users.push(user); } else Object.assign(user, u);
      return { status: created ? 201 : 200, headers: { Location: `${fake.url}/api/v2/users/${user.id}.json` }, body: { user } };
    }
    if (key === "POST /api/v2/tickets") {
      const idem = r.headers["idempotency-key"];
      if (idem && idempotency.has(idem)) {
        const prior = idempotency.get(idem);
        if (prior.body !== r.body) throw new Reply(400, { error: "IdempotentRequestError", description: "Request parameters don't match the given idempotency key" });
        return { ...prior.response, headers: { ...prior.response.headers, "x-idempotency-lookup": "hit" } };
      }
      const t = r.json.ticket;
      let requesterId = t.requester_id;
      if (!requesterId) {
        let user = findUser(t.requester);
        if (!user) { user = { id: nextUser++, role: "end-user", name: t.requester.name, email: t.requester.email }; users.push(user); }
        requesterId = user.id;
      } else if (!users.some((u) => u.id === requesterId)) {
        throw new Reply(422, { error: "RecordInvalid", description: "Record validation errors", details: { requester: [{ description: "Requester not found", error: "InvalidValue" }] } });
      }
      // A follow-up of a closed ticket (`via_followup_source_id`): linked both ways, as Zendesk
      // shows it (the source's `followup_ids`).
      const sourceId = t.via_followup_source_id;
      const source = sourceId === undefined ? null : tickets.find((x) => x.id === sourceId);
      if (sourceId !== undefined && !source) throw new Reply(422, { error: "RecordInvalid", description: "Record validation errors", details: { via_followup_source_id: [{ description: "Via followup source is invalid", error: "InvalidValue" }] } });
      const now = new Date().toISOString();
      const ticket = {
        id: nextTicket++, subject: t.subject, status: t.status || "new", priority: t.priority ?? null, type: t.type ?? null,
        tags: t.tags || [], custom_fields: t.custom_fields || [], external_id: t.external_id ?? null, requester_id: requesterId,
        comments: [{ ...t.comment, author_id: t.comment.author_id ?? requesterId }], created_at: now, updated_at: now,
        via_followup_source_id: sourceId ?? null, followup_ids: [],
      };
      tickets.push(ticket);
      if (source) source.followup_ids.push(ticket.id);
      const response = { status: 201, headers: { Location: `${fake.url}/api/v2/tickets/${ticket.id}.json`, "x-idempotency-lookup": "miss" }, body: { ticket: view(ticket), audit: { id: Date.now(), events: [] } } };
      if (idem) idempotency.set(idem, { body: r.body, response });
      return response;
    }
    if (key === "PUT /api/v2/tickets/{ticket_id}") {
      const ticket = tickets.find((t) => String(t.id) === r.op.params.ticket_id);
      if (!ticket) throw notFound();
      const t = r.json.ticket || {};
      if (ticket.status === "closed") throw new Reply(422, { error: "RecordInvalid", description: "Record validation errors", details: { status: [{ description: "Status: closed prevents ticket update", error: "ClosedTicket" }] } });
      if (t.comment) ticket.comments.push({ ...t.comment });
      for (const k of ["status", "priority", "tags", "custom_fields", "subject", "type"]) if (t[k] !== undefined) ticket[k] = t[k];
      ticket.updated_at = new Date().toISOString();
      return { status: 200, body: { ticket: view(ticket), audit: { id: Date.now(), events: t.comment ? [{ type: "Comment", public: t.comment.public }] : [] } } };
    }
    if (key === "GET /api/v2/search") {
      const q = r.query.query || "";
      const ext = /external_id:"?([^"\s]+)"?/.exec(q)?.[1];
      const results = tickets.filter((t) => ext === undefined || t.external_id === ext).map((t) => ({ ...view(t), result_type: "ticket" }));
      return { status: 200, body: { results, count: results.length, next_page: null, previous_page: null } };
    }
    throw new Reply(404, { error: "InvalidEndpoint", description: "Not implemented by the fake" });
  };

  const fake = await startFake({
    name: "zendesk", validate, respond,
    rateHeaders: () => ({ "X-Rate-Limit": "700", "X-Rate-Limit-Remaining": String(Math.max(0, --remaining)) }),
  });
  return Object.assign(fake, {
    users, tickets, email, token,
    /** Tickets whose external_id is `id`. */
    ticketsByExternalId: (id) => tickets.filter((t) => t.external_id === id),
    /** Mark a ticket solved/closed as an agent would (no webhook is sent: use `webhook`). */
    setStatus(id, status) { const t = tickets.find((x) => String(x.id) === String(id)); if (t) t.status = status; return t; },
    webhook: zendeskWebhooks,
  });
}

/** Build signed Zendesk webhook deliveries to post to Baton's `/v1/hooks/zendesk/{site}`. */
export const zendeskWebhooks = {
  /** `base64(HMAC-SHA256(secret, timestamp + body))`. */
  sign(secret, timestamp, body) { return createHmac("sha256", secret).update(timestamp + body).digest("base64"); },
  /** `{ headers, body }` for a payload, signed now (or at `timestamp`, an ISO string). */
  signed(secret, payload, { timestamp = new Date().toISOString().replace(/\.\d+Z$/, "Z"), webhookId = "01F1KRFQ6BG29CNWFR60NK5FNY" } = {}) {
    const body = typeof payload === "string" ? payload : JSON.stringify(payload);
    return {
      body,
      headers: {
        "Content-Type": "application/json",
        "x-zendesk-account-id": "123456",
        "x-zendesk-webhook-id": webhookId,
        "x-zendesk-webhook-invocation-id": String(Math.floor(Math.random() * 1e10)),
        "x-zendesk-webhook-signature-timestamp": timestamp,
        "x-zendesk-webhook-signature": zendeskWebhooks.sign(secret, timestamp, body),
      },
    };
  },
  /** Event-subscription payload: an agent's (or anyone's) comment. */
  commentAdded({ ticketId, externalId = null, body, authorName = "Ana Agent", isPublic = true, isStaff = true }) {
    return {
      type: "zen:event-type:ticket.comment_added", account_id: 123456, id: randomUUID(), time: new Date().toISOString(),
      zendesk_event_version: "2022-11-06", subject: `zen:ticket:${ticketId}`,
      detail: { id: String(ticketId), external_id: externalId, status: "OPEN" },
      event: { comment: { id: String(Date.now()), body, is_public: isPublic, author: { id: "7001", is_staff: isStaff, name: authorName } } },
    };
  },
  /** Event-subscription payload: a status change (`current`/`previous` upper-case, as Zendesk sends). */
  statusChanged({ ticketId, externalId = null, current = "SOLVED", previous = "OPEN" }) {
    return {
      type: "zen:event-type:ticket.status_changed", account_id: 123456, id: randomUUID(), time: new Date().toISOString(),
      zendesk_event_version: "2022-11-06", subject: `zen:ticket:${ticketId}`,
      detail: { id: String(ticketId), external_id: externalId, status: current },
      event: { current, previous },
    };
  },
};
