//! Page-aware context: what the customer was looking at and doing, read from the host page
//! under the site's switches, deny-list and PII masking, as the page object the edge stores.

use baton_shared::config::ContextCapture;
use baton_shared::redact::{redact, Redact};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element};

/// Longest text taken from any one attribute, label or error.
const MAX_TEXT: usize = 200;
/// Most `data-baton-*` attributes and meta tags read from one page.
const MAX_KEYS: usize = 30;
/// Most elements scanned for `data-baton-*` attributes (keeps huge pages cheap).
const MAX_SCAN: u32 = 5000;

/// What the loader recorded from page load on: routes, clicks (label + element), errors.
pub struct Recorded {
    /// URLs visited in this tab's page life, oldest first.
    pub routes: Vec<String>,
    /// (label, element) of the last clicks on buttons and links.
    pub clicks: Vec<(String, Option<Element>)>,
    /// Messages of uncaught errors.
    pub errors: Vec<String>,
}

impl Recorded {
    /// Read the loader's `recorded` object; anything missing is empty.
    pub fn from_js(v: &JsValue) -> Self {
        let list = |k: &str| -> Array {
            Reflect::get(v, &JsValue::from_str(k))
                .ok()
                .and_then(|a| a.dyn_into::<Array>().ok())
                .unwrap_or_default()
        };
        let routes = list("routes")
            .iter()
            .filter_map(|r| r.as_string())
            .collect();
        let clicks = list("clicks")
            .iter()
            .filter_map(|c| {
                let label = Reflect::get(&c, &"label".into()).ok()?.as_string()?;
                let el = Reflect::get(&c, &"el".into())
                    .ok()
                    .and_then(|e| e.dyn_into::<Element>().ok());
                Some((label, el))
            })
            .collect();
        let errors = list("errors")
            .iter()
            .filter_map(|e| e.as_string())
            .collect();
        Self {
            routes,
            clicks,
            errors,
        }
    }
}

/// Reads the page under one site's capture settings.
pub struct Capture<'a> {
    /// The site's switches.
    pub settings: &'a ContextCapture,
}

