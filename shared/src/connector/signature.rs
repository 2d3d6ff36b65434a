//! Inbound webhook signatures (and the signing side for our own outbound webhook and the test
//! fakes). Every check signs the raw body bytes, compares in constant time and, where the
//! scheme carries a timestamp, rejects deliveries outside a replay window around `now`, which
//! the caller passes in (seconds since the epoch).
//!
//! | vendor | header(s) | construction |
//! |---|---|---|
//! | Zendesk | `X-Zendesk-Webhook-Signature`, `…-Signature-Timestamp` (ISO-8601) | base64 HMAC-SHA256(secret, timestamp + body) |
//! | Intercom | `X-Hub-Signature: sha1=<hex>` | HMAC-SHA1(client secret, body); no timestamp |
//! | Slack | `X-Slack-Signature: v0=<hex>`, `X-Slack-Request-Timestamp` | HMAC-SHA256(secret, `v0:{ts}:{body}`) |
//! | Standard Webhooks | `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<b64> …` | HMAC-SHA256(b64decode(secret), `{id}.{ts}.{body}`) |
//! | Linear | `Linear-Signature: <hex>`, body `webhookTimestamp` (ms) | HMAC-SHA256(secret, body) |
//! | Freshdesk | a shared secret in a custom header of the automation rule | constant-time equality |

use base64::engine::{general_purpose, DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::{alphabet, Engine as _};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;

/// The replay window Slack's SDKs and the Standard Webhooks libraries use: five minutes.
pub const REPLAY_WINDOW_SECS: i64 = 300;

/// Why a delivery was refused. The worker answers 401 for every variant and logs which.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// A required header (or secret) is absent or empty.
    #[error("missing {0}")]
    Missing(&'static str),
    /// A header is present but unreadable (a timestamp that is not a time...).
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// The signature does not match the body and secret.
    #[error("signature mismatch")]
    Mismatch,
    /// The timestamp is outside the replay window (seconds away from now, signed).
    #[error("timestamp outside the replay window ({0} s from now)")]
    Stale(i64),
}

/// Constant-time equality of two byte strings (the length is not secret).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    diff == 0
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

fn hmac_sha1(key: &[u8], body: &[u8]) -> [u8; 20] {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn check_window(ts: i64, now_s: i64, window_s: i64) -> Result<(), SignatureError> {
    let skew = ts - now_s;
    if skew.abs() > window_s {
        return Err(SignatureError::Stale(skew));
    }
    Ok(())
}

fn non_empty<'a>(v: Option<&'a str>, what: &'static str) -> Result<&'a str, SignatureError> {
    match v.map(str::trim) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(SignatureError::Missing(what)),
    }
}

// ---------------------------------------------------------------------------------------------
// Zendesk

/// What Zendesk signs, in which order. Support webhooks (what Baton uses) sign
/// timestamp + body; the older event-connector webhooks were documented as body + timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZendeskOrder {
    /// `TIMESTAMP + BODY` (Support webhooks, the current documentation).
    TimestampBody,
    /// `BODY + TIMESTAMP` (event-connector webhooks).
    BodyTimestamp,
}

/// `X-Zendesk-Webhook-Signature` for a body: base64 HMAC-SHA256 keyed with the signing secret
/// string as given (not base64-decoded).
pub fn sign_zendesk(secret: &str, timestamp: &str, body: &[u8], order: ZendeskOrder) -> String {
    let mac = match order {
        ZendeskOrder::TimestampBody => {
            hmac_sha256(secret.as_bytes(), &[timestamp.as_bytes(), body])
        }
        ZendeskOrder::BodyTimestamp => {
            hmac_sha256(secret.as_bytes(), &[body, timestamp.as_bytes()])
        }
    };
    general_purpose::STANDARD.encode(mac)
}

