// The widget's JSON calls to the edge (bundled into its glue): one import for what would be a
// dozen web-sys ones (Request, Headers, Response…).

/**
 * `fetch` a JSON API; `body` (if not undefined) is sent as JSON. A non-2xx answer rejects with
 * `"HTTP <status>"`, a network failure with fetch's error.
 */
export async function fetchJson(method, url, body) {
  const init = { method };
  if (body !== undefined) {
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  if (!response.ok) throw "HTTP " + response.status;
  return response.json();
}
