//! The delivery outbox's rules: when to retry an outbound call, for how long, and what a
//! response means. The worker stores entries and drives them with alarms; the rules live here.

use serde::{Deserialize, Serialize};

/// What an outbox entry delivers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryKind {
    /// Create the ticket/conversation for an escalation in the site's helpdesk.
    CreateTicket,
    /// Tell the helpdesk about a customer message after the handoff.
    CustomerMessage,
    /// Notify a channel (Slack, Linear) about an escalation.
    Notify,
    /// Log a handoff event in the CRM.
    CrmLog,
}

/// One pending outbound call, committed with the state change that caused it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// Stable key: also the idempotency key sent to the receiver, so a retry is never a duplicate.
    pub key: String,
    /// What to deliver.
    pub kind: DeliveryKind,
    /// Which connector delivers it (`webhook`, `zendesk`, ...).
    pub connector: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// When to try next (ms since epoch).
    pub next_at_ms: f64,
    /// When the entry was created (ms since epoch).
    pub created_at_ms: f64,
    /// What went wrong last time, for the inbox and alerts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Connector-specific payload (e.g. the text of a follow-up message).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub payload: serde_json::Value,
}

/// When to retry: an explicit schedule of delays, with jitter, honouring `Retry-After`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Delay before retry n (1-based: `delays_ms[0]` follows the first failure).
    pub delays_ms: Vec<u64>,
    /// Fraction of each delay added or removed at random (0.2 = ±20 %).
    pub jitter: f64,
    /// Multiplies every delay; 1.0 in production, tiny in tests so a three-day schedule runs in seconds.
    pub scale: f64,
    /// Longest a single attempt may take before it counts as failed (ms, unscaled).
    pub attempt_timeout_ms: u64,
}

const SECOND: u64 = 1_000;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;

impl Default for RetryPolicy {
    /// Fast first retries for blips, then hourly and daily ones: about 4 days in all, so a
    /// helpdesk outage over a long weekend still ends in delivery.
    fn default() -> Self {
        Self {
            delays_ms: vec![
                5 * SECOND,
                30 * SECOND,
                2 * MINUTE,
                10 * MINUTE,
                30 * MINUTE,
                HOUR,
                2 * HOUR,
                4 * HOUR,
                8 * HOUR,
                12 * HOUR,
                24 * HOUR,
                24 * HOUR,
                24 * HOUR,
            ],
            jitter: 0.2,
            scale: 1.0,
            attempt_timeout_ms: 15 * SECOND,
        }
    }
}

impl RetryPolicy {
    /// Total time the schedule spans without jitter (ms, unscaled).
    pub fn span_ms(&self) -> u64 {
        self.delays_ms.iter().sum()
    }

    /// Total attempts: the first one plus one per delay.
    pub fn max_attempts(&self) -> u32 {
        self.delays_ms.len() as u32 + 1
    }

    /// The timeout for one attempt, scaled but never below 50 ms.
    pub fn attempt_timeout(&self) -> u64 {
        ((self.attempt_timeout_ms as f64 * self.scale.max(0.0)) as u64).max(50)
    }

    /// When to try again after `attempts` failed attempts, or `None` to give up.
    /// `random` is a number in [0, 1) supplied by the host; `retry_after_ms` is what the
    /// receiver asked for, which wins when it is longer than our own delay.
    pub fn next_at(
        &self,
        attempts: u32,
        now_ms: f64,
        retry_after_ms: Option<u64>,
        random: f64,
    ) -> Option<f64> {
        let index = attempts.checked_sub(1)? as usize;
        let base = *self.delays_ms.get(index)? as f64 * self.scale.max(0.0);
        let spread = base * self.jitter.clamp(0.0, 1.0);
        let ours = base - spread + 2.0 * spread * random.clamp(0.0, 1.0);
        let theirs = retry_after_ms.map(|ms| ms as f64).unwrap_or(0.0);
        Some(now_ms + ours.max(theirs))
    }
}

/// What a receiver's answer means for the entry.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Delivered; stop.
    Delivered,
    /// Try again later; the receiver may have said when.
    Retry {
        /// Requested wait, from `Retry-After` (ms).
        retry_after_ms: Option<u64>,
        /// Why, for the record.
        reason: String,
    },
    /// Retrying cannot help (bad request, bad credentials): fall back now.
    Permanent {
        /// Why, for the record.
        reason: String,
    },
    /// Not attempted: the vendor's rate budget is spent until then (ms since the epoch). The
    /// entry waits in the queue without counting an attempt.
    Deferred {
        /// When to try again.
        until_ms: f64,
    },
}