/// Verify a Zendesk Support webhook: `signature` and `timestamp` are the
/// `X-Zendesk-Webhook-Signature` and `X-Zendesk-Webhook-Signature-Timestamp` headers.
pub fn verify_zendesk(
    secret: &str,
    timestamp: Option<&str>,
    body: &[u8],
    signature: Option<&str>,
    now_s: i64,
    window_s: i64,
) -> Result<(), SignatureError> {
    verify_zendesk_with(
        secret,
        timestamp,
        body,
        signature,
        now_s,
        window_s,
        ZendeskOrder::TimestampBody,
    )
}

/// [`verify_zendesk`] with an explicit signing order.
pub fn verify_zendesk_with(
    secret: &str,
    timestamp: Option<&str>,
    body: &[u8],
    signature: Option<&str>,
    now_s: i64,
    window_s: i64,
    order: ZendeskOrder,
) -> Result<(), SignatureError> {
    if secret.is_empty() {
        return Err(SignatureError::Missing("signing secret"));
    }
    let timestamp = non_empty(timestamp, "X-Zendesk-Webhook-Signature-Timestamp")?;
    let signature = non_empty(signature, "X-Zendesk-Webhook-Signature")?;
    let expected = sign_zendesk(secret, timestamp, body, order);
    if !ct_eq(expected.as_bytes(), signature.as_bytes()) {
        return Err(SignatureError::Mismatch);
    }
    let ts = super::parse_iso8601(timestamp).ok_or(SignatureError::Malformed(
        "X-Zendesk-Webhook-Signature-Timestamp",
    ))?;
    check_window(ts, now_s, window_s)
}

// ---------------------------------------------------------------------------------------------
// Intercom

/// `X-Hub-Signature` for a body: `sha1=` + hex HMAC-SHA1 keyed with the app's client secret.
pub fn sign_intercom(client_secret: &str, body: &[u8]) -> String {
    format!("sha1={}", hex(&hmac_sha1(client_secret.as_bytes(), body)))
}

/// Verify an Intercom webhook's `X-Hub-Signature`. Intercom signs no timestamp: de-duplicate
/// on the notification `id` instead (see [`super::InboundEvent::event_id`]).
pub fn verify_intercom(
    client_secret: &str,
    body: &[u8],
    signature: Option<&str>,
) -> Result<(), SignatureError> {
    if client_secret.is_empty() {
        return Err(SignatureError::Missing("client secret"));
    }
    let signature = non_empty(signature, "X-Hub-Signature")?;
    if !signature.starts_with("sha1=") {
        return Err(SignatureError::Malformed("X-Hub-Signature"));
    }
    let expected = sign_intercom(client_secret, body);
    if ct_eq(
        expected.as_bytes(),
        signature.to_ascii_lowercase().as_bytes(),
    ) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

// ---------------------------------------------------------------------------------------------
// Slack

/// `X-Slack-Signature` for a request: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}`.
pub fn sign_slack(signing_secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mac = hmac_sha256(
        signing_secret.as_bytes(),
        &[b"v0:", timestamp.as_bytes(), b":", body],
    );
    format!("v0={}", hex(&mac))
}

/// Verify a Slack request (`X-Slack-Request-Timestamp` in Unix seconds, `X-Slack-Signature`).
pub fn verify_slack(
    signing_secret: &str,
    timestamp: Option<&str>,
    body: &[u8],
    signature: Option<&str>,
    now_s: i64,
    window_s: i64,
) -> Result<(), SignatureError> {
    if signing_secret.is_empty() {
        return Err(SignatureError::Missing("signing secret"));
    }
    let timestamp = non_empty(timestamp, "X-Slack-Request-Timestamp")?;
    let signature = non_empty(signature, "X-Slack-Signature")?;
    let ts: i64 = timestamp
        .parse()
        .map_err(|_| SignatureError::Malformed("X-Slack-Request-Timestamp"))?;
    let expected = sign_slack(signing_secret, timestamp, body);
    if !ct_eq(expected.as_bytes(), signature.as_bytes()) {
        return Err(SignatureError::Mismatch);
    }
    check_window(ts, now_s, window_s)
}

// ---------------------------------------------------------------------------------------------
// Standard Webhooks

/// A Standard Webhooks symmetric secret: `whsec_` + base64 (the prefix and padding optional).
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WebhookSecret({} bytes)", self.0.len())
    }
}

