//! Freshdesk API v2: ticket, private note, customer follow-up, and the automation-rule webhook
//! (unsigned: authenticated by a shared secret header, see
//! [`super::signature::verify_shared_secret`]).
//!
//! Freshdesk has no idempotency keys: the worker stores the ticket id durably as soon as
//! [`parse_ticket`] returns it, and maps the escalation key into a `cf_` field when the site
//! configured one ([`Freshdesk::escalation_field`]).

use serde_json::{json, Map, Value};

use super::{
    basic_auth, escape_html, id_string, json_ok, paragraphs_html, trim_base, ConnectorError,
    HttpRequest, InboundEvent, InboundKind, Method, Priority, TicketRequest,
};

/// Freshdesk ticket status codes.
pub mod status {
    /// Open.
    pub const OPEN: u8 = 2;
    /// Pending.
    pub const PENDING: u8 = 3;
    /// Resolved.
    pub const RESOLVED: u8 = 4;
    /// Closed.
    pub const CLOSED: u8 = 5;
}

/// Freshdesk's `source` code for chat.
pub const SOURCE_CHAT: u8 = 7;

/// Freshdesk priority codes: 1 Low, 2 Medium, 3 High, 4 Urgent.
pub fn priority(p: Priority) -> u8 {
    match p {
        Priority::Low => 1,
        Priority::Normal => 2,
        Priority::High => 3,
        Priority::Urgent => 4,
    }
}

/// A Freshdesk account as the worker reaches it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Freshdesk {
    /// `https://{domain}.freshdesk.com` (tests: the fake).
    pub base_url: String,
    /// The API key (Basic auth user, password `X`).
    pub api_key: String,
    /// A `cf_` text field that receives the escalation key, if the site created one.
    pub escalation_field: Option<String>,
    /// Ticket `type`, when the account requires one (must be one of its configured types).
    pub ticket_type: Option<String>,
}

/// A ticket as Freshdesk answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FreshdeskTicket {
    /// `id`.
    pub id: String,
    /// `requester_id`, the contact Freshdesk linked or created.
    pub requester_id: Option<String>,
    /// `status` code.
    pub status: u8,
}

impl Freshdesk {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", trim_base(&self.base_url))
    }

    fn authorize(&self, req: HttpRequest) -> HttpRequest {
        req.header("Authorization", basic_auth(&self.api_key, "X"))
    }

    /// `POST /api/v2/tickets`: requester email and name, subject, the summary as the
    /// HTML-escaped description, status Open, priority, source Chat, tags and `cf_` fields.
    /// Field names without the `cf_` prefix are refused (Freshdesk would answer 400
    /// `invalid_field`).
    pub fn create_ticket(&self, t: &TicketRequest) -> Result<HttpRequest, ConnectorError> {
        let Some(email) = &t.requester.email else {
            return Err(ConnectorError::Input(
                "a Freshdesk ticket needs the requester's email".into(),
            ));
        };
        let mut ticket = Map::new();
        ticket.insert("email".into(), json!(email));
        if let Some(name) = &t.requester.name {
            ticket.insert("name".into(), json!(name));
        }
        ticket.insert("subject".into(), json!(t.subject));
        let mut description = paragraphs_html(&t.summary);
        if let Some(url) = &t.conversation_url {
            description.push_str(&format!(
                "<p>Conversation in Baton: {}</p>",
                escape_html(url)
            ));
        }
        ticket.insert("description".into(), json!(description));
        ticket.insert("status".into(), json!(status::OPEN));
        ticket.insert("priority".into(), json!(priority(t.priority)));
        ticket.insert("source".into(), json!(SOURCE_CHAT));
        if let Some(kind) = &self.ticket_type {
            ticket.insert("type".into(), json!(kind));
        }
        if !t.tags.is_empty() {
            ticket.insert("tags".into(), json!(t.tags));
        }
        let mut custom = Map::new();
        for f in &t.fields {
            if !f.name.starts_with("cf_") {
                return Err(ConnectorError::Input(format!(
                    "Freshdesk custom field '{}' must be the field's cf_ name",
                    f.name
                )));
            }
            custom.insert(f.name.clone(), f.value.clone());
        }
        if let Some(field) = &self.escalation_field {
            custom.insert(field.clone(), json!(t.external_id));
        }
        if !custom.is_empty() {
            ticket.insert("custom_fields".into(), Value::Object(custom));
        }
        Ok(self.authorize(HttpRequest::json(
            Method::Post,
            self.url("/api/v2/tickets"),
            &Value::Object(ticket),
        )))
    }

    /// `POST /api/v2/tickets/{id}/notes`: a private note (HTML; use
    /// [`TicketRequest::note_html`] for the transcript and context).
    pub fn add_note(&self, ticket_id: &str, html: &str) -> HttpRequest {
        self.authorize(HttpRequest::json(
            Method::Post,
            self.url(&format!("/api/v2/tickets/{ticket_id}/notes")),
            &json!({ "body": html, "private": true }),
        ))
    }

    /// `POST /api/v2/tickets/{id}/notes` with `incoming: true`: a customer message after the
    /// handoff, shown as coming from the requester (`user_id`).
    pub fn customer_message(
        &self,
        ticket_id: &str,
        requester_id: Option<&str>,
        text: &str,
    ) -> HttpRequest {
        let mut body = json!({ "body": paragraphs_html(text), "private": false, "incoming": true });
        if let Some(id) = requester_id.and_then(|id| id.parse::<u64>().ok()) {
            body["user_id"] = json!(id);
        }
        self.authorize(HttpRequest::json(
            Method::Post,
            self.url(&format!("/api/v2/tickets/{ticket_id}/notes")),
            &body,
        ))
    }

    /// `PUT /api/v2/tickets/{id}` `{"status": 2}`: reopen a resolved ticket on a follow-up.
    pub fn reopen(&self, ticket_id: &str) -> HttpRequest {
        self.authorize(HttpRequest::json(
            Method::Put,
            self.url(&format!("/api/v2/tickets/{ticket_id}")),
            &json!({ "status": status::OPEN }),
        ))
    }
}

