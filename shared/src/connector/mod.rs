//! Helpdesk, notification and CRM connectors as pure data.
//!
//! Every outbound call is built here as an [`HttpRequest`] descriptor (method, full URL,
//! headers, body) from neutral inputs ([`TicketRequest`], [`Notice`]); the worker executes it
//! with `fetch` and hands the status and body back to the matching `parse_*` function, which
//! turns the vendor's answer into a typed result. Inbound webhooks go the other way: the worker
//! checks the signature with [`signature`] (time passed in) and turns the raw body into a
//! neutral [`InboundEvent`] with the vendor's `parse_webhook`.
//!
//! Nothing here does IO, reads a clock or draws a random number: base URLs, secrets, ids and
//! `now` are arguments, so each descriptor is reproducible and snapshot-tested natively.
//!
//! One module per vendor: [`zendesk`], [`freshdesk`], [`intercom`], [`webhook`] (Standard
//! Webhooks), [`slack`], [`linear`], [`hubspot`]. [`budget`] keeps each vendor under 80 % of
//! its published rate limit and honours its rate-limit headers.

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub mod budget;
pub mod freshdesk;
pub mod hubspot;
pub mod intercom;
pub mod linear;
pub mod signature;
pub mod slack;
pub mod webhook;
pub mod zendesk;

/// HTTP method of a descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
}

impl Method {
    /// The method as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
        }
    }
}

/// One outbound HTTP call, ready for the worker to execute as is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The full URL: the configured base URL plus the vendor's path and query.
    pub url: String,
    /// Headers in the order they are sent (names as the vendor documents them).
    pub headers: Vec<(String, String)>,
    /// The body (JSON unless a header says otherwise); empty for `GET`.
    pub body: String,
}

impl HttpRequest {
    /// A request with JSON content type and no other headers yet.
    pub(crate) fn json(method: Method, url: String, body: &Value) -> Self {
        let mut headers = vec![("Accept".to_owned(), "application/json".to_owned())];
        let body = if method == Method::Get {
            String::new()
        } else {
            headers.push((
                "Content-Type".to_owned(),
                "application/json; charset=utf-8".to_owned(),
            ));
            body.to_string()
        };
        Self {
            method,
            url,
            headers,
            body,
        }
    }

    /// Add a header.
    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The first header with this name (case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The path and query of the URL (everything from the first `/` after the host).
    pub fn path(&self) -> &str {
        let after_scheme = self.url.find("://").map_or(0, |i| i + 3);
        self.url[after_scheme..]
            .find('/')
            .map_or("/", |i| &self.url[after_scheme + i..])
    }

    /// The body parsed as JSON (for tests and logs).
    pub fn json_body(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// Find a header by name, case-insensitively, in a list of pairs.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// How urgent an escalation is, in Baton's terms; each vendor maps it to its own scale.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Can wait.
    Low,
    /// The default.
    #[default]
    Normal,
    /// Jumps the queue (e.g. enterprise segment).
    High,
    /// Someone should look now.
    Urgent,
}

impl Priority {
    /// Human label ("High").
    pub fn label(self) -> &'static str {
        match self {
            Self::Low => "Low",
            Self::Normal => "Normal",
            Self::High => "High",
            Self::Urgent => "Urgent",
        }
    }
}

/// The customer, as far as Baton knows them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requester {
    /// Email address (the usual key for linking to an existing helpdesk/CRM record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The site's own user id (from `identify`), sent as the vendor's external id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

/// Who said a line of the transcript.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    /// The customer.
    Customer,
    /// The AI agent.
    Ai,
    /// A human agent.
    Agent,
    /// Baton itself (transition messages).
    System,
}

impl Speaker {
    /// Label used in notes.
    pub fn label(self) -> &'static str {
        match self {
            Self::Customer => "Customer",
            Self::Ai => "AI",
            Self::Agent => "Agent",
            Self::System => "Baton",
        }
    }
}

/// One line of the transcript.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptLine {
    /// Who said it.
    pub speaker: Speaker,
    /// What they said (plain text; escaped where a vendor wants HTML).
    pub text: String,
}

/// A context value placed in a structured helpdesk field by the site's field mapping.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldValue {
    /// The vendor's field key: a Zendesk ticket-field id (digits), a Freshdesk `cf_` name, an
    /// Intercom conversation attribute name.
    pub name: String,
    /// The value (string, number or bool).
    pub value: Value,
}

/// Everything a connector needs to open a ticket for an escalation. Vendor-neutral: built by
/// the worker from the conversation's context payload and the site's field mapping.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TicketRequest {
    /// Stable escalation key (`esc:{conversation}:{n}`): idempotency key and external id, so a
    /// retried create never makes a second ticket.
    pub external_id: String,
    /// Ticket subject, from the topic.
    pub subject: String,
    /// The plain-language handoff summary: the issue, what the AI tried, why it escalated.
    pub summary: String,
    /// The full transcript.
    pub transcript: Vec<TranscriptLine>,
    /// Labelled context for the internal note (page URL, product area, account id, trigger...).
    pub context: Vec<(String, String)>,
    /// Priority.
    pub priority: Priority,
    /// Tags / labels (lower-case words, `_` for spaces).
    pub tags: Vec<String>,
    /// Mapped structured fields.
    pub fields: Vec<FieldValue>,
    /// The customer.
    pub requester: Requester,
    /// Link to the conversation in Baton's inbox, for agents and notifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_url: Option<String>,
}

