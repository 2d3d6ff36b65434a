//! The widget's one owner of state: the conversation session, the live socket and the outbox.
//! DOM and socket callbacks only call into here; here decides and re-renders through `view`.

use crate::view::{self, View};
use baton_shared::conversation::Status;
use baton_shared::trigger::detect_hard;
use baton_shared::wire::{Author, EventBody, LiveEvent};
use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{HtmlElement, MessageEvent, WebSocket};

/// Shared handle to the app.
pub type AppRef = Rc<RefCell<App>>;

/// Options the loader passes to `mount`.
#[derive(Deserialize, Default)]
pub struct Options {
    /// Site id from `data-site`.
    pub site: String,
    /// Origin of the edge (`https://edge.example`).
    pub api: String,
}

/// A started conversation, kept in sessionStorage so it survives reloads in the tab.
#[derive(Clone, Serialize, Deserialize)]
struct Session {
    id: String,
    token: String,
}

/// Public part of the site config.
#[derive(Deserialize, Default)]
struct WidgetConfig {
    #[serde(default)]
    title: String,
    #[serde(default)]
    greeting: String,
    #[serde(default)]
    accent_color: String,
    #[serde(default)]
    locale: String,
}

/// Everything the widget knows.
pub struct App {
    options: Options,
    emit: Option<js_sys::Function>,
    user: JsValue,
    context: JsValue,
    view: View,
    locale: String,
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
        view: View,
    ) -> Self {
        Self {
            options,
            emit,
            user,
            context,
            view,
            locale: "en".into(),
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
        format!("baton:{}", self.options.site)
    }

    /// Set identity (from `Baton('identify', …)`).
    pub fn set_user(&mut self, user: JsValue) {
        self.user = user;
    }

    /// Set host-page context (from `Baton('setContext', …)`).
    pub fn set_context(&mut self, context: JsValue) {
        self.context = context;
    }

    /// Show the panel and focus the composer.
    pub fn open(&self) {
        self.view.panel.set_hidden(false);
        let _ = self.view.input.focus();
    }

    /// Hide the panel.
    pub fn close(&self) {
        self.view.panel.set_hidden(true);
    }

    /// Drop listeners, timers and the socket.
    pub fn destroy(&mut self) {
        self.destroyed = true;
        self.listeners.clear();
        self.reconnect = None;
        if let Some((ws, _)) = self.socket.take() {
            let _ = ws.close();
        }
        self.view.panel.remove();
    }
}

/// Wire DOM listeners, load the site's public config, and resume a stored session.
pub fn start(app: &AppRef) {
    let weak = Rc::downgrade(app);
    let (form, close, input) = {
        let a = app.borrow();
        (
            a.view.form.clone(),
            a.view.close.clone(),
            a.view.input.clone(),
        )
    };
    let on_submit = {
        let weak = weak.clone();
        EventListener::new_with_options(
            &form,
            "submit",
            gloo_events::EventListenerOptions::enable_prevent_default(),
            move |e| {
                e.prevent_default();
                if let Some(app) = weak.upgrade() {
                    submit(&app);
                }
            },
        )
    };
    let on_key = {
        let weak = weak.clone();
        EventListener::new_with_options(
            &input,
            "keydown",
            gloo_events::EventListenerOptions::enable_prevent_default(),
            move |e| {
                let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                    return;
                };
                if k.key() == "Enter" && !k.shift_key() {
                    e.prevent_default();
                    if let Some(app) = weak.upgrade() {
                        submit(&app);
                    }
                }
            },
        )
    };
    let on_close = {
        let weak = weak.clone();
        EventListener::new(&close, "click", move |_| {
            if let Some(app) = weak.upgrade() {
                app.borrow().close();
                app.borrow().emit("close", JsValue::UNDEFINED);
            }
        })
    };
    app.borrow_mut()
        .listeners
        .extend([on_submit, on_key, on_close]);

    let weak2 = weak.clone();
    spawn_local(async move {
        let Some(app) = weak2.upgrade() else { return };
        let url = {
            let a = app.borrow();
            format!("{}/v1/sites/{}/widget", a.options.api, a.options.site)
        };
        let config: WidgetConfig = match fetch_json("GET", &url, None).await {
            Ok(v) => serde_wasm_bindgen::from_value(v).unwrap_or_default(),
            Err(_) => WidgetConfig::default(),
        };
        let stored = stored_session(&app.borrow());
        {
            let mut a = app.borrow_mut();
            if !config.title.is_empty() {
                a.view.title.set_text_content(Some(&config.title));
                crate::dom::attr(&a.view.panel, "aria-label", &config.title);
            }
            let hex = config.accent_color.strip_prefix('#').unwrap_or("");
            if matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                crate::dom::attr(&a.view.panel, "style", &format!("--baton-accent:#{hex}"));
            }
            if !config.locale.is_empty() {
                a.locale = config.locale.clone();
            }
            if stored.is_none() && !config.greeting.is_empty() {
                view::append_message(&a.view.log, Author::Ai, None, &config.greeting);
            }
            a.session = stored;
        }
        if app.borrow().session.is_some() {
            connect(&app);
        }
    });
}

