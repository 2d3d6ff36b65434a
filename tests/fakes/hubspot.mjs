// Fake HubSpot CRM v3. HubSpot's own OpenAPI files are not licensed for reuse, so requests are
// checked against the documented contract in shared/reference/helpdesk-apis.md (§5): Bearer
// auth, contact search with filterGroups (EQ on email, ≤5 groups, ≤25 filters), notes with
// `hs_timestamp` and `hs_note_body` associated to an existing contact with type 202.
import { startFake, bearer, expectType, expectKeys, Reply } from "./core.mjs";

const OPERATORS = ["EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"];

/** Start a fake HubSpot. Options: `token` (private app token). Seed contacts with `addContact`. */
export async function startHubspot({ token = "pat-test-token" } = {}) {
  const contacts = [];
  const notes = [];
  let nextContact = 51, nextNote = 9001, remaining = 100;
  const error = (status, category, message) => new Reply(status, { status: "error", message, correlationId: crypto.randomUUID(), category });

  const validate = (r) => {
    if (bearer(r.headers) !== token) r.violations.push("Authorization must be 'Bearer <private app token>'");
    const b = r.json;
    if (r.method === "POST" && r.path === "/crm/v3/objects/contacts/search") {
      r.op = "search";
      expectKeys(r.violations, "body", b, ["filterGroups", "properties", "limit", "after", "sorts", "query"]);
      if (!expectType(r.violations, "body.filterGroups", b?.filterGroups, "array", { required: true })) return;
      if (b.filterGroups.length > 5) r.violations.push("more than 5 filterGroups");
      let total = 0;
      b.filterGroups.forEach((g, i) => {
        if (!expectType(r.violations, `filterGroups[${i}].filters`, g.filters, "array", { required: true })) return;
        if (g.filters.length > 10) r.violations.push(`filterGroups[${i}] has more than 10 filters`);
        total += g.filters.length;
        g.filters.forEach((f, j) => {
          expectKeys(r.violations, `filterGroups[${i}].filters[${j}]`, f, ["propertyName", "operator", "value", "values", "highValue"]);
          expectType(r.violations, `filters[${j}].propertyName`, f.propertyName, "string", { required: true });
          if (!OPERATORS.includes(f.operator)) r.violations.push(`operator '${f.operator}' is not a search operator`);
        });
      });
      if (total > 25) r.violations.push("more than 25 filters in total");
      if (b.limit !== undefined && !(Number.isInteger(b.limit) && b.limit >= 1 && b.limit <= 200)) r.violations.push("limit must be 1-200");
    } else if (r.method === "POST" && r.path === "/crm/v3/objects/notes") {
      r.op = "note";
      expectKeys(r.violations, "body", b, ["properties", "associations"]);
      const p = b?.properties || {};
      if (!expectType(r.violations, "properties.hs_timestamp", p.hs_timestamp, "string", { required: true }) && typeof p.hs_timestamp !== "number") {}
      else if (typeof p.hs_timestamp === "string" && Number.isNaN(Date.parse(p.hs_timestamp))) r.violations.push("hs_timestamp is not ISO-8601");
      if (expectType(r.violations, "properties.hs_note_body", p.hs_note_body, "string", { required: true }) && p.hs_note_body.length > 65536) r.violations.push("hs_note_body longer than 65,536 characters");
      for (const [i, a] of (b?.associations || []).entries()) {
        if (typeof a?.to?.id !== "string" && typeof a?.to?.id !== "number") r.violations.push(`associations[${i}].to.id missing`);
        for (const t of a?.types || []) if (t.associationCategory !== "HUBSPOT_DEFINED" || t.associationTypeId !== 202) r.violations.push(`associations[${i}] type must be HUBSPOT_DEFINED 202 (note → contact)`);
      }
      if (!b?.associations?.length) r.violations.push("a note must be associated with the contact");
    } else r.violations.push(`no documented operation ${r.method} ${r.path}`);
  };
  const respond = (r) => {
    if (bearer(r.headers) !== token) throw error(401, "INVALID_AUTHENTICATION", "Authentication credentials not found.");
    if (!r.op) throw error(404, "OBJECT_NOT_FOUND", "Not found");
    if (r.violations.length) throw error(400, "VALIDATION_ERROR", r.violations.join("; "));
    const b = r.json;
    const now = new Date().toISOString();
    if (r.op === "search") {
      const matches = contacts.filter((c) => b.filterGroups.some((g) => g.filters.every((f) => f.operator === "EQ" && String(c.properties[f.propertyName] ?? "").toLowerCase() === String(f.value).toLowerCase())));
      const results = matches.slice(0, b.limit ?? 10);
      return { status: 200, body: { total: matches.length, results } };
    }
    for (const a of b.associations) if (!contacts.some((c) => c.id === String(a.to.id))) throw error(400, "VALIDATION_ERROR", `Contact ${a.to.id} does not exist`);
    const note = { id: String(nextNote++), properties: { ...b.properties, hs_object_id: String(nextNote - 1) }, associations: b.associations, createdAt: now, updatedAt: now, archived: false };
    notes.push(note);
    const { associations, ...view } = note;
    return { status: 201, body: view };
  };
  const fake = await startFake({
    name: "hubspot", validate, respond,
    rateHeaders: () => ({ "X-HubSpot-RateLimit-Max": "100", "X-HubSpot-RateLimit-Remaining": String(Math.max(0, --remaining)), "X-HubSpot-RateLimit-Interval-Milliseconds": "10000" }),
  });
  return Object.assign(fake, {
    contacts, notes, token,
    addContact({ email, firstname = "", lastname = "" }) {
      const id = String(nextContact++);
      const c = { id, properties: { email, firstname, lastname, hs_object_id: id }, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), archived: false };
      contacts.push(c);
      return c;
    },
    notesFor: (contactId) => notes.filter((n) => n.associations.some((a) => String(a.to.id) === String(contactId))),
  });
}
