//! Rendering: the panel, one message, and the AI/human mode. Pure DOM writes, no state.
//! Message text always goes through `textContent`, so nothing a person types becomes markup.

use crate::dom::{attr, el, text_el};
use baton_shared::conversation::Status;
use baton_shared::wire::Author;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlTextAreaElement, ShadowRoot};

/// Handles to the parts of the panel the app updates.
pub struct View {
    /// The whole panel (dialog).
    pub panel: HtmlElement,
    /// Panel title.
    pub title: HtmlElement,
    /// Mode badge ("AI assistant" / agent name).
    pub badge: HtmlElement,
    /// Agent initial, shown in human mode.
    pub avatar: HtmlElement,
    /// Transient notice under the header (connecting, offline).
    pub notice: HtmlElement,
    /// The message list.
    pub log: HtmlElement,
    /// The composer form.
    pub form: HtmlElement,
    /// The text box.
    pub input: HtmlTextAreaElement,
    /// The close button.
    pub close: HtmlElement,
}

/// Build the panel inside `root` (hidden until opened).
pub fn build(root: &ShadowRoot, css: &str) -> View {
    let style = text_el("style", "", css);
    let _ = root.append_child(&style);

    let panel = el("section", "panel");
    attr(&panel, "role", "dialog");
    attr(&panel, "aria-label", "Chat");
    panel.set_hidden(true);

    let header = el("header", "");
    let avatar = el("span", "avatar");
    attr(&avatar, "aria-hidden", "true");
    let title = text_el("h2", "", "Chat");
    let badge = text_el("span", "badge", "AI assistant");
    attr(&badge, "role", "status");
    let close = text_el("button", "close", "×");
    attr(&close, "type", "button");
    attr(&close, "aria-label", "Close chat");
    for child in [&avatar, &title, &badge, &close] {
        let _ = header.append_child(child);
    }

    let notice = el("div", "notice");
    attr(&notice, "role", "status");
    notice.set_hidden(true);

    let log = el("div", "log");
    attr(&log, "role", "log");
    attr(&log, "aria-live", "polite");
    attr(&log, "aria-label", "Conversation");

    let form = el("form", "");
    let input = el("textarea", "").unchecked_into::<HtmlTextAreaElement>();
    attr(&input, "aria-label", "Your message");
    attr(&input, "placeholder", "Type your message…");
    attr(&input, "rows", "1");
    attr(&input, "maxlength", "4000");
    let send = text_el("button", "", "Send");
    attr(&send, "type", "submit");
    let _ = form.append_child(&input);
    let _ = form.append_child(&send);

    for child in [&header, &notice, &log, &form] {
        let _ = panel.append_child(child);
    }
    let _ = root.append_child(&panel);
    View {
        panel,
        title,
        badge,
        avatar,
        notice,
        log,
        form,
        input,
        close,
    }
}

/// CSS class and a reader's label for an author.
fn author_class(author: Author) -> (&'static str, &'static str) {
    match author {
        Author::Customer => ("customer", "You"),
        Author::Ai => ("ai", "AI assistant"),
        Author::Agent => ("agent", "Agent"),
        Author::System => ("system", ""),
    }
}

/// Append one message to the log and scroll to it.
pub fn append_message(
    log: &Element,
    author: Author,
    name: Option<&str>,
    text: &str,
) -> HtmlElement {
    let (class, label) = author_class(author);
    let item = el("div", &format!("msg {class}"));
    let who = name.filter(|n| !n.is_empty()).unwrap_or(label);
    if !who.is_empty() {
        let _ = item.append_child(&text_el("span", "who", who));
    }
    let body = text_el("span", "text", text);
    let _ = item.append_child(&body);
    let _ = log.append_child(&item);
    log.set_scroll_top(log.scroll_height());
    item
}

/// What the header says in each status.
pub fn badge_text(status: Status, agent: Option<&str>, queue: Option<&str>) -> String {
    match status {
        Status::AiMode => "AI assistant".into(),
        Status::Escalating => "Connecting you to a person…".into(),
        Status::Queued | Status::Reopened => match queue {
            Some(q) => format!("Waiting for our {q}"),
            None => "Waiting for a person".into(),
        },
        Status::WithAgent => format!("{} · human agent", agent.unwrap_or("Agent")),
        Status::Async => "We'll follow up by email".into(),
        Status::Resolved => "Resolved".into(),
    }
}

/// Switch the panel between AI mode, human mode and resolved.
pub fn set_mode(view: &View, status: Status, agent: Option<&str>, queue: Option<&str>) {
    let class = match status {
        Status::AiMode => "panel",
        Status::Resolved => "panel resolved",
        _ => "panel human",
    };
    view.panel.set_class_name(class);
    attr(&view.panel, "data-status", status_name(status));
    view.badge
        .set_text_content(Some(&badge_text(status, agent, queue)));
    let initial = agent
        .and_then(|a| a.chars().next())
        .map(String::from)
        .unwrap_or_default();
    view.avatar.set_text_content(Some(&initial));
}

/// The wire name of a status (also used as `data-status`).
pub fn status_name(status: Status) -> &'static str {
    match status {
        Status::AiMode => "ai_mode",
        Status::Escalating => "escalating",
        Status::Queued => "queued",
        Status::WithAgent => "with_agent",
        Status::Async => "async",
        Status::Resolved => "resolved",
        Status::Reopened => "reopened",
    }
}

/// Show or hide the notice line.
pub fn set_notice(view: &View, text: Option<&str>) {
    view.notice.set_text_content(text);
    view.notice.set_hidden(text.is_none());
}
