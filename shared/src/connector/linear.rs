//! Linear `issueCreate` (GraphQL) for escalations in a bug category: title, markdown
//! description with the summary and page context, priority, labels. The issue id is a UUID
//! derived from the escalation key, so a retried create can never make a second issue.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{trim_base, ConnectorError, HttpRequest, Method, Notice, Priority};

/// The mutation Baton sends.
pub const ISSUE_CREATE: &str = "mutation IssueCreate($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { id identifier url } } }";

/// How Baton authenticates to Linear.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinearAuth {
    /// Personal API key, sent bare (`Authorization: lin_api_…`).
    ApiKey(String),
    /// OAuth access token (`Bearer`).
    Bearer(String),
}

/// A Linear team to file issues in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linear {
    /// `https://api.linear.app` (tests: the fake); `/graphql` is appended.
    pub base_url: String,
    /// Credentials.
    pub auth: LinearAuth,
    /// The team's id.
    pub team_id: String,
    /// Label ids to put on every issue.
    pub label_ids: Vec<String>,
}

/// The created issue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinearIssue {
    /// UUID.
    pub id: String,
    /// `ENG-123`.
    pub identifier: String,
    /// Link.
    pub url: Option<String>,
}

/// Linear priorities: 1 Urgent, 2 High, 3 Medium (Normal), 4 Low.
pub fn priority(p: Priority) -> u8 {
    match p {
        Priority::Urgent => 1,
        Priority::High => 2,
        Priority::Normal => 3,
        Priority::Low => 4,
    }
}

/// A UUID (version 4 layout) derived from the escalation key.
pub fn issue_id(key: &str) -> String {
    let d = Sha256::digest(key.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The markdown description.
pub fn description(n: &Notice) -> String {
    let mut out = format!("{}\n\n", n.summary);
    let mut row = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            out.push_str(&format!("- **{k}:** {v}\n"));
        }
    };
    row("Category", &n.category);
    row("Segment", &n.segment);
    row("Customer", &n.customer);
    row("Page", &n.page_url);
    row("Ticket", &n.ticket_ref);
    row("Conversation", &n.link);
    out.push_str(&format!("\n_Filed by Baton for escalation `{}`._\n", n.key));
    out
}

impl Linear {
    /// `POST /graphql` with the `issueCreate` mutation.
    pub fn issue_create(&self, n: &Notice) -> HttpRequest {
        let mut input = json!({
            "id": issue_id(&n.key),
            "teamId": self.team_id,
            "title": n.title,
            "description": description(n),
            "priority": priority(n.priority),
        });
        if !self.label_ids.is_empty() {
            input["labelIds"] = json!(self.label_ids);
        }
        let body = json!({ "query": ISSUE_CREATE, "variables": { "input": input } });
        let auth = match &self.auth {
            LinearAuth::ApiKey(k) => k.clone(),
            LinearAuth::Bearer(t) => format!("Bearer {t}"),
        };
        HttpRequest::json(
            Method::Post,
            format!("{}/graphql", trim_base(&self.base_url)),
            &body,
        )
        .header("Authorization", auth)
    }
}

/// Read the GraphQL answer. A `ratelimited` error (HTTP 400 or 429) is retryable; other
/// GraphQL errors are not.
pub fn parse_issue_create(status: u16, body: &str) -> Result<LinearIssue, ConnectorError> {
    let v: Option<Value> = serde_json::from_str(body).ok();
    if let Some(errors) = v
        .as_ref()
        .and_then(|v| v["errors"].as_array())
        .filter(|e| !e.is_empty())
    {
        let first = &errors[0];
        let code = first["extensions"]["type"]
            .as_str()
            .or_else(|| first["extensions"]["code"].as_str())
            .unwrap_or("graphql error")
            .to_owned();
        let retryable = status == 429
            || status >= 500
            || matches!(
                code.to_ascii_lowercase().as_str(),
                "ratelimited" | "network error" | "internal error" | "lock timeout"
            );
        return Err(ConnectorError::Vendor {
            vendor: "linear",
            code,
            retryable,
        });
    }
    let v = super::json_ok(status, body, |_| None)?;
    let payload = &v["data"]["issueCreate"];
    if payload["success"].as_bool() != Some(true) {
        return Err(ConnectorError::Malformed(
            "issueCreate did not succeed".into(),
        ));
    }
    let issue = &payload["issue"];
    match (issue["id"].as_str(), issue["identifier"].as_str()) {
        (Some(id), Some(identifier)) => Ok(LinearIssue {
            id: id.to_owned(),
            identifier: identifier.to_owned(),
            url: issue["url"].as_str().map(str::to_owned),
        }),
        _ => Err(ConnectorError::Malformed("no issue id".into())),
    }
}