impl Capture<'_> {
    /// Clip and, if the site asks, mask emails, cards and phone numbers.
    pub fn clean(&self, text: &str) -> String {
        let mut clipped = String::with_capacity(text.len().min(4 * MAX_TEXT));
        let mut room = MAX_TEXT;
        // Runs of whitespace become one space; then at most MAX_TEXT characters.
        for word in text.split_whitespace() {
            if room == 0 {
                break;
            }
            if !clipped.is_empty() {
                clipped.push(' ');
                room -= 1;
            }
            for c in word.chars().take(room) {
                clipped.push(c);
                room -= 1;
            }
        }
        if self.settings.mask_pii {
            redact(&clipped, Redact::default())
        } else {
            clipped
        }
    }

    /// A URL, clipped, with any email, card or phone number in it masked.
    fn url(&self, url: &str) -> String {
        self.clean(url)
    }

    /// Is this element (or one of its ancestors) on the site's deny-list?
    pub fn denied(&self, el: &Element) -> bool {
        self.settings
            .deny_selectors
            .iter()
            .any(|sel| el.closest(sel).ok().flatten().is_some())
    }

    /// Build the page object: `{url, title, referrer, route_history, form_step, recent_actions,
    /// js_errors, viewport, language, time_zone, context: {host context + data-baton-*}}`.
    pub fn page(&self, doc: &Document, recorded: &Recorded, host: &JsValue) -> Object {
        let s = self.settings;
        let page = Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = Reflect::set(&page, &JsValue::from_str(k), &v);
        };
        if s.page {
            if let Some(w) = web_sys::window() {
                if let Ok(href) = w.location().href() {
                    set("url", self.url(&href).into());
                }
            }
            set("title", self.clean(&doc.title()).into());
            let referrer = doc.referrer();
            if !referrer.is_empty() {
                set("referrer", self.url(&referrer).into());
            }
        }
        if s.route_history && recorded.routes.len() > 1 {
            let routes: Array = recorded
                .routes
                .iter()
                .map(|r| JsValue::from(self.url(r)))
                .collect();
            set("route_history", routes.into());
        }
        if s.form_step {
            if let Some(step) = self.form_step(doc) {
                set("form_step", step.into());
            }
        }
        if s.clicks {
            let clicks: Array = recorded
                .clicks
                .iter()
                .filter(|(_, el)| !el.as_ref().is_some_and(|e| self.denied(e)))
                .map(|(label, _)| JsValue::from(["clicked ", &self.clean(label)].concat()))
                .collect();
            if clicks.length() > 0 {
                set("recent_actions", clicks.into());
            }
        }
        if s.js_errors && !recorded.errors.is_empty() {
            let errors: Array = recorded
                .errors
                .iter()
                .map(|e| JsValue::from(self.clean(e)))
                .collect();
            set("js_errors", errors.into());
        }
        if s.device {
            if let Some(w) = web_sys::window() {
                let vp = Object::new();
                let dim =
                    |v: Result<JsValue, JsValue>| v.ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
                let _ = Reflect::set(&vp, &"width".into(), &dim(w.inner_width()).into());
                let _ = Reflect::set(&vp, &"height".into(), &dim(w.inner_height()).into());
                set("viewport", vp.into());
                if let Some(lang) = w.navigator().language() {
                    set("language", lang.into());
                }
            }
            let tz =
                js_sys::Intl::DateTimeFormat::new(&Array::new(), &Object::new()).resolved_options();
            if let Some(zone) = Reflect::get(&tz, &"timeZone".into())
                .ok()
                .and_then(|z| z.as_string())
            {
                set("time_zone", zone.into());
            }
        }
        let context = Object::new();
        if s.attributes {
            self.attributes(doc, &context);
        }
        // What the host page passes with `Baton('setContext', …)` wins over what we read.
        if host.is_object() {
            for entry in Object::entries(host.unchecked_ref()).iter() {
                let pair: Array = entry.unchecked_into();
                let v = pair.get(1);
                let v = match v.as_string() {
                    Some(text) => JsValue::from(self.clean(&text)),
                    None => v,
                };
                let _ = Reflect::set(&context, &pair.get(0), &v);
            }
        }
        if Object::keys(&context).length() > 0 {
            set("context", context.into());
        }
        page
    }

    /// The active step of a form or flow: `aria-current="step"`, by its label or text.
    fn form_step(&self, doc: &Document) -> Option<String> {
        let el = doc
            .query_selector("[aria-current=\"step\"]")
            .ok()
            .flatten()?;
        if self.denied(&el) {
            return None;
        }
        let label = el
            .get_attribute("aria-label")
            .or_else(|| el.text_content())
            .unwrap_or_default();
        let label = self.clean(&label);
        (!label.is_empty()).then_some(label)
    }

    /// `<meta name="baton:product-area" content="billing">` and `data-baton-plan="pro"` into
    /// `{product_area: "billing", plan: "pro"}`; deeper elements win over outer ones.
    fn attributes(&self, doc: &Document, out: &Object) {
        let mut count = 0;
        let mut put = |name: &str, value: &str| {
            if count >= MAX_KEYS || name.is_empty() {
                return;
            }
            count += 1;
            let key = name.replace('-', "_");
            let _ = Reflect::set(out, &JsValue::from_str(&key), &self.clean(value).into());
        };
        if let Ok(metas) = doc.query_selector_all("meta[name^=\"baton:\"]") {
            for i in 0..metas.length() {
                let Some(m) = metas.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                    continue;
                };
                let name = m.get_attribute("name").unwrap_or_default();
                let content = m.get_attribute("content").unwrap_or_default();
                let mut key = name.as_str();
                while let Some(rest) = key.strip_prefix("baton:") {
                    key = rest;
                }
                put(key, &content);
            }
        }
        let mut scan = |el: &Element| {
            if el.has_attribute("data-baton") || self.denied(el) {
                return;
            }
            let names = el.get_attribute_names();
            for name in names.iter().filter_map(|n| n.as_string()) {
                if let Some(key) = name.strip_prefix("data-baton-") {
                    // `data-baton-action` marks what a button does: it is a click label, not state.
                    if key != "action" {
                        put(key, &el.get_attribute(&name).unwrap_or_default());
                    }
                }
            }
        };
        if let Some(html) = doc.document_element() {
            scan(&html);
        }
        if let Ok(all) = doc.query_selector_all("body, body *") {
            for i in 0..all.length().min(MAX_SCAN) {
                if let Some(el) = all.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                    scan(&el);
                }
            }
        }
    }
}
