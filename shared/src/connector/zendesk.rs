//! Zendesk Support API v2: requester, ticket, internal note, follow-up/reopen, lookup by
//! external id, and the inbound webhook (event subscriptions or a trigger's JSON body).
//!
//! Calls, in the order the worker makes them for an escalation:
//! 1. [`Zendesk::create_or_update_user`] → [`parse_user`] (links the ticket to the existing
//!    user by email or external id);
//! 2. [`Zendesk::create_ticket`] → [`parse_ticket`] (`Idempotency-Key` and `external_id` are
//!    the escalation key, so a retry never duplicates it); after an ambiguous failure older than
//!    Zendesk's two-hour idempotency window, [`Zendesk::search_by_external_id`] →
//!    [`parse_search`] first;
//! 3. [`Zendesk::add_note`] with [`super::TicketRequest::note_text`] (transcript + context);
//! 4. later, a customer message: [`Zendesk::customer_follow_up`] (reopens a solved ticket); when
//!    Zendesk has closed the ticket ([`is_closed_ticket`]), [`Zendesk::follow_up_ticket`] instead.

use serde_json::{json, Map, Value};

use super::{
    basic_auth, id_string, json_ok, trim_base, url_encode, ConnectorError, HttpRequest,
    InboundEvent, InboundKind, Method, Priority, Requester, TicketRequest,
};

/// How Baton authenticates to Zendesk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZendeskAuth {
    /// API token: Basic `{email}/token:{token}`.
    ApiToken {
        /// The agent email the token belongs to.
        email: String,
        /// The API token (a Worker secret).
        token: String,
    },
    /// OAuth access token: `Bearer`.
    Bearer(String),
}

/// A Zendesk account as the worker reaches it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zendesk {
    /// `https://{subdomain}.zendesk.com` (tests: the fake's `http://127.0.0.1:port`).
    pub base_url: String,
    /// Credentials.
    pub auth: ZendeskAuth,
}

/// A ticket as Zendesk answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZendeskTicket {
    /// `ticket.id` (opaque string).
    pub id: String,
    /// `ticket.status` (`new`, `open`, ...), lower-case.
    pub status: String,
    /// `ticket.external_id`, if set.
    pub external_id: Option<String>,
}

/// Zendesk's priority names.
pub fn priority(p: Priority) -> &'static str {
    match p {
        Priority::Low => "low",
        Priority::Normal => "normal",
        Priority::High => "high",
        Priority::Urgent => "urgent",
    }
}

