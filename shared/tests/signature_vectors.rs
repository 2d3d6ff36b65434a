//! Webhook signature checks against the published vectors in
//! `shared/reference/vendor-specs/` (Slack, Zendesk, Intercom, Standard Webhooks), plus
//! tampered bodies, wrong secrets and replayed old timestamps.
#![cfg(feature = "edge")]

use baton_shared::connector::signature::{
    sign_intercom, sign_slack, sign_zendesk, verify_intercom, verify_slack, verify_zendesk,
    verify_zendesk_with, SignatureError, WebhookSecret, ZendeskOrder, REPLAY_WINDOW_SECS,
};
use serde_json::Value;
use std::path::PathBuf;

fn load(rel: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/reference/vendor-specs")
        .join(rel);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).expect("vectors are JSON")
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str()
        .unwrap_or_else(|| panic!("{k} missing in {v}"))
}

fn valid(v: &Value) -> bool {
    match s(v, "expected_result") {
        "valid" => true,
        "invalid" => false,
        other => panic!("unknown expected_result {other}"),
    }
}

#[test]
fn slack_vectors() {
    let doc = load("signature-vectors.json");
    let vectors = doc["slack"]["vectors"].as_array().unwrap();
    assert!(!vectors.is_empty());
    for v in vectors {
        let secret = s(v, "signing_secret");
        let ts = s(v, "timestamp");
        let body = s(v, "body").as_bytes();
        let sig = s(v, "expected_signature");
        let now = v["verify_at"].as_i64().unwrap();
        let got = verify_slack(secret, Some(ts), body, Some(sig), now, REPLAY_WINDOW_SECS);
        assert_eq!(got.is_ok(), valid(v), "{}: {got:?}", s(v, "id"));
        if valid(v) {
            assert_eq!(sign_slack(secret, ts, body), sig);
            // Wrong secret, tampered body, replayed an hour later.
            assert_eq!(
                verify_slack("not-the-secret", Some(ts), body, Some(sig), now, 300),
                Err(SignatureError::Mismatch)
            );
            let mut tampered = body.to_vec();
            tampered[0] ^= 1;
            assert_eq!(
                verify_slack(secret, Some(ts), &tampered, Some(sig), now, 300),
                Err(SignatureError::Mismatch)
            );
            assert!(matches!(
                verify_slack(secret, Some(ts), body, Some(sig), now + 3600, 300),
                Err(SignatureError::Stale(_))
            ));
            assert!(verify_slack(secret, None, body, Some(sig), now, 300).is_err());
            assert!(verify_slack(secret, Some(ts), body, None, now, 300).is_err());
        }
    }
}

#[test]
fn zendesk_vectors() {
    let doc = load("signature-vectors.json");
    let mut checked = 0;
    for (group, order) in [
        ("support_webhooks", ZendeskOrder::TimestampBody),
        ("event_connectors_webhooks", ZendeskOrder::BodyTimestamp),
    ] {
        for v in doc["zendesk"][group]["vectors"].as_array().unwrap() {
            if let Some(o) = v["message_order"].as_str() {
                assert_eq!(o == "body+timestamp", order == ZendeskOrder::BodyTimestamp);
            }
            let secret = s(v, "signing_secret");
            let ts = s(v, "timestamp");
            let body = s(v, "body").as_bytes();
            let sig = s(v, "expected_signature");
            let now = baton_shared::connector::parse_iso8601(ts).unwrap();
            let got = verify_zendesk_with(secret, Some(ts), body, Some(sig), now, 300, order);
            assert_eq!(got.is_ok(), valid(v), "{}: {got:?}", s(v, "id"));
            assert_eq!(sign_zendesk(secret, ts, body, order), sig, "{}", s(v, "id"));
            checked += 1;
            if order == ZendeskOrder::TimestampBody {
                assert_eq!(
                    verify_zendesk("wrong", Some(ts), body, Some(sig), now, 300),
                    Err(SignatureError::Mismatch)
                );
                let tampered = [body, b" "].concat();
                assert_eq!(
                    verify_zendesk(secret, Some(ts), &tampered, Some(sig), now, 300),
                    Err(SignatureError::Mismatch)
                );
                // A replay: the same signed delivery ten minutes later.
                assert!(matches!(
                    verify_zendesk(secret, Some(ts), body, Some(sig), now + 600, 300),
                    Err(SignatureError::Stale(_))
                ));
                // The other order does not verify Support webhooks.
                assert_eq!(
                    verify_zendesk_with(
                        secret,
                        Some(ts),
                        body,
                        Some(sig),
                        now,
                        300,
                        ZendeskOrder::BodyTimestamp
                    ),
                    Err(SignatureError::Mismatch)
                );
            }
        }
    }
    assert_eq!(checked, 2);
}

#[test]
fn intercom_vectors() {
    let doc = load("signature-vectors.json");
    for v in doc["intercom"]["vectors"].as_array().unwrap() {
        let secret = s(v, "client_secret");
        let body = s(v, "body").as_bytes();
        let sig = s(v, "expected_signature");
        assert_eq!(verify_intercom(secret, body, Some(sig)).is_ok(), valid(v));
        assert_eq!(sign_intercom(secret, body), sig);
        assert_eq!(
            verify_intercom("wrong", body, Some(sig)),
            Err(SignatureError::Mismatch)
        );
        let tampered = String::from_utf8(body.to_vec())
            .unwrap()
            .replace("ping", "pong");
        assert_eq!(
            verify_intercom(secret, tampered.as_bytes(), Some(sig)),
            Err(SignatureError::Mismatch)
        );
        assert!(verify_intercom(secret, body, Some(&sig.replace("sha1=", "sha256="))).is_err());
    }
}

#[test]
fn standard_webhooks_vectors() {
    let doc = load("standard-webhooks/vectors.json");
    let vectors = doc["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 20, "{}", vectors.len());
    for v in vectors {
        let id = s(v, "id");
        let secret = WebhookSecret::parse(s(v, "secret")).unwrap_or_else(|e| panic!("{id}: {e}"));
        let body = s(v, "payload").as_bytes();
        let headers: Vec<(String, String)> = v["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let now = v["verify_at"].as_i64().unwrap();
        let got = secret.verify(&headers, body, now, REPLAY_WINDOW_SECS);
        assert_eq!(got.is_ok(), valid(v), "{id}: {got:?}");
        if let Some(expected) = v["expected_signature"].as_str() {
            let sig = secret.sign(s(v, "msg_id"), v["timestamp"].as_i64().unwrap(), body);
            assert_eq!(sig, expected, "{id}");
        }
        if valid(v) {
            let wrong = WebhookSecret::from_bytes(b"another secret entirely".to_vec());
            assert_eq!(
                wrong.verify(&headers, body, now, 300),
                Err(SignatureError::Mismatch),
                "{id}"
            );
            let tampered = [body, b"x"].concat();
            assert_eq!(
                secret.verify(&headers, &tampered, now, 300),
                Err(SignatureError::Mismatch),
                "{id}"
            );
            assert!(
                matches!(
                    secret.verify(&headers, body, now + 3600, 300),
                    Err(SignatureError::Stale(_))
                ),
                "{id}"
            );
        }
    }
    for bad in doc["constructor_must_reject_secrets"]["values"]
        .as_array()
        .unwrap()
    {
        assert!(
            WebhookSecret::parse(bad.as_str().unwrap()).is_err(),
            "{bad}"
        );
    }
}
