//! HubSpot CRM v3: find the contact by email and log each handoff event as a note associated
//! with it (association type 202, note → contact). Notes have no idempotency key: the note
//! body carries the event key, and the worker records the note id before considering the
//! delivery done.

use serde_json::{json, Value};

use super::{
    escape_html, id_string, json_ok, rfc3339_ms, trim_base, ConnectorError, HttpRequest, Method,
    Notice,
};

/// HubSpot's association type id for note → contact.
pub const NOTE_TO_CONTACT: u32 = 202;

/// A HubSpot portal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hubspot {
    /// `https://api.hubapi.com` (tests: the fake).
    pub base_url: String,
    /// Private app token `pat-…` (Worker secret).
    pub token: String,
}

fn hubspot_message(v: &Value) -> Option<String> {
    let message = v["message"].as_str()?;
    Some(
        match v["category"].as_str().or_else(|| v["errorType"].as_str()) {
            Some(c) => format!("{c}: {message}"),
            None => message.to_owned(),
        },
    )
}

impl Hubspot {
    fn request(&self, path: &str, body: &Value) -> HttpRequest {
        HttpRequest::json(
            Method::Post,
            format!("{}{path}", trim_base(&self.base_url)),
            body,
        )
        .header("Authorization", format!("Bearer {}", self.token))
    }

    /// `POST /crm/v3/objects/contacts/search` for an exact email.
    pub fn search_contact(&self, email: &str) -> HttpRequest {
        self.request(
            "/crm/v3/objects/contacts/search",
            &json!({
                "filterGroups": [ { "filters": [ { "propertyName": "email", "operator": "EQ", "value": email } ] } ],
                "properties": ["email", "firstname", "lastname"],
                "limit": 1
            }),
        )
    }

    /// `POST /crm/v3/objects/notes` associated with the contact; `event` says what happened
    /// ("Escalated to Zendesk #5158", "Resolved"), `at_ms` when.
    pub fn create_note(
        &self,
        contact_id: &str,
        n: &Notice,
        event: &str,
        at_ms: i64,
    ) -> Result<HttpRequest, ConnectorError> {
        let contact: u64 = contact_id.parse().map_err(|_| {
            ConnectorError::Input(format!("HubSpot contact id '{contact_id}' is not numeric"))
        })?;
        Ok(self.request(
            "/crm/v3/objects/notes",
            &json!({
                "properties": {
                    "hs_timestamp": rfc3339_ms(at_ms),
                    "hs_note_body": note_body(n, event),
                },
                "associations": [ {
                    "to": { "id": contact.to_string() },
                    "types": [ { "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": NOTE_TO_CONTACT } ]
                } ]
            }),
        ))
    }
}

/// The note's HTML body (at most HubSpot's 65,536 characters).
pub fn note_body(n: &Notice, event: &str) -> String {
    let mut out = format!(
        "<p><strong>Baton handoff: {}</strong></p><p>{}</p><p>{}</p><ul><li>Priority: {}</li>",
        escape_html(event),
        escape_html(&n.title),
        escape_html(&n.summary),
        n.priority.label()
    );
    for (k, v) in [
        ("Category", &n.category),
        ("Segment", &n.segment),
        ("Ticket", &n.ticket_ref),
        ("Page", &n.page_url),
        ("Conversation", &n.link),
    ] {
        if let Some(v) = v {
            out.push_str(&format!("<li>{k}: {}</li>", escape_html(v)));
        }
    }
    out.push_str(&format!("</ul><p>Ref: {}</p>", escape_html(&n.key)));
    out.chars().take(65_536).collect()
}

/// The contact id a search found, if any.
pub fn parse_contact_search(status: u16, body: &str) -> Result<Option<String>, ConnectorError> {
    let v = json_ok(status, body, hubspot_message)?;
    let results = v["results"]
        .as_array()
        .ok_or_else(|| ConnectorError::Malformed("no results".into()))?;
    Ok(results.first().and_then(|r| id_string(&r["id"])))
}

/// The note id from a create (201).
pub fn parse_note(status: u16, body: &str) -> Result<String, ConnectorError> {
    let v = json_ok(status, body, hubspot_message)?;
    id_string(&v["id"]).ok_or_else(|| ConnectorError::Malformed("no id".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::Priority;

    fn hs() -> Hubspot {
        Hubspot {
            base_url: "http://127.0.0.1:9999".into(),
            token: "pat-1".into(),
        }
    }

    #[test]
    fn descriptors() {
        let s = hs().search_contact("ada@example.com");
        assert_eq!(
            (s.method, s.path()),
            (Method::Post, "/crm/v3/objects/contacts/search")
        );
        assert_eq!(s.header_value("Authorization"), Some("Bearer pat-1"));
        assert_eq!(
            s.json_body().unwrap()["filterGroups"],
            json!([{"filters": [{"propertyName": "email", "operator": "EQ", "value": "ada@example.com"}]}])
        );
        let n = Notice {
            key: "esc:c1:1".into(),
            title: "Refund <x>".into(),
            summary: "S".into(),
            priority: Priority::High,
            ..Notice::default()
        };
        let r = hs()
            .create_note("51", &n, "Escalated to Zendesk #5158", 1_736_354_720_000)
            .unwrap();
        assert_eq!(r.path(), "/crm/v3/objects/notes");
        let b = r.json_body().unwrap();
        assert_eq!(
            b["properties"]["hs_timestamp"],
            json!("2025-01-08T16:45:20.000Z")
        );
        assert!(b["properties"]["hs_note_body"]
            .as_str()
            .unwrap()
            .contains("Refund &lt;x&gt;"));
        assert!(b["properties"]["hs_note_body"]
            .as_str()
            .unwrap()
            .contains("Ref: esc:c1:1"));
        assert_eq!(
            b["associations"],
            json!([{"to": {"id": "51"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}]}])
        );
        assert!(hs().create_note("abc", &n, "x", 0).is_err());
    }

    #[test]
    fn responses() {
        assert_eq!(
            parse_contact_search(
                200,
                r#"{"total":1,"results":[{"id":"51","properties":{}}]}"#
            ),
            Ok(Some("51".into()))
        );
        assert_eq!(
            parse_contact_search(200, r#"{"total":0,"results":[]}"#),
            Ok(None)
        );
        assert_eq!(
            parse_note(201, r#"{"id":"9001","properties":{}}"#),
            Ok("9001".into())
        );
        assert_eq!(
            parse_note(
                400,
                r#"{"status":"error","message":"hs_timestamp is required","category":"VALIDATION_ERROR"}"#
            ),
            Err(ConnectorError::Status {
                status: 400,
                message: "VALIDATION_ERROR: hs_timestamp is required".into()
            })
        );
    }
}