impl Zendesk {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", trim_base(&self.base_url))
    }

    fn authorize(&self, req: HttpRequest) -> HttpRequest {
        let value = match &self.auth {
            ZendeskAuth::ApiToken { email, token } => basic_auth(&format!("{email}/token"), token),
            ZendeskAuth::Bearer(t) => format!("Bearer {t}"),
        };
        req.header("Authorization", value)
    }

    /// `POST /api/v2/users/create_or_update.json`: find the end user by email or external id,
    /// creating them if unknown. Call once per escalation (Zendesk throttles repeated updates).
    pub fn create_or_update_user(
        &self,
        requester: &Requester,
    ) -> Result<HttpRequest, ConnectorError> {
        if requester.email.is_none() && requester.external_id.is_none() {
            return Err(ConnectorError::Input(
                "a Zendesk user needs an email or an external id".into(),
            ));
        }
        let mut user = Map::new();
        let name = requester
            .name
            .clone()
            .or_else(|| requester.email.clone())
            .unwrap_or_else(|| "Website visitor".into());
        user.insert("name".into(), json!(name));
        if let Some(email) = &requester.email {
            user.insert("email".into(), json!(email));
        }
        if let Some(id) = &requester.external_id {
            user.insert("external_id".into(), json!(id));
        }
        user.insert("role".into(), json!("end-user"));
        let body = json!({ "user": user });
        Ok(self.authorize(HttpRequest::json(
            Method::Post,
            self.url("/api/v2/users/create_or_update.json"),
            &body,
        )))
    }

    /// `POST /api/v2/tickets.json`: the ticket with the summary as its first (internal)
    /// comment, priority, tags, mapped custom fields and the escalation key as `external_id`
    /// and `Idempotency-Key`. `requester_id` comes from [`parse_user`]; without it the
    /// requester's name and email are sent and Zendesk links or creates the user itself.
    /// Custom fields whose name is not a numeric Zendesk field id are refused.
    pub fn create_ticket(
        &self,
        t: &TicketRequest,
        requester_id: Option<&str>,
    ) -> Result<HttpRequest, ConnectorError> {
        let mut ticket = Map::new();
        ticket.insert("subject".into(), json!(t.subject));
        ticket.insert(
            "comment".into(),
            json!({ "body": t.summary, "public": false }),
        );
        match requester_id.and_then(|id| id.parse::<u64>().ok()) {
            Some(id) => {
                ticket.insert("requester_id".into(), json!(id));
            }
            None => {
                let Some(email) = &t.requester.email else {
                    return Err(ConnectorError::Input(
                        "a Zendesk ticket needs a requester id or email".into(),
                    ));
                };
                let name = t.requester.name.clone().unwrap_or_else(|| email.clone());
                ticket.insert("requester".into(), json!({ "name": name, "email": email }));
            }
        }
        ticket.insert("priority".into(), json!(priority(t.priority)));
        ticket.insert("type".into(), json!("question"));
        if !t.tags.is_empty() {
            ticket.insert("tags".into(), json!(t.tags));
        }
        let mut custom = Vec::new();
        for f in &t.fields {
            let id: u64 = f.name.parse().map_err(|_| {
                ConnectorError::Input(format!(
                    "Zendesk custom field '{}' must be a numeric ticket field id",
                    f.name
                ))
            })?;
            custom.push(json!({ "id": id, "value": f.value }));
        }
        if !custom.is_empty() {
            ticket.insert("custom_fields".into(), Value::Array(custom));
        }
        ticket.insert("external_id".into(), json!(t.external_id));
        let body = json!({ "ticket": ticket });
        Ok(self
            .authorize(HttpRequest::json(
                Method::Post,
                self.url("/api/v2/tickets.json"),
                &body,
            ))
            .header("Idempotency-Key", t.external_id.clone()))
    }

    /// `PUT /api/v2/tickets/{id}.json` with an internal note (`public: false`).
    pub fn add_note(&self, ticket_id: &str, text: &str) -> HttpRequest {
        let body = json!({ "ticket": { "comment": { "body": text, "public": false } } });
        self.authorize(HttpRequest::json(
            Method::Put,
            self.url(&format!("/api/v2/tickets/{}.json", url_encode(ticket_id))),
            &body,
        ))
    }

    /// `PUT /api/v2/tickets/{id}.json`: a customer message after the handoff, as a public
    /// comment authored by the requester, setting the status back to `open` (which reopens a
    /// solved ticket; a closed one cannot be reopened: create a follow-up ticket then).
    pub fn customer_follow_up(
        &self,
        ticket_id: &str,
        requester_id: Option<&str>,
        text: &str,
    ) -> HttpRequest {
        let mut comment = json!({ "body": text, "public": true });
        if let Some(id) = requester_id.and_then(|id| id.parse::<u64>().ok()) {
            comment["author_id"] = json!(id);
        }
        let body = json!({ "ticket": { "comment": comment, "status": "open" } });
        self.authorize(HttpRequest::json(
            Method::Put,
            self.url(&format!("/api/v2/tickets/{}.json", url_encode(ticket_id))),
            &body,
        ))
    }

    /// `POST /api/v2/tickets.json` with `via_followup_source_id`: a customer message after
    /// Zendesk closed `closed_id` (closed tickets take no more comments) starts a follow-up
    /// ticket linked to it, the message as its first public comment from the requester.
    /// `key` (unique per message) is the `Idempotency-Key` and `external_id`, so a retry
    /// never opens a second one.
    pub fn follow_up_ticket(
        &self,
        closed_id: &str,
        requester_id: Option<&str>,
        subject: &str,
        text: &str,
        key: &str,
    ) -> HttpRequest {
        let mut ticket = Map::new();
        if let Ok(id) = closed_id.parse::<u64>() {
            ticket.insert("via_followup_source_id".into(), json!(id));
        }
        ticket.insert("subject".into(), json!(subject));
        let mut comment = json!({ "body": text, "public": true });
        if let Some(id) = requester_id.and_then(|id| id.parse::<u64>().ok()) {
            comment["author_id"] = json!(id);
            ticket.insert("requester_id".into(), json!(id));
        }
        ticket.insert("comment".into(), comment);
        ticket.insert("status".into(), json!("open"));
        ticket.insert("external_id".into(), json!(key));
        self.authorize(HttpRequest::json(
            Method::Post,
            self.url("/api/v2/tickets.json"),
            &json!({ "ticket": ticket }),
        ))
        .header("Idempotency-Key", key.to_owned())
    }

    /// `GET /api/v2/search.json?query=type:ticket external_id:"…"`: find a ticket made by an
    /// earlier attempt whose answer was lost.
    pub fn search_by_external_id(&self, external_id: &str) -> HttpRequest {
        let query = format!("type:ticket external_id:\"{external_id}\"");
        self.authorize(HttpRequest::json(
            Method::Get,
            self.url(&format!("/api/v2/search.json?query={}", url_encode(&query))),
            &Value::Null,
        ))
    }
}

