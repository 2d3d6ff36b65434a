//! JS values to the widget's Rust types and back (mount options, site config, stored session,
//! live events, numbers) through `Reflect` and JS itself: no serde or float formatting in wasm.

use crate::strings::Words;
use crate::view::{author_name, status_name, AUTHORS, STATUSES};
use baton_shared::config::ContextCapture;
use baton_shared::wire::{EventBody, LiveEvent};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Options the loader passes to `mount`.
#[derive(Default)]
pub struct Options {
    /// Site id from `data-site`.
    pub site: String,
    /// Origin of the edge (`https://edge.example`).
    pub api: String,
}

/// A started conversation, kept in sessionStorage so it survives reloads in the tab.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    /// Conversation id.
    pub id: String,
    /// The customer's token for that conversation.
    pub token: String,
}

/// Public part of the site config (`GET /v1/sites/{site}/widget`); missing keys are defaults.
#[derive(Default)]
pub struct WidgetConfig {
    /// Panel title (empty: the locale's).
    pub title: String,
    /// First AI message of a new conversation (empty: none).
    pub greeting: String,
    /// `#rgb` or `#rrggbb` for the header.
    pub accent_color: String,
    /// The site's locale (empty: English).
    pub locale: String,
    /// Per-locale overrides of the widget's words: `{locale: {key: text}}`.
    pub strings: Vec<(String, Words)>,
    /// What page context may be read.
    pub context: ContextCapture,
}

/// A number in JS's own decimal form (`42`, `1700000000123`), without Rust's float formatting.
pub fn number_text(n: f64) -> String {
    js_sys::Number::from(n)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default()
}

/// `v[key]`, or `undefined` when `v` has no such key or is not an object.
pub fn get(v: &JsValue, key: &str) -> JsValue {
    if !v.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `v[key]` if it is a string.
fn string(v: &JsValue, key: &str) -> Option<String> {
    get(v, key).as_string()
}

/// `v[key]` if it is a whole number in `0..=max`.
fn whole(v: &JsValue, key: &str, max: f64) -> Option<f64> {
    let n = get(v, key).as_f64()?;
    (n >= 0.0 && n <= max && n.fract() == 0.0).then_some(n)
}

/// `v[key]` if it is a whole number that fits a `u32`.
fn small(v: &JsValue, key: &str) -> Option<u32> {
    whole(v, key, f64::from(u32::MAX)).map(|n| n as u32)
}

/// The own enumerable `[key, value]` pairs of `v`, if it is an object.
fn entries(v: &JsValue) -> impl Iterator<Item = (String, JsValue)> {
    let list = if v.is_object() {
        Object::entries(v.unchecked_ref())
    } else {
        Array::new()
    };
    list.into_iter().filter_map(|pair| {
        let pair: Array = pair.unchecked_into();
        Some((pair.get(0).as_string()?, pair.get(1)))
    })
}

/// Read `mount`'s options; `Err` names what is wrong.
pub fn options(v: &JsValue) -> Result<Options, &'static str> {
    if !v.is_object() {
        return Err("Baton: mount options must be an object");
    }
    let api = string(v, "api").ok_or("Baton: mount options need api (the edge's origin)")?;
    Ok(Options {
        site: string(v, "site").unwrap_or_default(),
        api,
    })
}

/// Read a stored or freshly created session: `{id, token}`, both strings.
pub fn session(v: &JsValue) -> Option<Session> {
    Some(Session {
        id: string(v, "id")?,
        token: string(v, "token")?,
    })
}

/// The session as stored: `{"id": …, "token": …}`.
pub fn session_value(s: &Session) -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &"id".into(), &s.id.as_str().into());
    let _ = Reflect::set(&o, &"token".into(), &s.token.as_str().into());
    o.into()
}

/// Read the public site config. Unknown keys are ignored (forward compatible) and anything
/// missing or mistyped keeps its default, so one odd value never costs the rest.
pub fn widget_config(v: &JsValue) -> WidgetConfig {
    let strings = entries(&get(v, "strings"))
        .map(|(locale, words)| {
            let words = entries(&words)
                .filter_map(|(k, text)| Some((k, text.as_string()?)))
                .collect();
            (locale, words)
        })
        .collect();
    WidgetConfig {
        title: string(v, "title").unwrap_or_default(),
        greeting: string(v, "greeting").unwrap_or_default(),
        accent_color: string(v, "accent_color").unwrap_or_default(),
        locale: string(v, "locale").unwrap_or_default(),
        strings,
        context: context_capture(&get(v, "context")),
    }
}

/// Read `widget.context`; every missing switch keeps [`ContextCapture::default`]'s value.
pub fn context_capture(v: &JsValue) -> ContextCapture {
    let d = ContextCapture::default();
    let flag = |k: &str, default: bool| get(v, k).as_bool().unwrap_or(default);
    let deny = get(v, "deny_selectors");
    let deny_selectors = if Array::is_array(&deny) {
        Array::from(&deny)
            .iter()
            .filter_map(|s| s.as_string())
            .collect()
    } else {
        d.deny_selectors
    };
    ContextCapture {
        page: flag("page", d.page),
        route_history: flag("route_history", d.route_history),
        attributes: flag("attributes", d.attributes),
        form_step: flag("form_step", d.form_step),
        clicks: flag("clicks", d.clicks),
        js_errors: flag("js_errors", d.js_errors),
        device: flag("device", d.device),
        deny_selectors,
        mask_pii: flag("mask_pii", d.mask_pii),
    }
}

/// Read one live event (`shared::wire::LiveEvent`'s flat JSON shape). `None` for anything this
/// widget does not understand (an unknown kind, author or status, or no `seq`): it is skipped.
pub fn live_event(v: &JsValue) -> Option<LiveEvent> {
    let seq = whole(v, "seq", MAX_SAFE_INTEGER)? as u64;
    // `at` is informational here; an event without it still applies.
    let at = get(v, "at").as_f64().unwrap_or(0.0);
    let body = match string(v, "kind")?.as_str() {
        "message" => {
            let author = string(v, "author")?;
            EventBody::Message {
                author: *AUTHORS.iter().find(|a| author_name(**a) == author)?,
                text: string(v, "text")?,
                name: string(v, "name"),
                client_id: string(v, "client_id"),
            }
        }
        "status" => {
            let status = string(v, "status")?;
            EventBody::Status {
                status: *STATUSES.iter().find(|s| status_name(**s) == status)?,
                topic: string(v, "topic"),
                queue: string(v, "queue"),
                agent: string(v, "agent"),
                position: small(v, "position"),
                wait_seconds: small(v, "wait_seconds"),
                ticket: string(v, "ticket"),
                expected_by: string(v, "expected_by"),
            }
        }
        _ => return None,
    };
    Some(LiveEvent { seq, at, body })
}
