//! Page-aware context: what the customer was looking at and doing, read from the host page
//! under the site's switches, deny-list and PII masking, as the page object the edge stores.

use baton_shared::config::ContextCapture;
use js_sys::{Array, Function, Object};
use wasm_bindgen::prelude::*;

/// Longest text taken from any one attribute, label or error.
const MAX_TEXT: usize = 200;

#[wasm_bindgen(module = "/js/page.js")]
extern "C" {
    /// The DOM reading, in JS: one import instead of a web-sys import per DOM call.
    #[wasm_bindgen(js_name = readPage)]
    fn read_page(
        recorded: &JsValue,
        host: &JsValue,
        deny: &Array,
        flags: u32,
        clean: &Closure<dyn FnMut(String) -> String>,
    ) -> Object;
}

/// Reads the page under one site's capture settings.
pub struct Capture<'a> {
    /// The site's switches.
    pub settings: &'a ContextCapture,
    /// The shared PII masking, `mask(text) -> text` (the second module's); until it is here, a
    /// site that masks gets no page at all.
    pub mask: Option<&'a Function>,
}

impl Capture<'_> {
    /// Clip and, if the site asks, mask emails, cards and phone numbers (empty if the site asks
    /// and `mask` is not here: never the unmasked text).
    pub fn clean(&self, text: &str) -> String {
        clean(text, self.settings.mask_pii, self.mask)
    }

    /// Build the page object: `{url, title, referrer, route_history, form_step, recent_actions,
    /// js_errors, viewport, language, time_zone, context: {data-baton-* + host context}}`.
    /// `recorded` is the loader's `{routes, clicks: [{label, el}], errors}`; `host` what the
    /// page set with `Baton('setContext', …)`, which wins over what is read. `None` while the
    /// site masks PII and `mask` is not here.
    pub fn page(&self, recorded: &JsValue, host: &JsValue) -> Option<Object> {
        let s = self.settings;
        let mask_pii = s.mask_pii;
        let mask = if mask_pii {
            Some(self.mask?.clone())
        } else {
            None
        };
        // Bit by bit in `js/page.js`'s order.
        let flags = [
            s.page,
            s.route_history,
            s.attributes,
            s.form_step,
            s.clicks,
            s.js_errors,
            s.device,
        ]
        .iter()
        .rev()
        .fold(0, |bits, &on| bits << 1 | u32::from(on));
        let deny: Array = s
            .deny_selectors
            .iter()
            .map(|d| JsValue::from_str(d))
            .collect();
        let clean = Closure::<dyn FnMut(String) -> String>::new(move |text: String| {
            clean(&text, mask_pii, mask.as_ref())
        });
        // JS calls `clean` only while `read_page` runs; the closure is dropped after it.
        Some(read_page(recorded, host, &deny, flags, &clean))
    }
}

/// Runs of whitespace as one space, at most [`MAX_TEXT`] characters, then (if `mask_pii`) emails,
/// cards and phone numbers masked by `mask`; empty if `mask_pii` and `mask` is missing or fails.
fn clean(text: &str, mask_pii: bool, mask: Option<&Function>) -> String {
    let mut clipped = String::with_capacity(text.len().min(4 * MAX_TEXT));
    let mut room = MAX_TEXT;
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
    if !mask_pii {
        return clipped;
    }
    mask.and_then(|f| f.call1(&JsValue::NULL, &clipped.into()).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}