fn zendesk_message(v: &Value) -> Option<String> {
    let error = v.get("error")?;
    let head = match error {
        Value::String(s) => s.clone(),
        Value::Object(o) => o.get("title").and_then(Value::as_str)?.to_owned(),
        _ => return None,
    };
    Some(match v.get("description").and_then(Value::as_str) {
        Some(d) => format!("{head}: {d}"),
        None => head,
    })
}

/// The user id from `create_or_update` (201 created or 200 existing).
pub fn parse_user(status: u16, body: &str) -> Result<String, ConnectorError> {
    let v = json_ok(status, body, zendesk_message)?;
    id_string(&v["user"]["id"]).ok_or_else(|| ConnectorError::Malformed("no user.id".into()))
}

fn ticket_of(v: &Value) -> Option<ZendeskTicket> {
    Some(ZendeskTicket {
        id: id_string(&v["id"])?,
        status: v["status"].as_str().unwrap_or("new").to_ascii_lowercase(),
        external_id: v["external_id"].as_str().map(str::to_owned),
    })
}

/// The ticket from a create (201) or update (200) answer.
pub fn parse_ticket(status: u16, body: &str) -> Result<ZendeskTicket, ConnectorError> {
    let v = json_ok(status, body, zendesk_message)?;
    ticket_of(&v["ticket"]).ok_or_else(|| ConnectorError::Malformed("no ticket.id".into()))
}

/// The first ticket a search found with exactly this external id, if any.
pub fn parse_search(
    status: u16,
    body: &str,
    external_id: &str,
) -> Result<Option<ZendeskTicket>, ConnectorError> {
    let v = json_ok(status, body, zendesk_message)?;
    let results = v["results"]
        .as_array()
        .ok_or_else(|| ConnectorError::Malformed("no results".into()))?;
    Ok(results
        .iter()
        .filter(|r| r["result_type"].as_str().is_none_or(|t| t == "ticket"))
        .filter_map(ticket_of)
        .find(|t| t.external_id.as_deref() == Some(external_id)))
}

/// Whether an update was refused because Zendesk has closed the ticket (a solved ticket is
/// closed some days later and then takes no comments): a 422 whose `details.status` says so.
pub fn is_closed_ticket(status: u16, body: &str) -> bool {
    if status != 422 {
        return false;
    }
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    v["details"]["status"].as_array().is_some_and(|errors| {
        errors.iter().any(|e| {
            e["error"].as_str() == Some("ClosedTicket")
                || e["description"]
                    .as_str()
                    .is_some_and(|d| d.to_ascii_lowercase().contains("closed"))
        })
    })
}

fn is_solved(status: &str) -> bool {
    matches!(status.to_ascii_lowercase().as_str(), "solved" | "closed")
}

