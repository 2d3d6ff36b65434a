//! The widget's one owner of state: the conversation session, the live socket and the outbox.
//! DOM and socket callbacks only call into here; here decides and re-renders through `view`.

use crate::context::Capture;
use crate::sense::Sense;
use crate::strings::Strings;
use crate::view::{self, View};
use crate::wire_js::{self, Options, Session, WidgetConfig};
use baton_shared::config::ContextCapture;
use baton_shared::conversation::Status;
use baton_shared::wire::{Author, EventBody, LiveEvent};
use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{HtmlElement, MessageEvent, ShadowRoot, WebSocket};

/// How long page changes settle before the widget sends the new context (ms).
const CONTEXT_SETTLE_MS: u32 = 1200;
/// How long the typing indicator waits for the AI before giving up (ms).
const TYPING_MS: u32 = 20_000;

/// Shared handle to the app.
pub type AppRef = Rc<RefCell<App>>;

/// Everything the widget knows.
pub struct App {
    options: Options,
    emit: Option<js_sys::Function>,
    user: JsValue,
    context: JsValue,
    /// What the loader recorded since page load (routes, clicks, errors).
    recorded: JsValue,
    root: ShadowRoot,
    view: View,
    strings: Strings,
    capture: ContextCapture,
    /// The second wasm module (hard triggers, PII masking), once fetched.
    sense: Option<Sense>,
    sense_loading: bool,
    /// Customer messages sent in AI mode before `sense` arrived, to judge when it does.
    unjudged: Vec<String>,
    /// The page context last sent to the edge, as JSON, so unchanged captures are not resent.
    sent_context: String,
    context_timer: Option<Timeout>,
    typing_timer: Option<Timeout>,
    /// The conversation was handed to a person at some point (CSAT is for those).
    handed_off: bool,
    hook: Option<Closure<dyn FnMut()>>,
    session: Option<Session>,
    starting: bool,
    last_seq: u64,
    status: Status,
    agent: Option<String>,
    socket: Option<(WebSocket, Vec<EventListener>)>,
    reconnect: Option<Timeout>,
    attempts: u32,
    /// Sent but not yet echoed by the edge: (client id, text, element).
    outbox: Vec<(String, String, HtmlElement)>,
    next_client_id: u32,
    listeners: Vec<EventListener>,
    destroyed: bool,
}

impl App {
    /// A new app around an already-built view.
    pub fn new(
        options: Options,
        emit: Option<js_sys::Function>,
        user: JsValue,
        context: JsValue,
        recorded: JsValue,
        root: ShadowRoot,
    ) -> Self {
        let strings = Strings::choose(&browser_languages(), "en", &[]);
        let view = view::build(&root, crate::CSS, &strings);
        Self {
            options,
            emit,
            user,
            context,
            recorded,
            root,
            view,
            strings,
            capture: ContextCapture::default(),
            sense: None,
            sense_loading: false,
            unjudged: Vec::new(),
            sent_context: String::new(),
            context_timer: None,
            typing_timer: None,
            handed_off: false,
            hook: None,
            session: None,
            starting: false,
            last_seq: 0,
            status: Status::AiMode,
            agent: None,
            socket: None,
            reconnect: None,
            attempts: 0,
            outbox: Vec::new(),
            next_client_id: 0,
            listeners: Vec::new(),
            destroyed: false,
        }
    }

    fn emit(&self, name: &str, detail: JsValue) {
        if let Some(f) = &self.emit {
            let _ = f.call2(&JsValue::NULL, &JsValue::from_str(name), &detail);
        }
    }

    fn storage_key(&self) -> String {
        ["baton:", &self.options.site].concat()
    }

    /// Set identity (from `Baton('identify', …)`).
    pub fn set_user(&mut self, user: JsValue) {
        self.user = user;
    }

    /// Set host-page context (from `Baton('setContext', …)`).
    pub fn set_context(&mut self, context: JsValue) {
        self.context = context;
    }

    /// The page context as the site's switches allow, right now; `None` while the site masks
    /// PII and the second module (which masks) is not here yet.
    fn page_context(&self) -> Option<js_sys::Object> {
        let capture = Capture {
            settings: &self.capture,
            mask: self.sense.as_ref().map(|s| &s.mask),
        };
        capture.page(&self.recorded, &self.context)
    }