/// Classify an HTTP answer. `retry_after` is the raw header; `now_ms` resolves HTTP dates.
pub fn classify(status: u16, retry_after: Option<&str>, now_ms: f64) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered,
        // A conflict on an idempotent create means it already exists: that is success.
        409 => Outcome::Delivered,
        408 | 425 | 429 | 500..=599 => Outcome::Retry {
            retry_after_ms: retry_after.and_then(|v| parse_retry_after(v, now_ms)),
            reason: format!("HTTP {status}"),
        },
        _ => Outcome::Permanent {
            reason: format!("HTTP {status}: the receiver refused the request; check the connector's settings and secrets"),
        },
    }
}

/// `Retry-After` as milliseconds: either delta-seconds or an HTTP date (IMF-fixdate).
pub fn parse_retry_after(value: &str, now_ms: f64) -> Option<u64> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(secs.saturating_mul(1000));
    }
    let at = parse_http_date(value)?;
    Some((at - now_ms).max(0.0) as u64)
}

/// Parse `Sun, 06 Nov 1994 08:49:37 GMT` into ms since the epoch.
fn parse_http_date(s: &str) -> Option<f64> {
    let mut parts = s.split_whitespace();
    let _weekday = parts.next()?;
    let day: i64 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, sec) = (hms.next()??, hms.next()??, hms.next()??);
    if parts.next()? != "GMT" {
        return None;
    }
    let days = crate::calendar::days_from_civil(year, month, day);
    Some(((days * 86_400 + h * 3600 + m * 60 + sec) * 1000) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_schedule_spans_at_least_three_days() {
        let p = RetryPolicy::default();
        assert!(p.span_ms() >= 3 * 24 * HOUR, "{}", p.span_ms());
        assert!(p.max_attempts() >= 10);
    }

    #[test]
    fn delays_grow_and_jitter_stays_in_bounds() {
        let p = RetryPolicy::default();
        let first_low = p.next_at(1, 0.0, None, 0.0).unwrap();
        let first_high = p.next_at(1, 0.0, None, 0.999).unwrap();
        assert!((4_000.0..=6_000.0).contains(&first_low));
        assert!((4_000.0..=6_000.0).contains(&first_high));
        assert!(first_high > first_low);
        let later = p.next_at(5, 0.0, None, 0.5).unwrap();
        assert!(later > first_high);
    }

    #[test]
    fn gives_up_after_the_last_delay() {
        let p = RetryPolicy::default();
        assert!(p.next_at(p.max_attempts() - 1, 0.0, None, 0.5).is_some());
        assert_eq!(p.next_at(p.max_attempts(), 0.0, None, 0.5), None);
        assert_eq!(p.next_at(0, 0.0, None, 0.5), None);
    }

    #[test]
    fn retry_after_wins_when_longer() {
        let p = RetryPolicy::default();
        let at = p.next_at(1, 1_000.0, Some(60_000), 0.5).unwrap();
        assert_eq!(at, 61_000.0);
    }

    #[test]
    fn scale_shrinks_the_schedule_for_tests() {
        let p = RetryPolicy {
            scale: 0.001,
            ..RetryPolicy::default()
        };
        assert!(p.next_at(1, 0.0, None, 0.5).unwrap() <= 6.0);
        assert_eq!(p.attempt_timeout(), 50);
    }

    #[test]
    fn responses_are_classified() {
        assert_eq!(classify(201, None, 0.0), Outcome::Delivered);
        assert_eq!(classify(409, None, 0.0), Outcome::Delivered);
        assert!(matches!(
            classify(429, Some("2"), 0.0),
            Outcome::Retry {
                retry_after_ms: Some(2000),
                ..
            }
        ));
        assert!(matches!(
            classify(503, None, 0.0),
            Outcome::Retry {
                retry_after_ms: None,
                ..
            }
        ));
        assert!(matches!(
            classify(401, None, 0.0),
            Outcome::Permanent { .. }
        ));
        assert!(matches!(
            classify(422, None, 0.0),
            Outcome::Permanent { .. }
        ));
    }

    #[test]
    fn http_date_retry_after() {
        // 1994-11-06T08:49:37Z is 784111777 s after the epoch.
        let now = 784_111_777_000.0 - 30_000.0;
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(30_000)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