fn freshdesk_message(v: &Value) -> Option<String> {
    if let Some(errors) = v["errors"].as_array() {
        let parts: Vec<String> = errors
            .iter()
            .map(|e| {
                format!(
                    "{} {}: {}",
                    e["field"].as_str().unwrap_or("-"),
                    e["code"].as_str().unwrap_or("-"),
                    e["message"].as_str().unwrap_or("")
                )
            })
            .collect();
        return Some(parts.join("; "));
    }
    v["message"]
        .as_str()
        .or_else(|| v["description"].as_str())
        .map(str::to_owned)
}

/// The ticket from a create (201) or update (200) answer.
pub fn parse_ticket(status: u16, body: &str) -> Result<FreshdeskTicket, ConnectorError> {
    let v = json_ok(status, body, freshdesk_message)?;
    Ok(FreshdeskTicket {
        id: id_string(&v["id"]).ok_or_else(|| ConnectorError::Malformed("no id".into()))?,
        requester_id: id_string(&v["requester_id"]),
        status: v["status"].as_u64().unwrap_or(status::OPEN as u64) as u8,
    })
}

/// The note id from a notes answer (201).
pub fn parse_note(status: u16, body: &str) -> Result<String, ConnectorError> {
    let v = json_ok(status, body, freshdesk_message)?;
    id_string(&v["id"]).ok_or_else(|| ConnectorError::Malformed("no id".into()))
}