    /// Show the panel and focus the composer.
    pub fn open(&self) {
        self.view.panel.set_hidden(false);
        let _ = self.root.host().set_attribute("data-open", "");
        let _ = self.view.input.focus();
    }

    /// Hide the panel and give focus back to the launcher.
    pub fn close(&self) {
        self.view.panel.set_hidden(true);
        let _ = self.root.host().remove_attribute("data-open");
        if let Ok(Some(launcher)) = self.root.query_selector(".launcher") {
            if let Some(l) = launcher.dyn_ref::<HtmlElement>() {
                let _ = l.focus();
            }
        }
    }

    /// Drop listeners, timers and the socket.
    pub fn destroy(&mut self) {
        self.destroyed = true;
        self.listeners.clear();
        self.reconnect = None;
        self.context_timer = None;
        self.typing_timer = None;
        self.hook = None;
        if let Some((ws, _)) = self.socket.take() {
            let _ = ws.close();
        }
        self.view.panel.remove();
    }
}

/// Listen for `event` on `target`, calling `f` with the app while it is alive. (`f` is a plain
/// function, not a closure type: one copy of the listener glue in the wasm for all of them.)
fn on(
    app: &AppRef,
    target: &web_sys::EventTarget,
    event: &'static str,
    prevent: bool,
    f: fn(&AppRef, &web_sys::Event),
) -> EventListener {
    let weak = Rc::downgrade(app);
    let options = if prevent {
        gloo_events::EventListenerOptions::enable_prevent_default()
    } else {
        gloo_events::EventListenerOptions::default()
    };
    EventListener::new_with_options(target, event, options, move |e| {
        if let Some(app) = weak.upgrade() {
            f(&app, e);
        }
    })
}

/// Wire DOM listeners and the loader's change hook, apply the site's public config (from the
/// loader, or fetched), and resume a stored session.
pub fn start(app: &AppRef, options: &JsValue, config: JsValue) {
    let (form, close, input, panel, csat) = {
        let a = app.borrow();
        (
            a.view.form.clone(),
            a.view.close.clone(),
            a.view.input.clone(),
            a.view.panel.clone(),
            a.view.csat.clone(),
        )
    };
    let listeners = [
        on(app, &form, "submit", true, |app, e| {
            e.prevent_default();
            submit(app);
        }),
        // The second module comes when the composer is first used (open focuses it).
        on(app, &input, "focus", false, |app, _| want_sense(app)),
        on(app, &input, "keydown", true, |app, e| {
            want_sense(app);
            if let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>() {
                if k.key() == "Enter" && !k.shift_key() && !k.is_composing() {
                    e.prevent_default();
                    submit(app);
                }
            }
        }),
        on(app, &panel, "keydown", false, |app, e| {
            if e.dyn_ref::<web_sys::KeyboardEvent>().map(|k| k.key()) == Some("Escape".into()) {
                app.borrow().close();
                app.borrow().emit("close", JsValue::UNDEFINED);
            }
        }),
        on(app, &close, "click", false, |app, _| {
            app.borrow().close();
            app.borrow().emit("close", JsValue::UNDEFINED);
        }),
        on(app, &csat, "submit", true, |app, e| {
            e.prevent_default();
            send_csat(app);
        }),
    ];
    app.borrow_mut().listeners.extend(listeners);

    // The loader calls `onchange` when the route changes or something is clicked.
    let weak = Rc::downgrade(app);
    let hook = Closure::<dyn FnMut()>::new(move || {
        if let Some(app) = weak.upgrade() {
            schedule_context(&app);
        }
    });
    let _ = js_sys::Reflect::set(options, &"onchange".into(), hook.as_ref());
    app.borrow_mut().hook = Some(hook);

    let weak = Rc::downgrade(app);
    spawn_local(async move {
        let Some(app) = weak.upgrade() else { return };
        let config = if config.is_object() {
            config
        } else {
            let url = {
                let a = app.borrow();
                [&a.options.api, "/v1/sites/", &a.options.site, "/widget"].concat()
            };
            fetch_json("GET", &url, None).await.unwrap_or(JsValue::NULL)
        };
        apply_config(&app, wire_js::widget_config(&config));
        if app.borrow().session.is_some() {
            connect(&app);
        }
    });
}