impl TicketRequest {
    /// The transcript and context as plain text, for an internal note.
    pub fn note_text(&self) -> String {
        let mut out = String::new();
        if !self.context.is_empty() {
            out.push_str("Context\n");
            for (k, v) in &self.context {
                out.push_str(&format!("- {k}: {v}\n"));
            }
            out.push('\n');
        }
        out.push_str("Transcript\n");
        for line in &self.transcript {
            out.push_str(&format!("{}: {}\n", line.speaker.label(), line.text));
        }
        if let Some(url) = &self.conversation_url {
            out.push_str(&format!("\nConversation in Baton: {url}\n"));
        }
        out
    }

    /// The transcript and context as escaped HTML, for vendors whose notes are HTML.
    pub fn note_html(&self) -> String {
        let mut out = String::new();
        if !self.context.is_empty() {
            out.push_str("<p><strong>Context</strong></p><ul>");
            for (k, v) in &self.context {
                out.push_str(&format!(
                    "<li><strong>{}</strong>: {}</li>",
                    escape_html(k),
                    escape_html(v)
                ));
            }
            out.push_str("</ul>");
        }
        out.push_str("<p><strong>Transcript</strong></p>");
        for line in &self.transcript {
            out.push_str(&format!(
                "<p><strong>{}</strong>: {}</p>",
                line.speaker.label(),
                escape_html(&line.text)
            ));
        }
        if let Some(url) = &self.conversation_url {
            out.push_str(&format!(
                "<p>Conversation in Baton: {}</p>",
                escape_html(url)
            ));
        }
        out
    }

    /// The summary as one escaped HTML paragraph per line.
    pub fn summary_html(&self) -> String {
        paragraphs_html(&self.summary)
    }
}

/// A short notice for Slack / Linear / CRM about an escalation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Stable key of the escalation (idempotency, Linear's issue id).
    pub key: String,
    /// One-line title ("Billing dispute: refund not received").
    pub title: String,
    /// The handoff summary.
    pub summary: String,
    /// Priority.
    pub priority: Priority,
    /// Escalation category (`billing`, `bug`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Customer segment (`enterprise`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// The customer (display name or email).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// Page the customer was on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    /// Link to the conversation (Baton inbox or helpdesk ticket).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// The helpdesk ticket reference, when one exists ("Zendesk #5158").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_ref: Option<String>,
}

/// What an inbound helpdesk webhook means for the conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InboundKind {
    /// A human agent replied publicly: show it in the widget.
    AgentReply {
        /// The agent's display name, if the vendor sent it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agent: Option<String>,
        /// The reply as plain text.
        text: String,
    },
    /// The ticket was solved/closed: close the chat in the widget.
    Solved,
    /// The ticket was reopened by the agent side.
    Reopened,
}

/// A helpdesk event, vendor-neutral.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundEvent {
    /// The vendor's delivery/event id, for de-duplicating repeated deliveries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// The vendor's ticket / conversation id (opaque string).
    pub ticket_id: String,
    /// Baton's escalation key, when the vendor echoes it (Zendesk `external_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// What happened.
    #[serde(flatten)]
    pub kind: InboundKind,
}

/// Why a vendor's answer could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectorError {
    /// A non-success HTTP status; `message` is the vendor's error text when it gave one.
    #[error("HTTP {status}: {message}")]
    Status {
        /// The status code.
        status: u16,
        /// The vendor's message.
        message: String,
    },
    /// The vendor answered 200 with an error in the body (Slack `ok:false`, GraphQL `errors`).
    #[error("{vendor} error {code}")]
    Vendor {
        /// Which vendor.
        vendor: &'static str,
        /// The vendor's error code (`ratelimited`, `channel_not_found`...).
        code: String,
        /// Whether trying again later can help.
        retryable: bool,
    },
    /// A success status with a body we cannot read.
    #[error("unexpected response: {0}")]
    Malformed(String),
    /// An input the vendor would refuse (e.g. no email to search by); fix the config or data.
    #[error("invalid input: {0}")]
    Input(String),
}

impl ConnectorError {
    /// Whether a retry can help: 408/425/429/5xx, or a vendor code marked retryable.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Status { status, .. } => matches!(status, 408 | 425 | 429 | 500..=599),
            Self::Vendor { retryable, .. } => *retryable,
            Self::Malformed(_) | Self::Input(_) => false,
        }
    }
}