/// Turn an automation-rule webhook (after the shared secret was checked) into an event.
/// The body is the one `docs/connectors/freshdesk.md` configures:
/// `{"event":"reply"|"status","ticket_id":"{{ticket.id}}","status":"{{ticket.status}}",
/// "comment":"{{ticket.latest_public_comment}}","agent_name":"{{ticket.agent.name}}"}`.
/// Freshdesk renders status names ("Resolved"), numbers are accepted too.
pub fn parse_webhook(body: &str) -> Result<Option<InboundEvent>, ConnectorError> {
    let v: Value =
        serde_json::from_str(body).map_err(|e| ConnectorError::Malformed(e.to_string()))?;
    let v = if v["freshdesk_webhook"].is_object() {
        v["freshdesk_webhook"].clone()
    } else {
        v
    };
    let ticket_id = id_string(&v["ticket_id"])
        .ok_or_else(|| ConnectorError::Malformed("no ticket_id".into()))?;
    let status = match &v["status"] {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.to_ascii_lowercase(),
        _ => String::new(),
    };
    let solved = matches!(status.as_str(), "resolved" | "closed" | "4" | "5");
    let kind = match v["event"].as_str().unwrap_or_default() {
        "reply" => {
            let text = super::html_to_text(v["comment"].as_str().unwrap_or_default());
            if text.is_empty() {
                return Ok(None);
            }
            InboundKind::AgentReply {
                agent: v["agent_name"]
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
                text,
            }
        }
        _ if solved => InboundKind::Solved,
        _ => return Ok(None),
    };
    Ok(Some(InboundEvent {
        event_id: None,
        ticket_id,
        external_id: v["escalation_id"]
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        kind,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::{FieldValue, Requester, Speaker, TranscriptLine};

    fn fd() -> Freshdesk {
        Freshdesk {
            base_url: "http://127.0.0.1:9999".into(),
            api_key: "key123".into(),
            escalation_field: Some("cf_escalation_id".into()),
            ticket_type: None,
        }
    }

    fn ticket() -> TicketRequest {
        TicketRequest {
            external_id: "esc:c1:1".into(),
            subject: "Refund <urgent>".into(),
            summary: "Charged twice & angry.\nAI tried policy.".into(),
            transcript: vec![TranscriptLine {
                speaker: Speaker::Customer,
                text: "<b>help</b>".into(),
            }],
            context: vec![],
            priority: Priority::Urgent,
            tags: vec!["baton".into()],
            fields: vec![FieldValue {
                name: "cf_tier".into(),
                value: json!("gold"),
            }],
            requester: Requester {
                email: Some("ada@example.com".into()),
                name: Some("Ada".into()),
                external_id: None,
            },
            conversation_url: None,
        }
    }

    #[test]
    fn create_ticket_descriptor() {
        let r = fd().create_ticket(&ticket()).unwrap();
        assert_eq!(
            (r.method, r.url.as_str()),
            (Method::Post, "http://127.0.0.1:9999/api/v2/tickets")
        );
        // base64("key123:X")
        assert_eq!(r.header_value("Authorization"), Some("Basic a2V5MTIzOlg="));
        assert_eq!(
            r.json_body().unwrap(),
            json!({
                "email": "ada@example.com", "name": "Ada", "subject": "Refund <urgent>",
                "description": "<p>Charged twice &amp; angry.</p><p>AI tried policy.</p>",
                "status": 2, "priority": 4, "source": 7, "tags": ["baton"],
                "custom_fields": {"cf_tier": "gold", "cf_escalation_id": "esc:c1:1"}
            })
        );
        let mut bad = ticket();
        bad.fields[0].name = "tier".into();
        assert!(fd().create_ticket(&bad).is_err());
        bad.requester.email = None;
        assert!(fd().create_ticket(&bad).is_err());
    }

    #[test]
    fn note_follow_up_and_reopen() {
        let n = fd().add_note("77", &ticket().note_html());
        assert_eq!(n.path(), "/api/v2/tickets/77/notes");
        let b = n.json_body().unwrap();
        assert_eq!(b["private"], json!(true));
        assert!(b["body"]
            .as_str()
            .unwrap()
            .contains("&lt;b&gt;help&lt;/b&gt;"));
        let m = fd().customer_message("77", Some("5001"), "any news?");
        assert_eq!(
            m.json_body().unwrap(),
            json!({"body": "<p>any news?</p>", "private": false, "incoming": true, "user_id": 5001})
        );
        let o = fd().reopen("77");
        assert_eq!((o.method, o.path()), (Method::Put, "/api/v2/tickets/77"));
        assert_eq!(o.json_body().unwrap(), json!({"status": 2}));
    }

    #[test]
    fn responses_and_webhooks() {
        let t = parse_ticket(201, r#"{"id":77,"requester_id":5001,"status":2}"#).unwrap();
        assert_eq!(
            (t.id.as_str(), t.requester_id.as_deref()),
            ("77", Some("5001"))
        );
        let err = parse_ticket(
            400,
            r#"{"description":"Validation failed","errors":[{"field":"cf_x","message":"Unexpected/invalid field in request","code":"invalid_field"}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            err,
            ConnectorError::Status {
                status: 400,
                message: "cf_x invalid_field: Unexpected/invalid field in request".into()
            }
        );
        let reply = parse_webhook(
            r#"{"event":"reply","ticket_id":"77","status":"Open","comment":"<div>Refund sent&nbsp;today</div>","agent_name":"Ana"}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            reply.kind,
            InboundKind::AgentReply {
                agent: Some("Ana".into()),
                text: "Refund sent today".into()
            }
        );
        let solved = parse_webhook(
            r#"{"freshdesk_webhook":{"event":"status","ticket_id":77,"status":"Resolved"}}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(solved.kind, InboundKind::Solved);
        assert_eq!(
            parse_webhook(r#"{"event":"status","ticket_id":77,"status":"Pending"}"#).unwrap(),
            None
        );
    }
}
