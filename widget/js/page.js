// Page reading for the widget (bundled into its glue): what the customer was looking at and
// doing, under the site's switches and deny-list. Rust passes `clean` (clipping, PII masking).
// Plain DOM reads in JS cost the wasm far less than one web-sys import per DOM call.

/** Bits of `flags` in `readPage`, in `ContextCapture`'s order (see `widget/src/context.rs`). */
const PAGE = 1, ROUTES = 2, ATTRIBUTES = 4, FORM_STEP = 8, CLICKS = 16, ERRORS = 32, DEVICE = 64;
/** Most `data-baton-*` attributes and meta tags read from one page. */
const MAX_KEYS = 30;
/** Most elements scanned for `data-baton-*` attributes (keeps huge pages cheap). */
const MAX_SCAN = 5000;

const isObject = (v) => typeof v == "object" && v !== null;

/**
 * The page object: `{url, title, referrer, route_history, form_step, recent_actions,
 * js_errors, viewport, language, time_zone, context: {data-baton-* + host context}}`.
 * `recorded`: the loader's `{routes, clicks: [{label, el}], errors}`; `host`: what the page set
 * with `Baton('setContext', …)` (wins over what is read); `deny`: selectors never read.
 */
export function readPage(recorded, host, deny, flags, clean) {
  const page = {};
  // An invalid selector denies nothing, as in `Element.closest` throwing.
  const denied = (el) => deny.some((s) => { try { return el.closest(s) != null; } catch (e) { return false; } });
  const list = (k) => {
    const v = isObject(recorded) ? recorded[k] : undefined;
    return Array.isArray(v) ? v : [];
  };
  const strings = (k) => list(k).filter((s) => typeof s == "string");
  if (flags & PAGE) {
    page.url = clean(location.href);
    page.title = clean(document.title);
    if (document.referrer) page.referrer = clean(document.referrer);
  }
  const routes = strings("routes");
  if (flags & ROUTES && routes.length > 1) page.route_history = routes.map(clean);
  if (flags & FORM_STEP) {
    const el = document.querySelector('[aria-current="step"]');
    if (el && !denied(el)) {
      const label = clean(el.getAttribute("aria-label") ?? el.textContent ?? "");
      if (label) page.form_step = label;
    }
  }
  if (flags & CLICKS) {
    const clicks = list("clicks")
      .filter((c) => isObject(c) && typeof c.label == "string" && !(c.el instanceof Element && denied(c.el)))
      .map((c) => "clicked " + clean(c.label));
    if (clicks.length) page.recent_actions = clicks;
  }
  const errors = strings("errors");
  if (flags & ERRORS && errors.length) page.js_errors = errors.map(clean);
  if (flags & DEVICE) {
    page.viewport = { width: +innerWidth || 0, height: +innerHeight || 0 };
    if (typeof navigator.language == "string") page.language = navigator.language;
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (typeof zone == "string") page.time_zone = zone;
  }
  const context = {};
  if (flags & ATTRIBUTES) attributes(context, denied, clean);
  if (isObject(host)) {
    for (const [k, v] of Object.entries(host)) context[k] = typeof v == "string" ? clean(v) : v;
  }
  if (Object.keys(context).length) page.context = context;
  return page;
}

/**
 * `<meta name="baton:product-area" content="billing">` and `data-baton-plan="pro"` into
 * `{product_area: "billing", plan: "pro"}`; deeper elements win over outer ones.
 */
function attributes(out, denied, clean) {
  let count = 0;
  const put = (name, value) => {
    if (count >= MAX_KEYS || !name) return;
    count++;
    out[name.replaceAll("-", "_")] = clean(value);
  };
  for (const m of document.querySelectorAll('meta[name^="baton:"]')) {
    let key = m.getAttribute("name") ?? "";
    while (key.startsWith("baton:")) key = key.slice(6);
    put(key, m.getAttribute("content") ?? "");
  }
  const scan = (el) => {
    if (el.hasAttribute("data-baton") || denied(el)) return;
    for (const name of el.getAttributeNames()) {
      // `data-baton-action` marks what a button does: it is a click label, not state.
      if (name.startsWith("data-baton-") && name != "data-baton-action") {
        put(name.slice(11), el.getAttribute(name) ?? "");
      }
    }
  };
  if (document.documentElement) scan(document.documentElement);
  const all = document.querySelectorAll("body, body *");
  for (let i = 0; i < Math.min(all.length, MAX_SCAN); i++) scan(all[i]);
}