/// Parse a JSON body, turning a non-2xx status into [`ConnectorError::Status`] with the
/// vendor's message (found by `message_of`).
pub(crate) fn json_ok(
    status: u16,
    body: &str,
    message_of: fn(&Value) -> Option<String>,
) -> Result<Value, ConnectorError> {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    if !(200..300).contains(&status) {
        let message = parsed
            .as_ref()
            .and_then(message_of)
            .unwrap_or_else(|| body.chars().take(200).collect());
        return Err(ConnectorError::Status { status, message });
    }
    parsed.ok_or_else(|| ConnectorError::Malformed("body is not JSON".into()))
}

/// A JSON id that may be a number or a string, as an opaque string.
pub(crate) fn id_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Escape text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Plain text as escaped HTML paragraphs, one per non-empty line.
pub fn paragraphs_html(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("<p>{}</p>", escape_html(l)))
        .collect()
}

/// HTML from a helpdesk (an agent's reply) as plain text: tags dropped, `<br>`/`</p>` as line
/// breaks, the common entities decoded. The widget renders text only, so this is for
/// readability, not safety.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            rest = "";
            break;
        };
        let tag = rest[start + 1..start + end].trim().to_ascii_lowercase();
        if tag.starts_with("br") || tag == "/p" || tag == "/div" || tag == "/li" {
            out.push('\n');
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&");
    decoded
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

/// Percent-encode a query-string value (RFC 3986 unreserved characters stay).
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A base URL without its trailing slash, so `base + "/path"` never doubles it.
pub(crate) fn trim_base(base: &str) -> &str {
    base.trim_end_matches('/')
}

/// Basic auth header value.
pub(crate) fn basic_auth(user: &str, password: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

pub(crate) use crate::calendar::{civil_from_days, days_from_civil};

/// Milliseconds since the epoch as RFC 3339 UTC with milliseconds (`2025-01-08T16:45:20.000Z`).
pub fn rfc3339_ms(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let tod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        tod / 3600,
        tod % 3600 / 60,
        tod % 60
    )
}

/// Parse an ISO-8601 / RFC 3339 timestamp (`2021-03-25T05:09:27Z`, fractional seconds and
/// `±hh:mm` offsets allowed) into seconds since the epoch.
pub fn parse_iso8601(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = s.split_once(['T', 't', ' '])?;
    let mut dp = date.splitn(3, '-');
    let y: i64 = dp.next()?.parse().ok()?;
    let mo: i64 = dp.next()?.parse().ok()?;
    let d: i64 = dp.next()?.parse().ok()?;
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let (clock, offset_secs) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else {
        let idx = time.rfind(['+', '-'])?;
        let (c, off) = time.split_at(idx);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (oh, om) = off[1..].split_once(':').unwrap_or((&off[1..], "0"));
        let secs = oh.parse::<i64>().ok()? * 3600 + om.parse::<i64>().ok()? * 60;
        (c, sign * secs)
    };
    let clock = clock.split('.').next()?;
    let mut tp = clock.splitn(3, ':');
    let h: i64 = tp.next()?.parse().ok()?;
    let mi: i64 = tp.next()?.parse().ok()?;
    let sec: i64 = tp.next().unwrap_or("0").parse().ok()?;
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - offset_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_timestamps_round_trip() {
        assert_eq!(parse_iso8601("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_iso8601("2021-03-25T05:09:27Z"), Some(1_616_648_967));
        assert_eq!(
            parse_iso8601("2025-01-08T16:45:20.987654321Z"),
            parse_iso8601("2025-01-08T16:45:20Z")
        );
        assert_eq!(
            parse_iso8601("2021-03-25T07:09:27+02:00"),
            Some(1_616_648_967)
        );
        assert_eq!(parse_iso8601("yesterday"), None);
        assert_eq!(rfc3339_ms(1_616_648_967_123), "2021-03-25T05:09:27.123Z");
        assert_eq!(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn html_helpers() {
        assert_eq!(
            escape_html("<b>\"Tom\" & 'Jerry'</b>"),
            "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
        assert_eq!(paragraphs_html("a<b\n\nc"), "<p>a&lt;b</p><p>c</p>");
        assert_eq!(
            html_to_text("<p>Hi Ada,</p><p>Refund sent &amp; done.<br>Ana</p>"),
            "Hi Ada,\nRefund sent & done.\nAna"
        );
        assert_eq!(url_encode("type:ticket a\"b"), "type%3Aticket%20a%22b");
    }

    #[test]
    fn path_of_a_descriptor() {
        let r = HttpRequest::json(
            Method::Get,
            "http://127.0.0.1:9/api/v2/search?query=x".into(),
            &Value::Null,
        );
        assert_eq!(r.path(), "/api/v2/search?query=x");
        assert_eq!(r.body, "");
        assert_eq!(r.header_value("accept"), Some("application/json"));
    }

    #[test]
    fn retryable_errors() {
        let e = |status| ConnectorError::Status {
            status,
            message: String::new(),
        };
        assert!(e(429).is_retryable());
        assert!(e(503).is_retryable());
        assert!(!e(422).is_retryable());
        assert!(!ConnectorError::Malformed(String::new()).is_retryable());
    }
}