fn stored_session(app: &App) -> Option<Session> {
    let storage = web_sys::window()?.session_storage().ok()??;
    let text = storage.get_item(&app.storage_key()).ok()??;
    let v = js_sys::JSON::parse(&text).ok()?;
    serde_wasm_bindgen::from_value(v).ok()
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
    let client_id = format!("c{}-{}", js_sys::Date::now() as u64, a.next_client_id);
    let item = view::append_message(&a.view.log, Author::Customer, None, &text);
    item.class_list().add_1("sending").ok();
    a.outbox.push((client_id, text.clone(), item));
    // Instant feedback from the same trigger code the edge runs; the edge confirms.
    if a.status == Status::AiMode && detect_hard(&text, &a.locale).is_some() {
        view::set_notice(&a.view, Some("Connecting you with a person…"));
    }
    let has_session = a.session.is_some();
    drop(a);
    if has_session {
        flush(app);
    } else {
        start_conversation(app);
    }
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
            let a = app.borrow();
            let page = page_context();
            let body = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&body, &"site".into(), &a.options.site.as_str().into());
            let _ = js_sys::Reflect::set(&body, &"page".into(), &page);
            if a.user.is_object() {
                let _ = js_sys::Reflect::set(&body, &"user".into(), &a.user);
            }
            if a.context.is_object() {
                let _ = js_sys::Reflect::set(&page, &"context".into(), &a.context);
            }
            (format!("{}/v1/conversations", a.options.api), body)
        };
        let result = fetch_json("POST", &url, Some(body.into())).await;
        app.borrow_mut().starting = false;
        match result
            .and_then(|v| serde_wasm_bindgen::from_value::<Session>(v).map_err(JsValue::from))
        {
            Ok(session) => {
                {
                    let mut a = app.borrow_mut();
                    if let Some(storage) =
                        web_sys::window().and_then(|w| w.session_storage().ok().flatten())
                    {
                        if let Ok(text) = serde_wasm_bindgen::to_value(&session).and_then(|v| {
                            js_sys::JSON::stringify(&v)
                                .map(String::from)
                                .map_err(Into::into)
                        }) {
                            let _ = storage.set_item(&a.storage_key(), &text);
                        }
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
                    view::set_notice(&a.view, Some("Chat is not available on this page right now. Please contact us another way."));
                } else {
                    offline(&app, "We couldn't reach the chat. Retrying…");
                }
            }
        }
    });
}

/// Open (or reopen) the live socket, asking for everything after the last event we have.
fn connect(app: &AppRef) {
    let url = {
        let a = app.borrow();
        if a.destroyed {
            return;
        }
        let Some(s) = &a.session else { return };
        let ws_base = a.options.api.replacen("http", "ws", 1);
        format!(
            "{ws_base}/v1/conversations/{}/live?token={}&since={}",
            s.id, s.token, a.last_seq
        )
    };
    let Ok(ws) = WebSocket::new(&url) else {
        offline(app, "Reconnecting…");
        return;
    };
    let weak = Rc::downgrade(app);
    let on_open = {
        let weak = weak.clone();
        EventListener::new(&ws, "open", move |_| {
            if let Some(app) = weak.upgrade() {
                {
                    let mut a = app.borrow_mut();
                    a.attempts = 0;
                    view::set_notice(&a.view, None);
                }
                flush(&app);
            }
        })
    };
    let on_message = {
        let weak = weak.clone();
        EventListener::new(&ws, "message", move |e| {
            let Some(app) = weak.upgrade() else { return };
            let Some(m) = e.dyn_ref::<MessageEvent>() else {
                return;
            };
            let Some(text) = m.data().as_string() else {
                return;
            };
            if let Ok(v) = js_sys::JSON::parse(&text) {
                if let Ok(event) = serde_wasm_bindgen::from_value::<LiveEvent>(v) {
                    on_event(&app, event);
                }
            }
        })
    };
    let on_close = EventListener::new(&ws, "close", move |_| {
        if let Some(app) = weak.upgrade() {
            app.borrow_mut().socket = None;
            offline(&app, "Connection lost. Reconnecting…");
        }
    });
    app.borrow_mut().socket = Some((ws, vec![on_open, on_message, on_close]));
}

