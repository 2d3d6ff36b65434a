//! Rendering: the panel, one message, the AI/human mode, queue progress and the CSAT form.
//! Pure DOM writes, no state; message text always goes through `textContent`, never markup.

use crate::dom::attr;
use crate::strings::{decimal, Strings};
use baton_shared::conversation::Status;
use baton_shared::wire::Author;
use js_sys::Array;
use wasm_bindgen::prelude::*;
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
    /// Queue position and wait, or the ticket and expected reply time.
    pub progress: HtmlElement,
    /// The message list.
    pub log: HtmlElement,
    /// "The assistant is typing…".
    pub typing: HtmlElement,
    /// The rating form shown after a person resolved the conversation.
    pub csat: HtmlElement,
    /// The composer form.
    pub form: HtmlElement,
    /// The text box.
    pub input: HtmlTextAreaElement,
    /// The send button.
    pub send: HtmlElement,
    /// The close button.
    pub close: HtmlElement,
}

#[wasm_bindgen(module = "/js/view.js")]
extern "C" {
    /// The panel's elements, in [`View`]'s field order.
    #[wasm_bindgen(js_name = buildPanel)]
    fn build_panel(root: &ShadowRoot, css: &str) -> Array;
    /// A new message in `log` (`msg <class>`, author line `who` if not empty, empty text part).
    #[wasm_bindgen(js_name = messageItem)]
    fn message_item(log: &Element, class: &str, who: &str) -> HtmlElement;
    /// Append `text` to the text part of message `item`, as a link if `link`.
    #[wasm_bindgen(js_name = addRun)]
    fn add_run(item: &HtmlElement, text: &str, link: bool);
    /// Fill the CSAT form; `names` has the five choices' labels.
    #[wasm_bindgen(js_name = buildCsat)]
    fn build_csat_form(
        form: &HtmlElement,
        question: &str,
        names: &Array,
        comment: &str,
        send: &str,
    );
}

/// Build the panel inside `root` (hidden until opened), its CSS attached as a constructed
/// stylesheet (CSSOM, so a strict `style-src` needs no `'unsafe-inline'`).
pub fn build(root: &ShadowRoot, css: &str, s: &Strings) -> View {
    let parts = build_panel(root, css);
    let part = |i: u32| parts.get(i).unchecked_into::<HtmlElement>();
    let view = View {
        panel: part(0),
        title: part(1),
        badge: part(2),
        avatar: part(3),
        notice: part(4),
        progress: part(5),
        log: part(6),
        typing: part(7),
        csat: part(8),
        form: part(9),
        input: part(10).unchecked_into(),
        send: part(11),
        close: part(12),
    };
    label(&view, s, None);
    set_mode(&view, s, Status::AiMode, None, None);
    view
}

/// Put the locale's words on every fixed part of the panel; `title` is the site's, if set.
pub fn label(view: &View, s: &Strings, title: Option<&str>) {
    let title = title.filter(|t| !t.is_empty()).unwrap_or(s.get("title"));
    view.title.set_text_content(Some(title));
    attr(&view.panel, "aria-label", title);
    attr(&view.panel, "lang", s.locale());
    attr(&view.panel, "dir", if s.rtl() { "rtl" } else { "ltr" });
    attr(&view.close, "aria-label", s.get("close"));
    attr(&view.log, "aria-label", s.get("conversation"));
    attr(&view.input, "aria-label", s.get("input"));
    attr(&view.input, "placeholder", s.get("placeholder"));
    view.send.set_text_content(Some(s.get("send")));
    view.typing.set_text_content(Some(s.get("typing")));
}

/// Every author, for reading wire names back ([`author_name`]).
pub const AUTHORS: [Author; 4] = [Author::Customer, Author::Ai, Author::Agent, Author::System];

/// The wire name of an author (also its message's CSS class).
pub fn author_name(author: Author) -> &'static str {
    match author {
        Author::Customer => "customer",
        Author::Ai => "ai",
        Author::Agent => "agent",
        Author::System => "system",
    }
}

/// CSS class and a reader's label for an author.
fn author_class(author: Author, s: &Strings) -> (&'static str, &str) {
    let label = match author {
        Author::Customer => s.get("you"),
        Author::Ai => s.get("ai"),
        Author::Agent => s.get("agent"),
        Author::System => "",
    };
    (author_name(author), label)
}

