//! Outbound helpdesk connectors. `webhook` posts the full handoff context, signed the Standard
//! Webhooks way (`webhook-id`, `webhook-timestamp`, `webhook-signature`), with the webhook id
//! stable per conversation so a retried delivery is recognised by the receiver.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use baton_shared::outbox::{classify, Outcome};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use worker::{Env, Fetch, Headers, Method, Request, RequestInit};

/// The signing key of a `whsec_…` secret (base64 after the prefix; raw bytes otherwise).
fn key(secret: &str) -> Vec<u8> {
    let body = secret.strip_prefix("whsec_").unwrap_or(secret);
    STANDARD
        .decode(body)
        .unwrap_or_else(|_| secret.as_bytes().to_vec())
}

/// `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`.
pub fn sign(secret: &str, id: &str, timestamp: u64, body: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(&key(secret)).expect("hmac takes any key length");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// POST a signed JSON body; the answer is classified for the outbox.
pub async fn post_signed(
    env: &Env,
    url: &str,
    secret_name: &str,
    webhook_id: &str,
    body: &str,
    timeout_ms: u64,
    now_ms: f64,
) -> Result<Outcome, String> {
    let secret = env
        .secret(secret_name)
        .map(|s| s.to_string())
        .or_else(|_| env.var(secret_name).map(|v| v.to_string()))
        .map_err(|_| {
            format!("Worker secret {secret_name} is not set (wrangler secret put {secret_name})")
        })?;
    let timestamp = (now_ms / 1000.0) as u64;
    let headers = Headers::new();
    let set = |k: &str, v: &str| headers.set(k, v).map_err(|e| e.to_string());
    set("Content-Type", "application/json")?;
    set("webhook-id", webhook_id)?;
    set("webhook-timestamp", &timestamp.to_string())?;
    set(
        "webhook-signature",
        &sign(&secret, webhook_id, timestamp, body),
    )?;
    set("User-Agent", "Baton/0.1 (+https://github.com/baton)")?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(body.into()));
    let request = Request::new_with_init(url, &init).map_err(|e| e.to_string())?;
    let signal =
        worker::AbortSignal::from(worker::worker_sys::web_sys::AbortSignal::timeout_with_u32(
            timeout_ms.min(u64::from(u32::MAX)) as u32,
        ));
    match Fetch::Request(request).send_with_signal(&signal).await {
        Ok(resp) => {
            let retry_after = resp.headers().get("Retry-After").ok().flatten();
            Ok(classify(resp.status_code(), retry_after.as_deref(), now_ms))
        }
        Err(_) if signal.aborted() => Ok(Outcome::Retry {
            retry_after_ms: None,
            reason: format!("no answer within {timeout_ms} ms"),
        }),
        Err(e) => Ok(Outcome::Retry {
            retry_after_ms: None,
            reason: format!("could not reach {url}: {e}"),
        }),
    }
}