/// Words, colour, capture switches and greeting from the site's public config.
fn apply_config(app: &AppRef, config: WidgetConfig) {
    let stored = stored_session(&app.borrow());
    let mut a = app.borrow_mut();
    let site_locale = if config.locale.is_empty() {
        "en"
    } else {
        &config.locale
    };
    a.strings = Strings::choose(&browser_languages(), site_locale, &config.strings);
    view::label(&a.view, &a.strings, Some(&config.title));
    let status = a.status;
    view::set_mode(&a.view, &a.strings, status, None, None);
    let hex = config.accent_color.strip_prefix('#').unwrap_or("");
    if matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        // CSSOM, not a style attribute: allowed under a strict style-src.
        let _ = a
            .view
            .panel
            .style()
            .set_property("--baton-accent", &["#", hex].concat());
    }
    a.capture = config.context;
    if stored.is_none() && !config.greeting.is_empty() {
        view::append_message(&a.view.log, &a.strings, Author::Ai, None, &config.greeting);
    }
    a.session = stored;
}

fn stored_session(app: &App) -> Option<Session> {
    let text = storage()?.get_item(&app.storage_key()).ok()??;
    wire_js::session(&js_sys::JSON::parse(&text).ok()?)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// The browser's preferred languages, most preferred first.
fn browser_languages() -> Vec<String> {
    let Some(nav) = web_sys::window().map(|w| w.navigator()) else {
        return Vec::new();
    };
    let mut out: Vec<String> = nav
        .languages()
        .iter()
        .filter_map(|l| l.as_string())
        .collect();
    if out.is_empty() {
        out.extend(nav.language());
    }
    out
}

fn submit(app: &AppRef) {
    let text = {
        let a = app.borrow();
        let t = a.view.input.value().trim().to_owned();
        a.view.input.set_value("");
        t
    };
    if text.is_empty() {
        return;
    }
    let mut a = app.borrow_mut();
    a.next_client_id += 1;
    let client_id = [
        "c",
        &wire_js::number_text(js_sys::Date::now().trunc()),
        "-",
        &wire_js::number_text(a.next_client_id.into()),
    ]
    .concat();
    let item = view::append_message(&a.view.log, &a.strings, Author::Customer, None, &text);
    item.class_list().add_1("sending").ok();
    crate::dom::attr(&item, "aria-busy", "true");
    if a.status == Status::AiMode {
        // Instant feedback from the same trigger code the edge runs; the edge confirms. The
        // message goes now either way; without the module yet, it is judged when that arrives.
        let fires = match &a.sense {
            Some(sense) => sense.fires(&text, a.strings.language()),
            None => {
                a.unjudged.push(text.clone());
                false
            }
        };
        feedback(app, &mut a, fires);
    }
    a.outbox.push((client_id, text, item));
    let has_session = a.session.is_some();
    drop(a);
    want_sense(app);
    if has_session {
        flush(app);
    } else {
        start_conversation(app);
    }
}

/// Feedback on a customer message in AI mode: "connecting" when a built-in hard trigger
/// fires, else the AI's typing indicator.
fn feedback(app: &AppRef, a: &mut App, fires: bool) {
    if fires {
        let words = a.strings.get("connecting").to_owned();
        view::set_notice(&a.view, Some(&words));
        a.view.typing.set_hidden(true);
        a.typing_timer = None;
    } else {
        a.view.typing.set_hidden(false);
        a.typing_timer = Some(after(app, TYPING_MS, |app| {
            app.borrow().view.typing.set_hidden(true);
        }));
    }
}

/// Fetch the second module unless it is here or on its way. When it arrives, messages sent
/// without it are judged (unless the edge has answered since) and a waiting context goes out.
fn want_sense(app: &AppRef) {
    if app
        .try_borrow()
        .is_ok_and(|a| a.sense.is_some() || a.sense_loading)
    {
        return;
    }
    // In a task of its own: `open` focuses the composer, whose listener then runs inside
    // `open`'s borrow of the app.
    let weak = Rc::downgrade(app);
    spawn_local(async move {
        {
            let Some(app) = weak.upgrade() else { return };
            let mut a = app.borrow_mut();
            if a.sense.is_some() || a.sense_loading || a.destroyed {
                return;
            }
            a.sense_loading = true;
        }
        let loaded = Sense::load().await;
        let Some(app) = weak.upgrade() else { return };
        {
            let mut a = app.borrow_mut();
            a.sense_loading = false;
            // Not fetched: tried again on the next key, message or context.
            let Ok(sense) = loaded else { return };
            let unjudged = std::mem::take(&mut a.unjudged);
            let fires = unjudged
                .iter()
                .any(|text| sense.fires(text, a.strings.language()));
            a.sense = Some(sense);
            if fires && a.status == Status::AiMode {
                feedback(&app, &mut a, true);
            }
        }
        send_context(&app);
    });
}

fn start_conversation(app: &AppRef) {
    if app.borrow().starting {
        return;
    }
    app.borrow_mut().starting = true;
    let weak = Rc::downgrade(app);
    spawn_local(async move {
        let Some(app) = weak.upgrade() else { return };
        let (url, body) = {
            let mut a = app.borrow_mut();
            // Without the module that masks it, the context follows on the socket once it is
            // here (`send_context`); the conversation and its message do not wait.
            let page = match a.page_context() {
                Some(page) => {
                    a.sent_context = json_text(&page);
                    page
                }
                None => js_sys::Object::new(),
            };
            let body = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&body, &"site".into(), &a.options.site.as_str().into());
            let _ = js_sys::Reflect::set(&body, &"page".into(), &page);
            let _ = js_sys::Reflect::set(&body, &"locale".into(), &a.strings.language().into());
            if a.user.is_object() {
                let _ = js_sys::Reflect::set(&body, &"user".into(), &a.user);
            }
            ([&a.options.api, "/v1/conversations"].concat(), body)
        };
        let result = fetch_json("POST", &url, Some(body.into())).await;
        app.borrow_mut().starting = false;
        match result.and_then(|v| wire_js::session(&v).ok_or(JsValue::NULL)) {
            Ok(session) => {
                {
                    let mut a = app.borrow_mut();
                    if let Some(storage) = storage() {
                        let v = wire_js::session_value(&session);
                        let _ = storage.set_item(&a.storage_key(), &json_text(&v));
                    }
                    a.session = Some(session);
                }
                connect(&app);
            }
            Err(e) => {
                let refused = e
                    .as_string()
                    .is_some_and(|m| m.starts_with("HTTP 4") && m != "HTTP 429");
                if refused {
                    // Retrying will not help: the site's config refuses this page (origin, site id).
                    let a = app.borrow();
                    a.view.typing.set_hidden(true);
                    view::set_notice(&a.view, Some(a.strings.get("unavailable")));
                } else {
                    let words = app.borrow().strings.get("unreachable").to_owned();
                    offline(&app, &words);
                }
            }
        }
    });
}

