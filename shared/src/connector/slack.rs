//! Slack `chat.postMessage` with Block Kit: an escalation alert (title, summary, priority,
//! segment, category, customer, page, link to the conversation) for the team's channel.
//! Slack answers HTTP 200 for failures too; [`parse_post_message`] reads `ok`.

use serde_json::{json, Value};

use super::{json_ok, trim_base, ConnectorError, HttpRequest, Method, Notice};

/// A bot posting to one channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slack {
    /// `https://slack.com` (tests: the fake); the path `/api/chat.postMessage` is appended.
    pub base_url: String,
    /// Bot token `xoxb-…` with `chat:write` (Worker secret).
    pub token: String,
    /// Channel id (`C…`), preferred over a name.
    pub channel: String,
}

/// Where a message landed: keep it to thread follow-ups under it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlackMessage {
    /// The channel id.
    pub channel: String,
    /// The message `ts` (its id).
    pub ts: String,
}

/// Escape the three characters Slack's mrkdwn treats as control characters.
pub fn escape_mrkdwn(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Cut text to `max` characters (Block Kit limits), marking the cut with an ellipsis.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// The Block Kit blocks for a notice: header, summary section, fields, context, and a
/// button to the conversation when there is a link.
pub fn blocks(n: &Notice) -> Value {
    let mut fields =
        vec![json!({"type": "mrkdwn", "text": format!("*Priority:*\n{}", n.priority.label())})];
    if let Some(segment) = &n.segment {
        fields.push(json!({"type": "mrkdwn", "text": clip(&format!("*Segment:*\n{}", escape_mrkdwn(segment)), 2000)}));
    }
    if let Some(category) = &n.category {
        fields.push(json!({"type": "mrkdwn", "text": clip(&format!("*Category:*\n{}", escape_mrkdwn(category)), 2000)}));
    }
    if let Some(customer) = &n.customer {
        fields.push(json!({"type": "mrkdwn", "text": clip(&format!("*Customer:*\n{}", escape_mrkdwn(customer)), 2000)}));
    }
    if let Some(ticket) = &n.ticket_ref {
        fields.push(json!({"type": "mrkdwn", "text": clip(&format!("*Ticket:*\n{}", escape_mrkdwn(ticket)), 2000)}));
    }
    let mut out = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": clip(&n.title, 150), "emoji": false}}),
        json!({"type": "section", "text": {"type": "mrkdwn", "text": clip(&escape_mrkdwn(&n.summary), 3000)}}),
        json!({"type": "section", "fields": fields}),
    ];
    if let Some(page) = &n.page_url {
        out.push(json!({"type": "context", "elements": [
            {"type": "mrkdwn", "text": clip(&format!("Page: {}", escape_mrkdwn(page)), 2000)}
        ]}));
    }
    if let Some(link) = &n.link {
        out.push(
            json!({"type": "actions", "block_id": "baton_actions", "elements": [
                {"type": "button", "action_id": "open_conversation", "style": "primary",
                 "text": {"type": "plain_text", "text": "Open conversation"}, "url": link}
            ]}),
        );
    }
    Value::Array(out)
}

impl Slack {
    /// `POST /api/chat.postMessage` with blocks and a plain `text` fallback (notifications
    /// and screen readers use it).
    pub fn post_message(&self, n: &Notice) -> HttpRequest {
        let text = clip(
            &format!("New escalation ({}): {}", n.priority.label(), n.title),
            3000,
        );
        let body = json!({
            "channel": self.channel,
            "text": text,
            "blocks": blocks(n),
            "unfurl_links": false,
            "unfurl_media": false,
        });
        HttpRequest::json(
            Method::Post,
            format!("{}/api/chat.postMessage", trim_base(&self.base_url)),
            &body,
        )
        .header("Authorization", format!("Bearer {}", self.token))
    }
}