/// Whether an `issueCreate` was refused because an issue with that id exists: the id is
/// derived from the escalation, so an earlier attempt whose answer was lost filed it.
pub fn already_exists(body: &str) -> bool {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["errors"].as_array().cloned())
        .is_some_and(|errors| {
            errors.iter().any(|e| {
                e["extensions"]["code"].as_str() == Some("CONFLICT")
                    || e["message"]
                        .as_str()
                        .is_some_and(|m| m.contains("already exists"))
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_create_descriptor() {
        let l = Linear {
            base_url: "http://127.0.0.1:9999".into(),
            auth: LinearAuth::ApiKey("lin_api_x".into()),
            team_id: "9cfb482a-81e3-4154-b5b9-2c805e70a02d".into(),
            label_ids: vec!["a1b2".into()],
        };
        let n = Notice {
            key: "esc:c1:1".into(),
            title: "Checkout button 500s".into(),
            summary: "Customer cannot pay.".into(),
            priority: Priority::High,
            category: Some("bug".into()),
            page_url: Some("https://shop.example/checkout".into()),
            ..Notice::default()
        };
        let r = l.issue_create(&n);
        assert_eq!(
            (r.method, r.url.as_str()),
            (Method::Post, "http://127.0.0.1:9999/graphql")
        );
        assert_eq!(r.header_value("Authorization"), Some("lin_api_x"));
        let b = r.json_body().unwrap();
        assert_eq!(b["query"], json!(ISSUE_CREATE));
        let input = &b["variables"]["input"];
        assert_eq!(
            input["teamId"],
            json!("9cfb482a-81e3-4154-b5b9-2c805e70a02d")
        );
        assert_eq!(input["priority"], json!(2));
        assert_eq!(input["labelIds"], json!(["a1b2"]));
        assert_eq!(input["id"], json!(issue_id("esc:c1:1")));
        let d = input["description"].as_str().unwrap();
        assert!(d.starts_with("Customer cannot pay.\n\n- **Category:** bug\n- **Page:** https://shop.example/checkout\n"), "{d}");
        let bearer = Linear {
            auth: LinearAuth::Bearer("t".into()),
            ..l
        };
        assert_eq!(
            bearer.issue_create(&n).header_value("Authorization"),
            Some("Bearer t")
        );
    }

    #[test]
    fn issue_ids_are_stable_uuid_v4_layout() {
        let id = issue_id("esc:c1:1");
        assert_eq!(id, issue_id("esc:c1:1"));
        assert_ne!(id, issue_id("esc:c1:2"));
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn responses() {
        let ok = r#"{"data":{"issueCreate":{"success":true,"issue":{"id":"u1","identifier":"ENG-7","url":"https://linear.app/x/issue/ENG-7"}}}}"#;
        assert_eq!(parse_issue_create(200, ok).unwrap().identifier, "ENG-7");
        let limited = r#"{"errors":[{"message":"Rate limit exceeded","extensions":{"type":"ratelimited","code":"RATELIMITED"}}],"data":null}"#;
        assert!(parse_issue_create(400, limited).unwrap_err().is_retryable());
        let invalid = r#"{"errors":[{"message":"Argument Validation Error","extensions":{"type":"invalid input"}}],"data":null}"#;
        assert!(!parse_issue_create(200, invalid).unwrap_err().is_retryable());
    }

    #[test]
    fn duplicate_ids_are_recognised() {
        assert!(already_exists(
            r#"{"errors":[{"message":"Entity already exists","extensions":{"type":"invalid input","code":"CONFLICT"}}],"data":null}"#
        ));
        assert!(!already_exists(
            r#"{"errors":[{"message":"Entity not found: Team","extensions":{"type":"invalid input"}}],"data":null}"#
        ));
        assert!(!already_exists("not json"));
    }
}