fn json_text(v: &JsValue) -> String {
    js_sys::JSON::stringify(v)
        .map(String::from)
        .unwrap_or_default()
}

/// Open (or reopen) the live socket, asking for everything after the last event we have.
fn connect(app: &AppRef) {
    let url = {
        let a = app.borrow();
        if a.destroyed {
            return;
        }
        let Some(s) = &a.session else { return };
        // http(s)://edge → ws(s)://edge
        let ws_base = match a.options.api.strip_prefix("http") {
            Some(rest) => ["ws", rest].concat(),
            None => a.options.api.clone(),
        };
        [
            &ws_base,
            "/v1/conversations/",
            &s.id,
            "/live?token=",
            &s.token,
            "&since=",
            &wire_js::number_text(a.last_seq as f64),
        ]
        .concat()
    };
    let Ok(ws) = WebSocket::new(&url) else {
        let words = app.borrow().strings.get("offline").to_owned();
        offline(app, &words);
        return;
    };
    let listeners = vec![
        on(app, &ws, "open", false, |app, _| {
            {
                let mut a = app.borrow_mut();
                a.attempts = 0;
                view::set_notice(&a.view, None);
            }
            flush(app);
            send_context(app);
        }),
        on(app, &ws, "message", false, |app, e| {
            let Some(text) = e
                .dyn_ref::<MessageEvent>()
                .and_then(|m| m.data().as_string())
            else {
                return;
            };
            if let Ok(v) = js_sys::JSON::parse(&text) {
                if let Some(event) = wire_js::live_event(&v) {
                    on_event(app, event);
                }
            }
        }),
        on(app, &ws, "close", false, |app, _| {
            app.borrow_mut().socket = None;
            let words = app.borrow().strings.get("offline").to_owned();
            offline(app, &words);
        }),
    ];
    app.borrow_mut().socket = Some((ws, listeners));
}