/// Turn a verified Zendesk webhook body into an event; `Ok(None)` for events Baton ignores
/// (private notes, the requester's own comments, other event types).
///
/// Understands both connection modes: event subscriptions
/// (`zen:event-type:ticket.comment_added` with `event.comment.{body,is_public,author}`,
/// `zen:event-type:ticket.status_changed` with `event.current`), and the trigger body the setup
/// guide asks for: `{"ticket_id","external_id","status","comment","comment_is_public",
/// "author_is_agent","author_name","event"}` (see `docs/connectors/zendesk.md`).
pub fn parse_webhook(body: &str) -> Result<Option<InboundEvent>, ConnectorError> {
    let v: Value =
        serde_json::from_str(body).map_err(|e| ConnectorError::Malformed(e.to_string()))?;
    if let Some(kind) = v["type"].as_str() {
        let detail = &v["detail"];
        let ticket_id = id_string(&detail["id"])
            .or_else(|| {
                v["subject"]
                    .as_str()
                    .and_then(|s| s.rsplit(':').next())
                    .map(str::to_owned)
            })
            .ok_or_else(|| ConnectorError::Malformed("no ticket id".into()))?;
        let event_id = id_string(&v["id"]);
        let external_id = detail["external_id"].as_str().map(str::to_owned);
        let event = &v["event"];
        let kind = match kind {
            "zen:event-type:ticket.comment_added" => {
                let c = &event["comment"];
                let public = c["is_public"].as_bool().unwrap_or(false);
                let staff = c["author"]["is_staff"].as_bool().unwrap_or(false);
                let text = c["body"].as_str().unwrap_or_default().trim().to_owned();
                if !public || !staff || text.is_empty() {
                    return Ok(None);
                }
                InboundKind::AgentReply {
                    agent: c["author"]["name"].as_str().map(str::to_owned),
                    text,
                }
            }
            "zen:event-type:ticket.status_changed" => {
                let current = event["current"].as_str().unwrap_or_default();
                let previous = event["previous"].as_str().unwrap_or_default();
                if is_solved(current) {
                    InboundKind::Solved
                } else if is_solved(previous) {
                    InboundKind::Reopened
                } else {
                    return Ok(None);
                }
            }
            _ => return Ok(None),
        };
        return Ok(Some(InboundEvent {
            event_id,
            ticket_id,
            external_id,
            kind,
        }));
    }
    // Trigger mode: the body the setup guide configures.
    let ticket_id = id_string(&v["ticket_id"])
        .ok_or_else(|| ConnectorError::Malformed("no ticket_id".into()))?;
    let external_id = v["external_id"]
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let truthy = |x: &Value| x.as_bool().unwrap_or_else(|| x.as_str() == Some("true"));
    let kind = match v["event"].as_str().unwrap_or_default() {
        "comment" => {
            let text = v["comment"].as_str().unwrap_or_default().trim().to_owned();
            if text.is_empty() || !truthy(&v["comment_is_public"]) || !truthy(&v["author_is_agent"])
            {
                return Ok(None);
            }
            InboundKind::AgentReply {
                agent: v["author_name"]
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
                text,
            }
        }
        _ if is_solved(v["status"].as_str().unwrap_or_default()) => InboundKind::Solved,
        _ => return Ok(None),
    };
    Ok(Some(InboundEvent {
        event_id: None,
        ticket_id,
        external_id,
        kind,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::{FieldValue, Speaker, TranscriptLine};

    fn zd() -> Zendesk {
        Zendesk {
            base_url: "http://127.0.0.1:9999/".into(),
            auth: ZendeskAuth::ApiToken {
                email: "bot@example.com".into(),
                token: "tok".into(),
            },
        }
    }

    pub(crate) fn ticket() -> TicketRequest {
        TicketRequest {
            external_id: "esc:c1:1".into(),
            subject: "Billing dispute: refund not received".into(),
            summary: "Customer was charged twice.\nAI explained the refund policy.".into(),
            transcript: vec![
                TranscriptLine {
                    speaker: Speaker::Customer,
                    text: "I was charged twice <script>".into(),
                },
                TranscriptLine {
                    speaker: Speaker::Ai,
                    text: "Refunds take 5 days.".into(),
                },
            ],
            context: vec![("Page".into(), "https://shop.example/billing".into())],
            priority: Priority::High,
            tags: vec!["baton".into(), "billing".into()],
            fields: vec![FieldValue {
                name: "360000111".into(),
                value: json!("enterprise"),
            }],
            requester: Requester {
                email: Some("ada@example.com".into()),
                name: Some("Ada Lovelace".into()),
                external_id: Some("u-42".into()),
            },
            conversation_url: Some("http://127.0.0.1:8787/inbox#c1".into()),
        }
    }

    #[test]
    fn create_ticket_descriptor() {
        let r = zd().create_ticket(&ticket(), Some("8001")).unwrap();
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.url, "http://127.0.0.1:9999/api/v2/tickets.json");
        assert_eq!(r.header_value("idempotency-key"), Some("esc:c1:1"));
        // base64("bot@example.com/token:tok")
        assert_eq!(
            r.header_value("authorization"),
            Some("Basic Ym90QGV4YW1wbGUuY29tL3Rva2VuOnRvaw==")
        );
        assert_eq!(
            r.header_value("content-type"),
            Some("application/json; charset=utf-8")
        );
        let b = r.json_body().unwrap();
        assert_eq!(
            b,
            json!({"ticket": {
                "subject": "Billing dispute: refund not received",
                "comment": {"body": "Customer was charged twice.\nAI explained the refund policy.", "public": false},
                "requester_id": 8001,
                "priority": "high",
                "type": "question",
                "tags": ["baton", "billing"],
                "custom_fields": [{"id": 360000111u64, "value": "enterprise"}],
                "external_id": "esc:c1:1"
            }})
        );
    }

    #[test]
    fn create_ticket_without_user_id_sends_requester() {
        let r = zd().create_ticket(&ticket(), None).unwrap();
        let b = r.json_body().unwrap();
        assert_eq!(
            b["ticket"]["requester"],
            json!({"name": "Ada Lovelace", "email": "ada@example.com"})
        );
        let mut bad = ticket();
        bad.fields[0].name = "plan".into();
        assert!(matches!(
            zd().create_ticket(&bad, None),
            Err(ConnectorError::Input(_))
        ));
    }

    #[test]
    fn user_note_follow_up_and_search_descriptors() {
        let z = Zendesk {
            auth: ZendeskAuth::Bearer("oauth".into()),
            ..zd()
        };
        let u = z.create_or_update_user(&ticket().requester).unwrap();
        assert_eq!(u.path(), "/api/v2/users/create_or_update.json");
        assert_eq!(u.header_value("authorization"), Some("Bearer oauth"));
        assert_eq!(
            u.json_body().unwrap(),
            json!({"user": {"name": "Ada Lovelace", "email": "ada@example.com", "external_id": "u-42", "role": "end-user"}})
        );
        let n = z.add_note("5158", &ticket().note_text());
        assert_eq!(
            (n.method, n.path()),
            (Method::Put, "/api/v2/tickets/5158.json")
        );
        let nb = n.json_body().unwrap();
        assert_eq!(nb["ticket"]["comment"]["public"], json!(false));
        assert!(nb["ticket"]["comment"]["body"]
            .as_str()
            .unwrap()
            .contains("Customer: I was charged twice <script>"));
        let f = z.customer_follow_up("5158", Some("8001"), "Still waiting");
        assert_eq!(
            f.json_body().unwrap(),
            json!({"ticket": {"comment": {"body": "Still waiting", "public": true, "author_id": 8001}, "status": "open"}})
        );
        let s = z.search_by_external_id("esc:c1:1");
        assert_eq!(s.method, Method::Get);
        assert_eq!(
            s.path(),
            "/api/v2/search.json?query=type%3Aticket%20external_id%3A%22esc%3Ac1%3A1%22"
        );
        assert_eq!(s.body, "");
    }

    #[test]
    fn a_message_after_closing_opens_a_follow_up_ticket() {
        let closed = r#"{"error":"RecordInvalid","description":"Record validation errors","details":{"status":[{"description":"Status: closed prevents ticket update"}]}}"#;
        assert!(is_closed_ticket(422, closed));
        let other = r#"{"error":"RecordInvalid","description":"Record validation errors","details":{"requester":[{"description":"Requester not found"}]}}"#;
        assert!(!is_closed_ticket(422, other));
        assert!(!is_closed_ticket(500, closed));
        assert!(!is_closed_ticket(422, "not json"));
        let f = zd().follow_up_ticket(
            "5158",
            Some("8001"),
            "Follow-up to #5158",
            "It broke again",
            "esc:c1:1:msg:9",
        );
        assert_eq!((f.method, f.path()), (Method::Post, "/api/v2/tickets.json"));
        assert_eq!(f.header_value("idempotency-key"), Some("esc:c1:1:msg:9"));
        assert_eq!(
            f.json_body().unwrap(),
            json!({"ticket": {"via_followup_source_id": 5158, "subject": "Follow-up to #5158", "requester_id": 8001, "status": "open", "external_id": "esc:c1:1:msg:9",
                "comment": {"body": "It broke again", "public": true, "author_id": 8001}}})
        );
    }

    #[test]
    fn responses() {
        assert_eq!(
            parse_user(201, r#"{"user":{"id":8001,"name":"Ada"}}"#),
            Ok("8001".into())
        );
        let t = parse_ticket(
            201,
            r#"{"ticket":{"id":5158,"status":"new","external_id":"esc:c1:1"},"audit":{}}"#,
        )
        .unwrap();
        assert_eq!(t.id, "5158");
        assert_eq!(
            parse_ticket(
                422,
                r#"{"error":"RecordInvalid","description":"Record validation errors"}"#
            ),
            Err(ConnectorError::Status {
                status: 422,
                message: "RecordInvalid: Record validation errors".into()
            })
        );
        let found = parse_search(
            200,
            r#"{"results":[{"id":1,"result_type":"ticket","external_id":"other"},{"id":2,"result_type":"ticket","external_id":"esc:c1:1","status":"open"}],"count":2}"#,
            "esc:c1:1",
        )
        .unwrap();
        assert_eq!(found.map(|t| t.id), Some("2".into()));
    }

    #[test]
    fn inbound_event_subscriptions() {
        let reply = r#"{"type":"zen:event-type:ticket.comment_added","id":"ev1","subject":"zen:ticket:5158",
            "detail":{"id":"5158","external_id":"esc:c1:1","status":"OPEN"},
            "event":{"comment":{"id":"1","body":"Refund issued.","is_public":true,"author":{"id":"9","is_staff":true,"name":"Ana"}}}}"#;
        assert_eq!(
            parse_webhook(reply).unwrap(),
            Some(InboundEvent {
                event_id: Some("ev1".into()),
                ticket_id: "5158".into(),
                external_id: Some("esc:c1:1".into()),
                kind: InboundKind::AgentReply {
                    agent: Some("Ana".into()),
                    text: "Refund issued.".into()
                }
            })
        );
        let private = reply.replace("\"is_public\":true", "\"is_public\":false");
        assert_eq!(parse_webhook(&private).unwrap(), None);
        let customer = reply.replace("\"is_staff\":true", "\"is_staff\":false");
        assert_eq!(parse_webhook(&customer).unwrap(), None);
        let solved = r#"{"type":"zen:event-type:ticket.status_changed","id":"ev2","detail":{"id":"5158"},"event":{"current":"SOLVED","previous":"OPEN"}}"#;
        assert_eq!(
            parse_webhook(solved).unwrap().unwrap().kind,
            InboundKind::Solved
        );
        let reopened = r#"{"type":"zen:event-type:ticket.status_changed","detail":{"id":"5158"},"event":{"current":"OPEN","previous":"SOLVED"}}"#;
        assert_eq!(
            parse_webhook(reopened).unwrap().unwrap().kind,
            InboundKind::Reopened
        );
        assert!(parse_webhook("not json").is_err());
    }

    #[test]
    fn inbound_trigger_body() {
        let reply = r#"{"event":"comment","ticket_id":"5158","external_id":"esc:c1:1","status":"Open","comment":"Hi Ada","comment_is_public":"true","author_is_agent":"true","author_name":"Ana"}"#;
        assert_eq!(
            parse_webhook(reply).unwrap().unwrap().kind,
            InboundKind::AgentReply {
                agent: Some("Ana".into()),
                text: "Hi Ada".into()
            }
        );
        let solved = r#"{"event":"status","ticket_id":5158,"external_id":"","status":"Solved"}"#;
        let ev = parse_webhook(solved).unwrap().unwrap();
        assert_eq!((ev.kind, ev.external_id), (InboundKind::Solved, None));
    }
}
