// A fake OpenAI-compatible chat completions endpoint (`POST {base}/chat/completions`). Each
// request is checked against the documented contract: Bearer key, a JSON body with `model`,
// `messages` ({role: system|user|assistant|developer, content: string}), `temperature` in 0..2,
// `response_format` {type: text|json_object|json_schema}, and, in JSON mode, the word "json"
// somewhere in the messages (the real API answers 400 without it). Answers look like the API's:
// `{id, object: "chat.completion", created, model, choices: [{index, message: {role, content,
// refusal}, logprobs, finish_reason}], usage}`; errors are `{error: {message, type, param, code}}`.
import { randomBytes } from "node:crypto";
import { startFake, bearer, expectType, expectKeys, Reply } from "./core.mjs";

const BODY_KEYS = ["model", "messages", "temperature", "top_p", "max_tokens", "max_completion_tokens", "response_format",
  "stream", "stop", "n", "seed", "user", "presence_penalty", "frequency_penalty", "tools", "tool_choice", "logprobs", "store", "metadata"];
const ROLES = ["system", "developer", "user", "assistant"];

const apiError = (status, message, type = "invalid_request_error", code = null, param = null) =>
  new Reply(status, { error: { message, type, param, code } });

/**
 * Start the fake. Options: `key` (the API key it accepts), `model` (the one model it serves),
 * `base` (path prefix, default `/v1`), `answer(record)` → the message content for a request
 * (default: a confident JSON answer). `answerNext(...contents)` queues contents for the next
 * answers (objects are sent as JSON text, strings as they are), on top of `failNext`/`hangNext`.
 */
export async function startOpenAi({ key = "sk-test-" + randomBytes(12).toString("hex"), model = "baton-test-model", base = "/v1",
  answer = () => ({ answer: "Happy to help.", confidence: 0.9, intent: "general" }) } = {}) {
  const queued = [];
  const path = `${base}/chat/completions`;
  const validate = (r) => {
    const v = r.violations;
    if (r.method !== "POST" || r.path !== path) { v.push(`unexpected ${r.method} ${r.path} (want POST ${path})`); return; }
    if (bearer(r.headers) !== key) { v.push("Authorization must be Bearer <the API key>"); throw apiError(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"); }
    if (!/^application\/json/i.test(r.headers["content-type"] || "")) v.push("Content-Type must be application/json");
    const b = r.json;
    if (!b || typeof b !== "object") { v.push("body must be a JSON object"); return; }
    expectKeys(v, "body", b, BODY_KEYS);
    if (expectType(v, "body.model", b.model, "string", { required: true }) && b.model !== model) {
      v.push(`body.model is ${b.model}; this endpoint serves ${model}`);
      throw apiError(404, `The model \`${b.model}\` does not exist or you do not have access to it.`, "invalid_request_error", "model_not_found", "model");
    }
    if (expectType(v, "body.messages", b.messages, "array", { required: true })) {
      if (!b.messages.length) v.push("body.messages must not be empty");
      b.messages.forEach((m, i) => {
        if (!ROLES.includes(m?.role)) v.push(`body.messages[${i}].role must be one of ${ROLES.join(", ")}`);
        expectType(v, `body.messages[${i}].content`, m?.content, "string", { required: true });
      });
    }
    if (b.temperature !== undefined && expectType(v, "body.temperature", b.temperature, "number") && (b.temperature < 0 || b.temperature > 2)) v.push("body.temperature must be within 0..2");
    if (b.response_format !== undefined) {
      const t = b.response_format?.type;
      if (!["text", "json_object", "json_schema"].includes(t)) v.push("body.response_format.type must be text, json_object or json_schema");
      if (t === "json_object" && !(b.messages || []).some((m) => /json/i.test(String(m?.content)))) {
        v.push("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.");
      }
    }
    if (v.length) throw apiError(400, v.join("; "));
  };
  const respond = async (r) => {
    const next = queued.length ? queued.shift() : await answer(r);
    const content = typeof next === "string" ? next : JSON.stringify(next);
    return {
      status: 200,
      body: {
        id: "chatcmpl-" + randomBytes(8).toString("hex"), object: "chat.completion", created: Math.floor(Date.now() / 1000), model,
        choices: [{ index: 0, message: { role: "assistant", content, refusal: null }, logprobs: null, finish_reason: "stop" }],
        usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
      },
    };
  };
  const fake = await startFake({ name: "openai", validate, respond });
  const clear = fake.clearRequests;
  return Object.assign(fake, {
    key, model, baseUrl: fake.url + base,
    /** The next answers' message contents (objects become JSON text); `failNext`/`hangNext` come first. */
    answerNext(...contents) { queued.push(...contents); },
    /** The `messages` of every request that reached the model, oldest first. */
    conversations() { return fake.requests.filter((r) => r.json?.messages).map((r) => r.json.messages); },
    /** Also forgets queued answers. */
    clearRequests() { clear(); queued.length = 0; },
  });
}
