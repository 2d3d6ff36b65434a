// Request validation against a vendor's own OpenAPI 3.0 description: the operation must exist
// (path template + method), required path/query/header parameters must be present and match
// their schemas, and the JSON body must match the request-body schema (ajv). On top of the
// schema, properties the description does not list and readOnly properties are flagged: the
// vendor's schemas are permissive, and a misspelt field is silently dropped by the real API.
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import Ajv from "ajv";
import addFormats from "ajv-formats";

export const SPECS = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "shared", "reference", "vendor-specs");

const cache = new Map();

/** Load and prepare a spec (cached). `file` is relative to shared/reference/vendor-specs. */
export function openApi(file, { stripJsonSuffix = false } = {}) {
  if (cache.has(file)) return cache.get(file);
  const doc = YAML.parse(readFileSync(join(SPECS, file), "utf8"));
  fixNullable(doc);
  const opts = { strict: false, allErrors: true, logger: false, validateSchema: false };
  const ajv = new Ajv(opts);
  // Only formats the vendors use correctly (Intercom marks 24-hex ids as "uuid", for example).
  addFormats(ajv, ["date-time", "email", "uri"]);
  ajv.addSchema(doc, "spec");
  const coercing = new Ajv({ ...opts, coerceTypes: true });
  coercing.addSchema(doc, "spec");
  const operations = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    const names = [];
    const pattern = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{([^}]+)\\?\}|\{([^}]+)\}/g, (_, a, b) => { names.push(a || b); return "([^/]+)"; });
    const regex = new RegExp(`^${pattern}$`);
    for (const [method, op] of Object.entries(item)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      operations.push({ template, method: method.toUpperCase(), op, regex, names, literal: template.replace(/\{[^}]+\}/g, "").length, pointer: `/paths/${template.replace(/~/g, "~0").replace(/\//g, "~1").replace(/\{/g, "%7B").replace(/\}/g, "%7D")}/${method}` });
    }
  }
  // Literal paths win over templates (`/contacts/search` before `/contacts/{id}`).
  operations.sort((a, b) => b.literal - a.literal);
  const spec = { doc, ajv, coercing, operations, stripJsonSuffix, validators: new Map() };
  cache.set(file, spec);
  return spec;
}

/** OpenAPI 3.0 allows `nullable` beside `oneOf` without `type`; JSON Schema (ajv) does not. */
function fixNullable(node) {
  if (Array.isArray(node)) { node.forEach(fixNullable); return; }
  if (!node || typeof node !== "object") return;
  for (const v of Object.values(node)) fixNullable(v);
  if (node.nullable === true && node.type === undefined && !node.$ref) {
    const rest = { ...node };
    delete rest.nullable;
    for (const k of Object.keys(node)) delete node[k];
    node.anyOf = [rest, { type: "null" }];
  }
}

function resolve(doc, node) {
  let n = node;
  for (let i = 0; n && n.$ref && i < 20; i++) {
    n = n.$ref.slice(2).split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~")).reduce((o, k) => o?.[k], doc);
  }
  return n;
}

function compile(spec, key, pointer, coercing = false) {
  const id = `${coercing ? "c" : "v"}:${key}`;
  if (!spec.validators.has(id)) spec.validators.set(id, (coercing ? spec.coercing : spec.ajv).compile({ $ref: `spec#${pointer}` }));
  return spec.validators.get(id);
}

function fmt(errors) {
  return (errors || []).map((e) => `${e.instancePath || "(body)"} ${e.message}${e.params?.allowedValues ? ` (${e.params.allowedValues.join(", ")})` : ""}${e.params?.additionalProperty ? ` '${e.params.additionalProperty}'` : ""}`);
}

