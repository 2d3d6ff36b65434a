// Fake Linear GraphQL API: every request is parsed, validated and executed against Linear's
// own schema (vendor-specs/linear/schema.graphql) with graphql-js, so an unknown field, a
// wrong argument or a badly typed variable is caught exactly as Linear's server would.
// Implements `issueCreate` (with client-supplied ids de-duplicated).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSchema, parse, validate as validateQuery, execute, GraphQLError } from "graphql";
import { startFake, bearer } from "./core.mjs";
import { SPECS } from "./openapi.mjs";

let schema;
const loadSchema = () => (schema ??= buildSchema(readFileSync(join(SPECS, "linear/schema.graphql"), "utf8"), { assumeValidSDL: true }));

/** Start a fake Linear. Options: `apiKey` (sent bare), `oauth` (Bearer), `teams` (team ids). */
export async function startLinear({ apiKey = "lin_api_test", oauth = null, teams = ["9cfb482a-81e3-4154-b5b9-2c805e70a02d"] } = {}) {
  const s = loadSchema();
  const issues = [];
  let seq = 1, remaining = 5000;
  const root = {
    issueCreate: ({ input }) => {
      if (!teams.includes(input.teamId)) throw new GraphQLError("Entity not found: Team", { extensions: { type: "invalid input", userError: true } });
      if (input.priority !== undefined && input.priority !== null && !(input.priority >= 0 && input.priority <= 4)) throw new GraphQLError("priority must be 0-4", { extensions: { type: "invalid input", userError: true } });
      if (input.id && issues.some((i) => i.id === input.id)) throw new GraphQLError("Entity already exists", { extensions: { type: "invalid input", code: "CONFLICT", userError: true } });
      const n = seq++;
      const issue = { ...input, id: input.id || crypto.randomUUID(), identifier: `ENG-${n}`, number: n, url: `https://linear.app/baton/issue/ENG-${n}` };
      issues.push(issue);
      return { success: true, lastSyncId: n, issue };
    },
  };
  const validate = (r) => {
    const auth = r.headers.authorization || "";
    if (!(auth === apiKey || (oauth && bearer(r.headers) === oauth))) r.violations.push("Authorization must be the bare API key (lin_api_…) or Bearer <oauth token>");
    if (r.method !== "POST" || r.path !== "/graphql") { r.violations.push(`only POST /graphql exists, got ${r.method} ${r.path}`); return; }
    if (!r.json || typeof r.json.query !== "string") { r.violations.push("body must be JSON {query, variables}"); return; }
    try { r.document = parse(r.json.query); } catch (e) { r.violations.push(`query does not parse: ${e.message}`); return; }
    const errors = validateQuery(s, r.document);
    for (const e of errors) r.violations.push(`query invalid against Linear's schema: ${e.message}`);
    r.valid = !errors.length;
  };
  const respond = async (r) => {
    if (r.violations.some((v) => v.startsWith("Authorization"))) return { status: 400, body: { errors: [{ message: "Authentication required, not authenticated", extensions: { type: "authentication error", code: "AUTHENTICATION_ERROR" } }], data: null } };
    if (!r.document || !r.valid) return { status: 400, body: { errors: r.violations.map((message) => ({ message, extensions: { type: "graphql error", code: "GRAPHQL_VALIDATION_FAILED" } })), data: null } };
    const result = await execute({ schema: s, document: r.document, rootValue: root, variableValues: r.json.variables || {}, operationName: r.json.operationName });
    // Variable coercion errors (a wrong input type) have no path; resolver errors do.
    for (const e of result.errors || []) if (!e.path) r.violations.push(`variables invalid: ${e.message}`);
    return { status: 200, body: JSON.parse(JSON.stringify(result)) };
  };
  const fake = await startFake({
    name: "linear", validate, respond,
    rateHeaders: () => ({ "X-RateLimit-Requests-Limit": "5000", "X-RateLimit-Requests-Remaining": String(Math.max(0, --remaining)), "X-RateLimit-Requests-Reset": String(Date.now() + 3_600_000) }),
  });
  return Object.assign(fake, { issues, apiKey });
}