fn offline(app: &AppRef, notice: &str) {
    let mut a = app.borrow_mut();
    if a.destroyed {
        return;
    }
    view::set_notice(&a.view, Some(notice));
    a.attempts += 1;
    let delay = (250u32 << a.attempts.min(6)).min(10_000);
    a.reconnect = Some(after(app, delay, |app| {
        if app.borrow().session.is_some() {
            connect(app);
        } else {
            start_conversation(app);
        }
    }));
}

/// Send a command on the live socket if it is open; `false` if it is not.
fn send_command(a: &App, cmd: &js_sys::Object) -> bool {
    let Some((ws, _)) = &a.socket else {
        return false;
    };
    ws.ready_state() == WebSocket::OPEN && ws.send_with_str(&json_text(cmd)).is_ok()
}

/// Send every message the edge has not echoed yet (it ignores repeats of a client id).
fn flush(app: &AppRef) {
    let a = app.borrow();
    for (client_id, text, _) in &a.outbox {
        let cmd = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&cmd, &"type".into(), &"send".into());
        let _ = js_sys::Reflect::set(&cmd, &"text".into(), &text.as_str().into());
        let _ = js_sys::Reflect::set(&cmd, &"client_id".into(), &client_id.as_str().into());
        if !send_command(&a, &cmd) {
            return;
        }
    }
}

/// Call `f` with the app after `ms`, if the app is still alive then (a plain function, like
/// [`on`]'s). Dropping the timeout cancels it.
fn after(app: &AppRef, ms: u32, f: fn(&AppRef)) -> Timeout {
    let weak = Rc::downgrade(app);
    Timeout::new(ms, move || {
        if let Some(app) = weak.upgrade() {
            f(&app);
        }
    })
}

/// Send the page context again once changes settle (route changes come in bursts).
pub fn schedule_context(app: &AppRef) {
    let timer = after(app, CONTEXT_SETTLE_MS, send_context);
    app.borrow_mut().context_timer = Some(timer);
}

/// Send the current page context if the conversation exists and it changed since last sent.
fn send_context(app: &AppRef) {
    let mut a = app.borrow_mut();
    if a.session.is_none() || a.destroyed {
        return;
    }
    let Some(page) = a.page_context() else {
        // It waits for the module that masks it.
        drop(a);
        want_sense(app);
        return;
    };
    let text = json_text(&page);
    if text == a.sent_context {
        return;
    }
    let cmd = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&cmd, &"type".into(), &"context".into());
    let _ = js_sys::Reflect::set(&cmd, &"page".into(), &page);
    if send_command(&a, &cmd) {
        a.sent_context = text;
    }
}

fn csat_key(a: &App) -> Option<String> {
    a.session
        .as_ref()
        .map(|s| ["baton:", &a.options.site, ":csat:", &s.id].concat())
}

/// Offer the rating form once a person has resolved the conversation (unless already rated).
fn show_csat(a: &App, show: bool) {
    let rated = csat_key(a)
        .and_then(|k| storage()?.get_item(&k).ok()?)
        .is_some();
    let show = show && a.handed_off && !rated;
    if show && a.view.csat.child_element_count() == 0 {
        view::build_csat(&a.view, &a.strings);
    }
    a.view.csat.set_hidden(!show);
}