/// Base64 that accepts missing padding and non-zero trailing bits, as the reference
/// libraries do for secrets.
const LENIENT_B64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

impl WebhookSecret {
    /// Parse `whsec_…`; refuses an empty secret or one that is not base64.
    pub fn parse(secret: &str) -> Result<Self, SignatureError> {
        let raw = secret.trim();
        let raw = raw.strip_prefix("whsec_").unwrap_or(raw);
        if raw.is_empty() {
            return Err(SignatureError::Missing("webhook secret"));
        }
        let bytes = LENIENT_B64
            .decode(raw)
            .map_err(|_| SignatureError::Malformed("webhook secret"))?;
        if bytes.is_empty() {
            return Err(SignatureError::Missing("webhook secret"));
        }
        Ok(Self(bytes))
    }

    /// A secret from raw key bytes (e.g. 32 random bytes from the host).
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The secret as users paste it: `whsec_` + base64.
    pub fn to_whsec(&self) -> String {
        format!("whsec_{}", general_purpose::STANDARD.encode(&self.0))
    }

    /// The `webhook-signature` value for one message: `v1,<base64 HMAC-SHA256>`.
    pub fn sign(&self, msg_id: &str, timestamp_s: i64, body: &[u8]) -> String {
        let ts = timestamp_s.to_string();
        let mac = hmac_sha256(
            &self.0,
            &[msg_id.as_bytes(), b".", ts.as_bytes(), b".", body],
        );
        format!("v1,{}", general_purpose::STANDARD.encode(mac))
    }

