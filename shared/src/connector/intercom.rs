//! Intercom REST API (version pinned by [`VERSION`]): find or create the contact, open the
//! conversation as the contact, add the summary and transcript as an admin note, assign it to
//! the routed queue's team, set conversation attributes, relay customer follow-ups, and read
//! `conversation.admin.replied` / `conversation.admin.closed` webhooks.
//!
//! Order for an escalation: [`Intercom::search_contact`] → [`parse_contact_search`]; if none,
//! [`Intercom::create_contact`] → [`parse_contact`] (a 409 carries the existing id, which
//! [`parse_contact`] returns too); [`Intercom::create_conversation`] →
//! [`parse_conversation_created`] (store the id at once: Intercom has no idempotency keys);
//! then [`Intercom::add_note`], [`Intercom::assign_team`], [`Intercom::set_attributes`].

use serde_json::{json, Map, Value};

use super::{
    html_to_text, id_string, json_ok, trim_base, ConnectorError, HttpRequest, InboundEvent,
    InboundKind, Method, Requester, TicketRequest,
};

/// The `Intercom-Version` Baton speaks (the newest stable one in the vendor's OpenAPI repo).
pub const VERSION: &str = "2.16";

/// An Intercom workspace as the worker reaches it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Intercom {
    /// `https://api.intercom.io` (or the EU/AU region; tests: the fake).
    pub base_url: String,
    /// Access token (Worker secret).
    pub token: String,
    /// The admin id notes and assignments are made as (Baton's bot admin).
    pub admin_id: String,
}

impl Intercom {
    fn request(&self, method: Method, path: &str, body: &Value) -> HttpRequest {
        HttpRequest::json(method, format!("{}{path}", trim_base(&self.base_url)), body)
            .header("Authorization", format!("Bearer {}", self.token))
            .header("Intercom-Version", VERSION)
    }

    /// `POST /contacts/search` by email (exact match).
    pub fn search_contact(&self, email: &str) -> HttpRequest {
        self.request(
            Method::Post,
            "/contacts/search",
            &json!({ "query": { "field": "email", "operator": "=", "value": email } }),
        )
    }

    /// `POST /contacts` with role `user`, email, external id and name.
    pub fn create_contact(&self, r: &Requester) -> Result<HttpRequest, ConnectorError> {
        if r.email.is_none() && r.external_id.is_none() {
            return Err(ConnectorError::Input(
                "an Intercom contact needs an email or an external id".into(),
            ));
        }
        let mut body = Map::new();
        body.insert("role".into(), json!("user"));
        if let Some(id) = &r.external_id {
            body.insert("external_id".into(), json!(id));
        }
        if let Some(email) = &r.email {
            body.insert("email".into(), json!(email));
        }
        if let Some(name) = &r.name {
            body.insert("name".into(), json!(name));
        }
        Ok(self.request(Method::Post, "/contacts", &Value::Object(body)))
    }

    /// `POST /conversations` from the contact, with the customer's opening words as body
    /// (plain text; Intercom does not take HTML here).
    pub fn create_conversation(&self, contact_id: &str, t: &TicketRequest) -> HttpRequest {
        let opening = t
            .transcript
            .iter()
            .find(|l| l.speaker == super::Speaker::Customer)
            .map_or_else(|| t.subject.clone(), |l| l.text.clone());
        self.request(
            Method::Post,
            "/conversations",
            &json!({ "from": { "type": "user", "id": contact_id }, "body": opening }),
        )
    }

    /// `POST /conversations/{id}/reply` as an admin note (HTML allowed): the summary followed by
    /// the transcript and context.
    pub fn add_note(&self, conversation_id: &str, html: &str) -> HttpRequest {
        self.request(
            Method::Post,
            &format!("/conversations/{conversation_id}/reply"),
            &json!({
                "message_type": "note",
                "type": "admin",
                "admin_id": self.admin_id,
                "body": html,
            }),
        )
    }