/// Split text into plain runs and `http(s)://` links (`true`), trailing punctuation left out.
/// (Offsets come from `char_indices` and ASCII matches, so every cut is a char boundary; `get`
/// and `split_at_checked` instead of `[a..b]` keep core's slice-error formatting out of the wasm.)
pub fn linkify(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut rest = text;
    // The first `http://` or `https://` not glued to a word before it. (A scan with
    // `starts_with`, not `match_indices`: that keeps core's substring searcher out of the wasm.)
    fn link_start(rest: &str) -> Option<(&str, &str)> {
        rest.char_indices().find_map(|(i, _)| {
            let (before, tail) = rest.split_at_checked(i)?;
            ((tail.starts_with("https://") || tail.starts_with("http://"))
                && !before.ends_with(|c: char| c.is_alphanumeric()))
            .then_some((before, tail))
        })
    }
    while let Some((before, tail)) = link_start(rest) {
        let mut end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`'))
            .unwrap_or(tail.len());
        let trailing = ['.', ',', ';', ':', '!', '?', ')', ']', '\''];
        while let Some(kept) = tail.get(..end).and_then(|t| t.strip_suffix(trailing)) {
            end = kept.len();
        }
        let scheme = if tail.starts_with("https://") { 8 } else { 7 };
        let (Some(link), Some(after)) = (tail.get(..end), tail.get(end..)) else {
            break;
        };
        if end <= scheme {
            // A bare scheme is not a link; keep it as text and look further on.
            let cut = before.len() + scheme;
            let (Some(text), Some(after)) = (rest.get(..cut), rest.get(cut..)) else {
                break;
            };
            out.push((text, false));
            rest = after;
            continue;
        }
        if !before.is_empty() {
            out.push((before, false));
        }
        out.push((link, true));
        rest = after;
    }
    if !rest.is_empty() {
        out.push((rest, false));
    }
    out
}

/// Append one message to the log and scroll to it. Agent links become `<a>` (http(s) only,
/// opened in a new tab without the opener); everything else is text.
pub fn append_message(
    log: &Element,
    s: &Strings,
    author: Author,
    name: Option<&str>,
    text: &str,
) -> HtmlElement {
    let (class, label) = author_class(author, s);
    let who = name.filter(|n| !n.is_empty()).unwrap_or(label);
    let item = message_item(log, class, who);
    if author == Author::Agent {
        for (part, link) in linkify(text) {
            add_run(&item, part, link);
        }
    } else {
        add_run(&item, text, false);
    }
    log.set_scroll_top(log.scroll_height());
    item
}

/// What the header badge says in each status.
pub fn badge_text(s: &Strings, status: Status, agent: Option<&str>, queue: Option<&str>) -> String {
    match status {
        Status::AiMode => s.get("ai_badge").into(),
        Status::Escalating => s.get("connecting").into(),
        Status::Queued | Status::Reopened => match queue {
            Some(q) => s.fill("waiting_queue", &[("queue", q)]),
            None => s.get("waiting").into(),
        },
        Status::WithAgent => s.fill("with_agent", &[("agent", agent.unwrap_or(s.get("agent")))]),
        Status::Async => s.get("async").into(),
        Status::Resolved => s.get("resolved").into(),
    }
}

/// Switch the panel between AI mode, human mode and resolved.
pub fn set_mode(
    view: &View,
    s: &Strings,
    status: Status,
    agent: Option<&str>,
    queue: Option<&str>,
) {
    let class = match status {
        Status::AiMode => "panel",
        Status::Resolved => "panel resolved",
        _ => "panel human",
    };
    view.panel.set_class_name(class);
    attr(&view.panel, "data-status", status_name(status));
    view.badge
        .set_text_content(Some(&badge_text(s, status, agent, queue)));
    let initial = agent
        .and_then(|a| a.chars().next())
        .map(String::from)
        .unwrap_or_default();
    view.avatar.set_text_content(Some(&initial));
}

/// Queue position and wait while queued; ticket and expected time in async mode; else nothing.
pub fn set_progress(
    view: &View,
    s: &Strings,
    status: Status,
    position: Option<u32>,
    wait_seconds: Option<u32>,
    ticket: Option<&str>,
    expected_by: Option<&str>,
) {
    let text = match status {
        Status::Queued | Status::Reopened | Status::Escalating => match (position, wait_seconds) {
            (Some(p), Some(w)) => Some(s.fill(
                "position",
                &[("position", &decimal(p)), ("wait", &s.wait(w))],
            )),
            (Some(p), None) => Some(s.fill("position_only", &[("position", &decimal(p))])),
            _ => None,
        },
        Status::Async => ticket.map(|t| match expected_by {
            Some(e) => s.fill("ticket", &[("ticket", t), ("expected", e)]),
            None => s.fill("ticket_only", &[("ticket", t)]),
        }),
        _ => None,
    };
    view.progress.set_text_content(text.as_deref());
    view.progress.set_hidden(text.is_none());
}

/// Every status, for reading wire names back ([`status_name`]).
pub const STATUSES: [Status; 7] = [
    Status::AiMode,
    Status::Escalating,
    Status::Queued,
    Status::WithAgent,
    Status::Async,
    Status::Resolved,
    Status::Reopened,
];

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

/// Fill the CSAT form: five labelled choices, an optional comment and a send button.
pub fn build_csat(view: &View, s: &Strings) {
    let names: Array = (1..=5)
        .map(|n| JsValue::from(s.fill("csat_score", &[("n", &decimal(n))])))
        .collect();
    build_csat_form(
        &view.csat,
        s.get("csat_question"),
        &names,
        s.get("csat_comment"),
        s.get("csat_send"),
    );
}

/// The chosen score and comment of the CSAT form, if a score is chosen.
pub fn csat_values(view: &View) -> Option<(u8, String)> {
    let checked = view
        .csat
        .query_selector("input[name=score]:checked")
        .ok()
        .flatten()?;
    let score = checked
        .unchecked_into::<web_sys::HtmlInputElement>()
        .value()
        .parse()
        .ok()?;
    let comment = view
        .csat
        .query_selector("textarea")
        .ok()
        .flatten()
        .map(|t| t.unchecked_into::<HtmlTextAreaElement>().value())
        .unwrap_or_default();
    Some((score, comment.trim().to_owned()))
}

/// Replace the CSAT form with a line of text (thanks, or an error that keeps the form).
pub fn csat_done(view: &View, text: &str, keep_form: bool) {
    if !keep_form {
        if let Some(set) = view.csat.query_selector("fieldset").ok().flatten() {
            set.remove();
        }
    }
    if let Some(status) = view.csat.query_selector(".csat-status").ok().flatten() {
        status.set_text_content(Some(text));
    }
}