/** Properties the schema does not list, and readOnly ones, at every object level we can follow. */
function extraKeys(doc, schema, value, where, out, depth = 0) {
  schema = resolve(doc, schema);
  if (!schema || depth > 12 || value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((v, i) => extraKeys(doc, schema.items, v, `${where}[${i}]`, out, depth + 1));
    return;
  }
  if (schema.oneOf || schema.anyOf) return; // ajv decides which branch applies
  const parts = [schema, ...(schema.allOf || []).map((s) => resolve(doc, s))];
  const props = Object.assign({}, ...parts.map((p) => p?.properties || {}));
  const open = parts.some((p) => p?.additionalProperties !== undefined && p.additionalProperties !== false);
  if (!Object.keys(props).length) return;
  for (const [k, v] of Object.entries(value)) {
    const ps = resolve(doc, props[k]);
    if (!ps) { if (!open) out.push(`${where}.${k} is not in the vendor's schema`); continue; }
    if (ps.readOnly) out.push(`${where}.${k} is readOnly in the vendor's schema`);
    extraKeys(doc, ps, v, `${where}.${k}`, out, depth + 1);
  }
}

/**
 * Validate a recorded request. Returns `{ operation, params }` (params from the path) or
 * `{ operation: null }`; pushes every problem onto `record.violations`.
 */
export function validateOpenApi(spec, record) {
  let path = record.path;
  if (spec.stripJsonSuffix) path = path.replace(/\.json$/, "");
  const candidates = spec.operations.filter((o) => o.regex.test(path));
  const operation = candidates.find((o) => o.method === record.method);
  if (!operation) {
    record.violations.push(candidates.length ? `method ${record.method} not allowed on ${path}` : `no operation ${record.method} ${path} in the vendor's API description`);
    return { operation: null, params: {} };
  }
  const match = operation.regex.exec(path);
  const params = Object.fromEntries(operation.names.map((n, i) => [n, decodeURIComponent(match[i + 1])]));
  const declared = [...(spec.doc.paths[operation.template].parameters || []), ...(operation.op.parameters || [])];
  declared.forEach((p, i) => {
    p = resolve(spec.doc, p);
    const source = p.in === "path" ? params : p.in === "query" ? record.query : p.in === "header" ? record.headers : null;
    if (!source) return;
    const value = source[p.in === "header" ? p.name.toLowerCase() : p.name];
    if (value === undefined) {
      if (p.required) record.violations.push(`${p.in} parameter '${p.name}' is required`);
      return;
    }
    if (!p.schema) return;
    const holder = { value };
    if (!spec.coercing.validate({ type: "object", properties: { value: resolve(spec.doc, p.schema) } }, holder)) {
      record.violations.push(`${p.in} parameter '${p.name}'=${JSON.stringify(value)}: ${fmt(spec.coercing.errors).join("; ")}`);
    }
  });
  const rb = resolve(spec.doc, operation.op.requestBody);
  if (rb) {
    const types = Object.keys(rb.content || {});
    const ct = (record.headers["content-type"] || "").split(";")[0].trim().toLowerCase();
    if (!record.body.length) {
      if (rb.required || record.method !== "GET") record.violations.push("request body is missing");
    } else if (!types.includes(ct)) {
      record.violations.push(`content-type '${ct}' not accepted (${types.join(", ")})`);
    } else if (ct === "application/json" && record.json !== undefined) {
      const pointer = `${operation.pointer}/requestBody/content/application~1json/schema`;
      const schema = rb.content["application/json"].schema;
      const validate = operation.op.requestBody.$ref
        ? compile(spec, operation.op.requestBody.$ref, `${operation.op.requestBody.$ref.slice(1)}/content/application~1json/schema`)
        : compile(spec, pointer, pointer);
      if (!validate(record.json)) record.violations.push(...fmt(validate.errors).map((m) => `body ${m}`));
      extraKeys(spec.doc, schema, record.json, "body", record.violations);
    }
  } else if (record.body.length && record.method === "GET") {
    record.violations.push("GET with a body");
  }
  return { operation, params };
}