fn send_csat(app: &AppRef) {
    let (url, body) = {
        let a = app.borrow();
        let (Some(s), Some((score, comment))) = (&a.session, view::csat_values(&a.view)) else {
            return;
        };
        let body = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&body, &"token".into(), &s.token.as_str().into());
        let _ = js_sys::Reflect::set(&body, &"score".into(), &score.into());
        if !comment.is_empty() {
            let _ = js_sys::Reflect::set(&body, &"comment".into(), &comment.into());
        }
        let url = [&a.options.api, "/v1/conversations/", &s.id, "/csat"].concat();
        (url, body)
    };
    let weak = Rc::downgrade(app);
    spawn_local(async move {
        let result = fetch_json("POST", &url, Some(body.into())).await;
        let Some(app) = weak.upgrade() else { return };
        let a = app.borrow();
        match result {
            Ok(_) => {
                if let (Some(k), Some(st)) = (csat_key(&a), storage()) {
                    let _ = st.set_item(&k, "1");
                }
                view::csat_done(&a.view, a.strings.get("csat_thanks"), false);
                a.emit("csat", JsValue::UNDEFINED);
            }
            Err(_) => view::csat_done(&a.view, a.strings.get("csat_failed"), true),
        }
    });
}

/// Apply one event from the edge, exactly once.
pub fn on_event(app: &AppRef, event: LiveEvent) {
    let mut a = app.borrow_mut();
    if event.seq <= a.last_seq {
        return;
    }
    a.last_seq = event.seq;
    match event.body {
        EventBody::Message {
            author,
            text,
            name,
            client_id,
        } => {
            if let Some(pos) = client_id
                .as_ref()
                .and_then(|id| a.outbox.iter().position(|(c, _, _)| c == id))
            {
                let (_, _, item) = a.outbox.remove(pos);
                item.class_list().remove_1("sending").ok();
                let _ = item.remove_attribute("aria-busy");
            } else {
                view::append_message(&a.view.log, &a.strings, author, name.as_deref(), &text);
            }
            if author != Author::Customer {
                // The edge has answered: a late judgement of earlier messages would be stale.
                a.unjudged.clear();
                a.view.typing.set_hidden(true);
                a.typing_timer = None;
                a.emit("message", JsValue::from_str(&text));
            }
        }
        EventBody::Status {
            status,
            queue,
            agent,
            topic,
            position,
            wait_seconds,
            ticket,
            expected_by,
        } => {
            let was = a.status;
            a.status = status;
            a.unjudged.clear();
            a.agent = agent.clone();
            a.handed_off |= status.is_human();
            view::set_mode(
                &a.view,
                &a.strings,
                status,
                agent.as_deref(),
                queue.as_deref(),
            );
            view::set_progress(
                &a.view,
                &a.strings,
                status,
                position,
                wait_seconds,
                ticket.as_deref(),
                expected_by.as_deref(),
            );
            view::set_notice(&a.view, None);
            if status != Status::AiMode {
                a.view.typing.set_hidden(true);
            }
            show_csat(&a, status == Status::Resolved);
            let detail = topic.map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
            match status {
                Status::Escalating | Status::Queued | Status::Async if !was.is_human() => {
                    a.emit("escalated", detail)
                }
                Status::WithAgent if was != Status::WithAgent => a.emit("agent_joined", detail),
                Status::Resolved if was != Status::Resolved => a.emit("resolved", detail),
                _ => {}
            }
        }
    }
}

#[wasm_bindgen(module = "/js/fetch.js")]
extern "C" {
    /// `fetch` a JSON API (`body` sent as JSON); a non-2xx answer rejects with `"HTTP <status>"`.
    #[wasm_bindgen(js_name = fetchJson)]
    fn fetch_json_promise(method: &str, url: &str, body: Option<JsValue>) -> js_sys::Promise;
}

/// `fetch` a JSON API; non-2xx answers become errors.
async fn fetch_json(method: &str, url: &str, body: Option<JsValue>) -> Result<JsValue, JsValue> {
    JsFuture::from(fetch_json_promise(method, url, body)).await
}