    /// Verify a delivery from its headers (names case-insensitive): `webhook-id`,
    /// `webhook-timestamp` (Unix seconds, within `window_s` of now), and `webhook-signature`
    /// (space-separated `version,signature` entries; any matching `v1` entry passes).
    pub fn verify(
        &self,
        headers: &[(String, String)],
        body: &[u8],
        now_s: i64,
        window_s: i64,
    ) -> Result<(), SignatureError> {
        let id = non_empty(super::header(headers, "webhook-id"), "webhook-id")?;
        let timestamp = non_empty(
            super::header(headers, "webhook-timestamp"),
            "webhook-timestamp",
        )?;
        let signatures = non_empty(
            super::header(headers, "webhook-signature"),
            "webhook-signature",
        )?;
        let ts: i64 = timestamp
            .parse()
            .map_err(|_| SignatureError::Malformed("webhook-timestamp"))?;
        check_window(ts, now_s, window_s)?;
        let expected = self.sign(id, ts, body);
        let expected = expected.as_bytes();
        let mut matched = false;
        for entry in signatures.split(' ').filter(|e| !e.is_empty()) {
            // Keep comparing after a match so timing does not reveal which entry matched.
            if entry.starts_with("v1,") && ct_eq(expected, entry.as_bytes()) {
                matched = true;
            }
        }
        if matched {
            Ok(())
        } else {
            Err(SignatureError::Mismatch)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Linear

/// `Linear-Signature` for a body: hex HMAC-SHA256 keyed with the webhook signing secret.
pub fn sign_linear(secret: &str, body: &[u8]) -> String {
    hex(&hmac_sha256(secret.as_bytes(), &[body]))
}

/// Verify a Linear webhook; `webhook_timestamp_ms` is the body's `webhookTimestamp`
/// (Linear's SDK rejects more than 60 s of skew).
pub fn verify_linear(
    secret: &str,
    body: &[u8],
    signature: Option<&str>,
    webhook_timestamp_ms: i64,
    now_ms: i64,
) -> Result<(), SignatureError> {
    if secret.is_empty() {
        return Err(SignatureError::Missing("signing secret"));
    }
    let signature = non_empty(signature, "Linear-Signature")?;
    if !ct_eq(sign_linear(secret, body).as_bytes(), signature.as_bytes()) {
        return Err(SignatureError::Mismatch);
    }
    check_window(webhook_timestamp_ms / 1000, now_ms / 1000, 60)
}

// ---------------------------------------------------------------------------------------------
// Freshdesk (no signature scheme: a shared secret in a header)

/// Verify the shared secret Freshdesk's automation rule sends in a custom header (Freshdesk
/// signs nothing). Treat the payload as a hint and keep deliveries idempotent.
pub fn verify_shared_secret(expected: &str, provided: Option<&str>) -> Result<(), SignatureError> {
    if expected.is_empty() {
        return Err(SignatureError::Missing("shared secret"));
    }
    let provided = non_empty(provided, "secret header")?;
    if ct_eq(expected.as_bytes(), provided.as_bytes()) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_compare() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
        assert!(ct_eq(b"", b""));
    }

    #[test]
    fn zendesk_round_trip_and_window() {
        let ts = "2021-07-25T10:00:00Z";
        let now = crate::connector::parse_iso8601(ts).unwrap();
        let body = br#"{"say": "hello"}"#;
        let secret = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==";
        let sig = sign_zendesk(secret, ts, body, ZendeskOrder::TimestampBody);
        // The value helpdesk-apis.md computed for these inputs.
        assert_eq!(sig, "gf3v0LzLRHPUnIdhbvwRDVEvzSb07/QN0GYjSNlkBT0=");
        assert_eq!(
            verify_zendesk(secret, Some(ts), body, Some(&sig), now, 300),
            Ok(())
        );
        assert_eq!(
            verify_zendesk(secret, Some(ts), body, Some(&sig), now + 301, 300),
            Err(SignatureError::Stale(-301))
        );
        assert_eq!(
            verify_zendesk(secret, None, body, Some(&sig), now, 300),
            Err(SignatureError::Missing(
                "X-Zendesk-Webhook-Signature-Timestamp"
            ))
        );
    }

    #[test]
    fn standard_webhook_secret_rules() {
        assert!(WebhookSecret::parse("").is_err());
        assert!(WebhookSecret::parse("whsec_").is_err());
        assert!(WebhookSecret::parse("whsec_!!!").is_err());
        let s = WebhookSecret::from_bytes(vec![7; 32]);
        assert_eq!(WebhookSecret::parse(&s.to_whsec()).unwrap(), s);
        let sig = s.sign("msg_1", 1_700_000_000, b"{}");
        let headers = vec![
            ("webhook-id".to_owned(), "msg_1".to_owned()),
            ("webhook-timestamp".to_owned(), "1700000000".to_owned()),
            ("webhook-signature".to_owned(), sig),
        ];
        assert_eq!(s.verify(&headers, b"{}", 1_700_000_100, 300), Ok(()));
        assert_eq!(
            s.verify(&headers, b"{ }", 1_700_000_100, 300),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn linear_vector_from_the_research_notes() {
        let body = br#"{"action":"update","type":"Issue"}"#;
        assert_eq!(
            sign_linear("lin_wh_test_secret", body),
            "6d2893eb208064eca0953993a85698e7e24f61e863e4ae73035c670db864fa0d"
        );
        let sig = sign_linear("lin_wh_test_secret", body);
        assert_eq!(
            verify_linear("lin_wh_test_secret", body, Some(&sig), 1_000_000, 1_030_000),
            Ok(())
        );
        assert!(matches!(
            verify_linear("lin_wh_test_secret", body, Some(&sig), 1_000_000, 1_090_000),
            Err(SignatureError::Stale(_))
        ));
    }

    #[test]
    fn intercom_and_shared_secret() {
        let body = br#"{"type":"notification_event","topic":"ping"}"#;
        let sig = sign_intercom("test_client_secret", body);
        assert_eq!(sig, "sha1=59dc376710f2bb3f57a9fdb4921361641556cfb1");
        assert_eq!(
            verify_intercom("test_client_secret", body, Some(&sig)),
            Ok(())
        );
        assert_eq!(
            verify_intercom("other", body, Some(&sig)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(verify_shared_secret("s3cret", Some("s3cret")), Ok(()));
        assert_eq!(
            verify_shared_secret("s3cret", Some("s3cre")),
            Err(SignatureError::Mismatch)
        );
        assert!(verify_shared_secret("", Some("")).is_err());
    }
}