    /// The note body for an escalation: summary, then transcript and context.
    pub fn note_html(t: &TicketRequest) -> String {
        format!(
            "<p><strong>Handoff summary</strong></p>{}{}",
            t.summary_html(),
            t.note_html()
        )
    }

    /// `POST /conversations/{id}/parts`: assign to the routed queue's team.
    pub fn assign_team(&self, conversation_id: &str, team_id: &str) -> HttpRequest {
        self.request(
            Method::Post,
            &format!("/conversations/{conversation_id}/parts"),
            &json!({
                "message_type": "assignment",
                "type": "team",
                "admin_id": self.admin_id,
                "assignee_id": team_id,
                "body": "Escalated by Baton",
            }),
        )
    }

    /// `PUT /conversations/{id}`: title and mapped conversation attributes (which must exist
    /// as conversation data attributes in the workspace).
    pub fn set_attributes(&self, conversation_id: &str, t: &TicketRequest) -> HttpRequest {
        let mut attrs = Map::new();
        for f in &t.fields {
            attrs.insert(f.name.clone(), f.value.clone());
        }
        self.request(
            Method::Put,
            &format!("/conversations/{conversation_id}"),
            &json!({ "title": t.subject, "custom_attributes": attrs }),
        )
    }

    /// `POST /conversations/{id}/reply` as the contact: a customer message after the handoff.
    /// A user reply reopens a closed conversation in Intercom.
    pub fn customer_reply(
        &self,
        conversation_id: &str,
        contact_id: &str,
        text: &str,
    ) -> HttpRequest {
        self.request(
            Method::Post,
            &format!("/conversations/{conversation_id}/reply"),
            &json!({
                "message_type": "comment",
                "type": "user",
                "intercom_user_id": contact_id,
                "body": text,
            }),
        )
    }
}

fn intercom_message(v: &Value) -> Option<String> {
    let first = v["errors"].as_array()?.first()?;
    Some(format!(
        "{}: {}",
        first["code"].as_str().unwrap_or("error"),
        first["message"].as_str().unwrap_or("")
    ))
}

/// The first contact a search found, if any.
pub fn parse_contact_search(status: u16, body: &str) -> Result<Option<String>, ConnectorError> {
    let v = json_ok(status, body, intercom_message)?;
    let data = v["data"]
        .as_array()
        .ok_or_else(|| ConnectorError::Malformed("no data".into()))?;
    Ok(data.first().and_then(|c| id_string(&c["id"])))
}

/// The contact id from a create (200), or from a 409 "already exists with id=…" answer.
pub fn parse_contact(status: u16, body: &str) -> Result<String, ConnectorError> {
    if status == 409 {
        let message = serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|v| intercom_message(&v))
            .unwrap_or_default();
        if let Some((_, rest)) = message.split_once("id=") {
            let id: String = rest
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            if !id.is_empty() {
                return Ok(id);
            }
        }
    }
    let v = json_ok(status, body, intercom_message)?;
    id_string(&v["id"]).ok_or_else(|| ConnectorError::Malformed("no contact id".into()))
}

/// The conversation id from `POST /conversations` (a `user_message` whose
/// `conversation_id` is what to store).
pub fn parse_conversation_created(status: u16, body: &str) -> Result<String, ConnectorError> {
    let v = json_ok(status, body, intercom_message)?;
    id_string(&v["conversation_id"])
        .ok_or_else(|| ConnectorError::Malformed("no conversation_id".into()))
}

/// A conversation answer (reply, parts, update): its id and state.
pub fn parse_conversation(status: u16, body: &str) -> Result<(String, String), ConnectorError> {
    let v = json_ok(status, body, intercom_message)?;
    let id = id_string(&v["id"]).ok_or_else(|| ConnectorError::Malformed("no id".into()))?;
    Ok((id, v["state"].as_str().unwrap_or("open").to_owned()))
}

