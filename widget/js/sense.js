// Fetches the widget's second wasm module (`widget/sense`: hard triggers, PII masking) from
// next to this glue, once; after a failed fetch the next call tries again.

let loading;

/** The module (`{fires, mask}`), ready to call. */
export function loadSense() {
  // A computed specifier: esbuild leaves it for the browser instead of bundling the module in.
  loading ||= import(new URL("baton_sense.js", import.meta.url).href)
    .then((m) => m.default().then(() => m))
    .catch((e) => {
      loading = null;
      throw e;
    });
  return loading;
}