/// Read Slack's answer: `ok:true` → where the message landed; `ok:false` → a vendor error
/// (`ratelimited` and `internal_error` retryable, the rest need a config fix).
pub fn parse_post_message(status: u16, body: &str) -> Result<SlackMessage, ConnectorError> {
    let v = json_ok(status, body, |v| v["error"].as_str().map(str::to_owned))?;
    if v["ok"].as_bool() != Some(true) {
        let code = v["error"].as_str().unwrap_or("unknown").to_owned();
        let retryable = matches!(
            code.as_str(),
            "ratelimited"
                | "rate_limited"
                | "internal_error"
                | "fatal_error"
                | "service_unavailable"
                | "request_timeout"
        );
        return Err(ConnectorError::Vendor {
            vendor: "slack",
            code,
            retryable,
        });
    }
    match (v["channel"].as_str(), v["ts"].as_str()) {
        (Some(channel), Some(ts)) => Ok(SlackMessage {
            channel: channel.to_owned(),
            ts: ts.to_owned(),
        }),
        _ => Err(ConnectorError::Malformed("no channel/ts".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::Priority;

    fn notice() -> Notice {
        Notice {
            key: "esc:c1:1".into(),
            title: "Billing dispute: refund not received".into(),
            summary: "Charged twice <again> & upset.".into(),
            priority: Priority::Urgent,
            category: Some("billing".into()),
            segment: Some("enterprise".into()),
            customer: Some("Ada <ada@example.com>".into()),
            page_url: Some("https://shop.example/billing".into()),
            link: Some("http://127.0.0.1:8787/inbox#c1".into()),
            ticket_ref: Some("Zendesk #5158".into()),
        }
    }

    #[test]
    fn post_message_descriptor() {
        let s = Slack {
            base_url: "http://127.0.0.1:9999".into(),
            token: "xoxb-1".into(),
            channel: "C123ABC456".into(),
        };
        let r = s.post_message(&notice());
        assert_eq!(
            (r.method, r.url.as_str()),
            (Method::Post, "http://127.0.0.1:9999/api/chat.postMessage")
        );
        assert_eq!(r.header_value("authorization"), Some("Bearer xoxb-1"));
        let b = r.json_body().unwrap();
        assert_eq!(b["channel"], json!("C123ABC456"));
        assert_eq!(
            b["text"],
            json!("New escalation (Urgent): Billing dispute: refund not received")
        );
        let blocks = b["blocks"].as_array().unwrap();
        assert_eq!(
            blocks
                .iter()
                .map(|b| b["type"].as_str().unwrap())
                .collect::<Vec<_>>(),
            ["header", "section", "section", "context", "actions"]
        );
        assert_eq!(
            blocks[1]["text"]["text"],
            json!("Charged twice &lt;again&gt; &amp; upset.")
        );
        let fields: Vec<&str> = blocks[2]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["text"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            [
                "*Priority:*\nUrgent",
                "*Segment:*\nenterprise",
                "*Category:*\nbilling",
                "*Customer:*\nAda &lt;ada@example.com&gt;",
                "*Ticket:*\nZendesk #5158"
            ]
        );
        assert_eq!(
            blocks[4]["elements"][0]["url"],
            json!("http://127.0.0.1:8787/inbox#c1")
        );
    }

    #[test]
    fn long_text_is_clipped_to_block_limits() {
        let mut n = notice();
        n.summary = "x".repeat(5000);
        n.title = "y".repeat(400);
        let b = blocks(&n);
        assert_eq!(b[0]["text"]["text"].as_str().unwrap().chars().count(), 150);
        assert_eq!(b[1]["text"]["text"].as_str().unwrap().chars().count(), 3000);
    }

    #[test]
    fn responses() {
        assert_eq!(
            parse_post_message(
                200,
                r#"{"ok":true,"channel":"C1","ts":"1503435956.000247","message":{}}"#
            ),
            Ok(SlackMessage {
                channel: "C1".into(),
                ts: "1503435956.000247".into()
            })
        );
        let e = parse_post_message(200, r#"{"ok":false,"error":"channel_not_found"}"#).unwrap_err();
        assert!(!e.is_retryable());
        let e = parse_post_message(200, r#"{"ok":false,"error":"ratelimited"}"#).unwrap_err();
        assert!(e.is_retryable());
        assert!(
            parse_post_message(429, r#"{"ok":false,"error":"ratelimited"}"#)
                .unwrap_err()
                .is_retryable()
        );
    }
}