/// Turn a verified Intercom notification into an event; `Ok(None)` for topics Baton ignores
/// (`ping`, notes, assignments...).
pub fn parse_webhook(body: &str) -> Result<Option<InboundEvent>, ConnectorError> {
    let v: Value =
        serde_json::from_str(body).map_err(|e| ConnectorError::Malformed(e.to_string()))?;
    let topic = v["topic"].as_str().unwrap_or_default();
    let item = &v["data"]["item"];
    let event_id = id_string(&v["id"]);
    let kind = match topic {
        "conversation.admin.replied" => {
            let parts = item["conversation_parts"]["conversation_parts"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let Some(part) = parts
                .iter()
                .rev()
                .find(|p| p["part_type"].as_str() == Some("comment"))
            else {
                return Ok(None);
            };
            let text = html_to_text(part["body"].as_str().unwrap_or_default());
            if text.is_empty() {
                return Ok(None);
            }
            InboundKind::AgentReply {
                agent: part["author"]["name"].as_str().map(str::to_owned),
                text,
            }
        }
        "conversation.admin.closed" => InboundKind::Solved,
        "conversation.admin.opened" => InboundKind::Reopened,
        _ => return Ok(None),
    };
    let ticket_id =
        id_string(&item["id"]).ok_or_else(|| ConnectorError::Malformed("no item.id".into()))?;
    let external_id = item["custom_attributes"]["baton_escalation"]
        .as_str()
        .map(str::to_owned);
    Ok(Some(InboundEvent {
        event_id,
        ticket_id,
        external_id,
        kind,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::{FieldValue, Priority, Speaker, TranscriptLine};

    fn ic() -> Intercom {
        Intercom {
            base_url: "http://127.0.0.1:9999".into(),
            token: "tok".into(),
            admin_id: "991267628".into(),
        }
    }

    fn ticket() -> TicketRequest {
        TicketRequest {
            external_id: "esc:c1:1".into(),
            subject: "Refund".into(),
            summary: "Charged twice.".into(),
            transcript: vec![
                TranscriptLine {
                    speaker: Speaker::Ai,
                    text: "Hi!".into(),
                },
                TranscriptLine {
                    speaker: Speaker::Customer,
                    text: "I was charged twice".into(),
                },
            ],
            priority: Priority::High,
            fields: vec![
                FieldValue {
                    name: "baton_escalation".into(),
                    value: json!("esc:c1:1"),
                },
                FieldValue {
                    name: "ai_confidence".into(),
                    value: json!(42),
                },
            ],
            requester: Requester {
                email: Some("ada@example.com".into()),
                name: Some("Ada".into()),
                external_id: Some("u-42".into()),
            },
            ..TicketRequest::default()
        }
    }

    #[test]
    fn contact_descriptors() {
        let s = ic().search_contact("ada@example.com");
        assert_eq!((s.method, s.path()), (Method::Post, "/contacts/search"));
        assert_eq!(s.header_value("Authorization"), Some("Bearer tok"));
        assert_eq!(s.header_value("Intercom-Version"), Some("2.16"));
        assert_eq!(
            s.json_body().unwrap(),
            json!({"query": {"field": "email", "operator": "=", "value": "ada@example.com"}})
        );
        let c = ic().create_contact(&ticket().requester).unwrap();
        assert_eq!(
            c.json_body().unwrap(),
            json!({"role": "user", "external_id": "u-42", "email": "ada@example.com", "name": "Ada"})
        );
        assert!(ic().create_contact(&Requester::default()).is_err());
    }

    #[test]
    fn conversation_descriptors() {
        let t = ticket();
        let c = ic().create_conversation("6762f11b1bb69f9f2193bba3", &t);
        assert_eq!(
            c.json_body().unwrap(),
            json!({"from": {"type": "user", "id": "6762f11b1bb69f9f2193bba3"}, "body": "I was charged twice"})
        );
        let n = ic().add_note("499", &Intercom::note_html(&t));
        assert_eq!(n.path(), "/conversations/499/reply");
        let nb = n.json_body().unwrap();
        assert_eq!(
            (
                nb["message_type"].as_str(),
                nb["type"].as_str(),
                nb["admin_id"].as_str()
            ),
            (Some("note"), Some("admin"), Some("991267628"))
        );
        assert!(nb["body"]
            .as_str()
            .unwrap()
            .starts_with("<p><strong>Handoff summary"));
        let a = ic().assign_team("499", "5017691");
        assert_eq!(a.path(), "/conversations/499/parts");
        assert_eq!(a.json_body().unwrap()["assignee_id"], json!("5017691"));
        assert_eq!(a.json_body().unwrap()["type"], json!("team"));
        let u = ic().set_attributes("499", &t);
        assert_eq!((u.method, u.path()), (Method::Put, "/conversations/499"));
        assert_eq!(
            u.json_body().unwrap(),
            json!({"title": "Refund", "custom_attributes": {"baton_escalation": "esc:c1:1", "ai_confidence": 42}})
        );
        let r = ic().customer_reply("499", "6762f11b1bb69f9f2193bba3", "still there?");
        assert_eq!(
            r.json_body().unwrap()["intercom_user_id"],
            json!("6762f11b1bb69f9f2193bba3")
        );
    }

    #[test]
    fn responses() {
        assert_eq!(
            parse_contact_search(
                200,
                r#"{"type":"list","data":[{"type":"contact","id":"abc"}],"total_count":1}"#
            ),
            Ok(Some("abc".into()))
        );
        assert_eq!(
            parse_contact_search(200, r#"{"type":"list","data":[],"total_count":0}"#),
            Ok(None)
        );
        assert_eq!(
            parse_contact(200, r#"{"type":"contact","id":"c1"}"#),
            Ok("c1".into())
        );
        assert_eq!(
            parse_contact(
                409,
                r#"{"type":"error.list","errors":[{"code":"conflict","message":"A contact matching those details already exists with id=6762f0f31bb69f9f2193bb8b"}]}"#
            ),
            Ok("6762f0f31bb69f9f2193bb8b".into())
        );
        assert_eq!(
            parse_conversation_created(
                200,
                r#"{"type":"user_message","id":"403918330","conversation_id":"499"}"#
            ),
            Ok("499".into())
        );
        assert_eq!(
            parse_conversation_created(
                401,
                r#"{"type":"error.list","errors":[{"code":"unauthorized","message":"Access Token Invalid"}]}"#
            ),
            Err(ConnectorError::Status {
                status: 401,
                message: "unauthorized: Access Token Invalid".into()
            })
        );
    }

    #[test]
    fn webhooks() {
        let replied = r#"{"type":"notification_event","id":"notif_1","topic":"conversation.admin.replied",
          "data":{"type":"notification_event_data","item":{"type":"conversation","id":"499","state":"open",
          "custom_attributes":{"baton_escalation":"esc:c1:1"},
          "conversation_parts":{"conversation_parts":[{"part_type":"comment","body":"<p>Refund sent.</p>","author":{"type":"admin","id":"1","name":"Ana"}}]}}}}"#;
        assert_eq!(
            parse_webhook(replied).unwrap(),
            Some(InboundEvent {
                event_id: Some("notif_1".into()),
                ticket_id: "499".into(),
                external_id: Some("esc:c1:1".into()),
                kind: InboundKind::AgentReply {
                    agent: Some("Ana".into()),
                    text: "Refund sent.".into()
                }
            })
        );
        let closed = r#"{"type":"notification_event","id":"notif_2","topic":"conversation.admin.closed","data":{"item":{"type":"conversation","id":"499","state":"closed"}}}"#;
        assert_eq!(
            parse_webhook(closed).unwrap().unwrap().kind,
            InboundKind::Solved
        );
        let ping =
            r#"{"type":"notification_event","topic":"ping","data":{"item":{"type":"ping"}}}"#;
        assert_eq!(parse_webhook(ping).unwrap(), None);
    }
}