fn offline(app: &AppRef, notice: &str) {
    let mut a = app.borrow_mut();
    if a.destroyed {
        return;
    }
    view::set_notice(&a.view, Some(notice));
    a.attempts += 1;
    let delay = (250u32 << a.attempts.min(6)).min(10_000);
    let weak = Rc::downgrade(app);
    a.reconnect = Some(Timeout::new(delay, move || {
        if let Some(app) = weak.upgrade() {
            if app.borrow().session.is_some() {
                connect(&app);
            } else {
                start_conversation(&app);
            }
        }
    }));
}

/// Send every message the edge has not echoed yet (it ignores repeats of a client id).
fn flush(app: &AppRef) {
    let a = app.borrow();
    let Some((ws, _)) = &a.socket else { return };
    if ws.ready_state() != WebSocket::OPEN {
        return;
    }
    for (client_id, text, _) in &a.outbox {
        let cmd = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&cmd, &"type".into(), &"send".into());
        let _ = js_sys::Reflect::set(&cmd, &"text".into(), &text.as_str().into());
        let _ = js_sys::Reflect::set(&cmd, &"client_id".into(), &client_id.as_str().into());
        if let Ok(s) = js_sys::JSON::stringify(&cmd) {
            let _ = ws.send_with_str(&String::from(s));
        }
    }
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
            } else {
                view::append_message(&a.view.log, author, name.as_deref(), &text);
            }
            if author != Author::Customer {
                a.emit("message", JsValue::from_str(&text));
            }
        }
        EventBody::Status {
            status,
            queue,
            agent,
            topic,
            ..
        } => {
            let was = a.status;
            a.status = status;
            a.agent = agent.clone();
            view::set_mode(&a.view, status, agent.as_deref(), queue.as_deref());
            view::set_notice(&a.view, None);
            let detail = topic.map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
            match status {
                Status::Escalating | Status::Queued if !was.is_human() => {
                    a.emit("escalated", detail)
                }
                Status::WithAgent if was != Status::WithAgent => a.emit("agent_joined", detail),
                Status::Resolved => a.emit("resolved", detail),
                _ => {}
            }
        }
    }
}

fn page_context() -> js_sys::Object {
    let page = js_sys::Object::new();
    if let Some(w) = web_sys::window() {
        if let Ok(href) = w.location().href() {
            let _ = js_sys::Reflect::set(&page, &"url".into(), &href.into());
        }
        if let Some(doc) = w.document() {
            let _ = js_sys::Reflect::set(&page, &"title".into(), &doc.title().into());
            let _ = js_sys::Reflect::set(&page, &"referrer".into(), &doc.referrer().into());
        }
        if let Some(lang) = w.navigator().language() {
            let _ = js_sys::Reflect::set(&page, &"language".into(), &lang.into());
        }
    }
    page
}

/// `fetch` a JSON API; non-2xx answers become errors.
async fn fetch_json(method: &str, url: &str, body: Option<JsValue>) -> Result<JsValue, JsValue> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        let headers = web_sys::Headers::new()?;
        headers.set("Content-Type", "application/json")?;
        init.set_headers(&headers);
        init.set_body(&js_sys::JSON::stringify(&body)?.into());
    }
    let req = web_sys::Request::new_with_str_and_init(url, &init)?;
    let window = web_sys::window().ok_or("no window")?;
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_request(&req))
        .await?
        .dyn_into()?;
    if !resp.ok() {
        return Err(JsValue::from_str(&format!("HTTP {}", resp.status())));
    }
    JsFuture::from(resp.json()?).await
}
