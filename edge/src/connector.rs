//! Outbound calls: `post` for the AI responders and `execute` for the shared connectors'
//! descriptors (timeout, errors), and the Standard Webhooks signature for the AI webhook.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use worker::{Env, Fetch, Headers, Method, Request, RequestInit};

/// Sent with every outbound call.
const USER_AGENT: &str = "Baton/0.1 (+https://github.com/baton)";

/// What an outbound POST got back.
#[derive(Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The body as text (read under the same timeout as the headers).
    pub body: String,
}

/// Why an outbound POST got no answer.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Nothing (or not all of it) arrived in time.
    #[error("no answer within {0} ms")]
    Timeout(u64),
    /// The connection failed.
    #[error("could not reach {url}: {reason}")]
    Unreachable {
        /// Where we tried to go.
        url: String,
        /// What the runtime said.
        reason: String,
    },
    /// The request itself could not be built (a bad URL or header).
    #[error("could not build the request to {url}: {reason}")]
    Request {
        /// Where we tried to go.
        url: String,
        /// What was wrong.
        reason: String,
    },
}

/// POST `body` as JSON with extra headers; give up after `timeout_ms`, headers and body alike.
pub async fn post(
    url: &str,
    headers: &[(&str, String)],
    body: &str,
    timeout_ms: u64,
) -> Result<Reply, FetchError> {
    let mut all = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    all.extend(headers.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    let descriptor = baton_shared::connector::HttpRequest {
        method: baton_shared::connector::Method::Post,
        url: url.to_owned(),
        headers: all,
        body: body.to_owned(),
    };
    let reply = execute(&descriptor, timeout_ms).await?;
    Ok(Reply {
        status: reply.status,
        body: reply.body,
    })
}

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

/// The three Standard Webhooks headers for `body`.
pub fn signature_headers(
    secret: &str,
    webhook_id: &str,
    now_ms: f64,
    body: &str,
) -> [(&'static str, String); 3] {
    let timestamp = (now_ms / 1000.0) as u64;
    [
        ("webhook-id", webhook_id.to_owned()),
        ("webhook-timestamp", timestamp.to_string()),
        (
            "webhook-signature",
            sign(secret, webhook_id, timestamp, body),
        ),
    ]
}

/// The value of the Worker secret a config names, or what to do about it.
pub fn named_secret(env: &Env, name: &str) -> Result<String, String> {
    crate::secrets::lookup(env, name)
        .ok_or_else(|| format!("Worker secret {name} is not set (wrangler secret put {name})"))
}

/// What a request descriptor got back: status, every header (lower-case names) and the body.
#[derive(Debug)]
pub struct FullReply {
    /// HTTP status.
    pub status: u16,
    /// Response headers, lower-case names, for the rate budgets.
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub body: String,
}

impl FullReply {
    /// A header's value (names compared without case).
    pub fn header(&self, name: &str) -> Option<&str> {
        baton_shared::connector::header(&self.headers, name)
    }
}

/// Execute a shared connector descriptor as it is (method, URL, headers, body); give up after
/// `timeout_ms`, headers and body alike.
pub async fn execute(
    req: &baton_shared::connector::HttpRequest,
    timeout_ms: u64,
) -> Result<FullReply, FetchError> {
    let url = req.url.as_str();
    let request_error = |reason: String| FetchError::Request {
        url: url.to_owned(),
        reason,
    };
    let h = Headers::new();
    h.set("User-Agent", USER_AGENT)
        .map_err(|e| request_error(e.to_string()))?;
    for (k, v) in &req.headers {
        h.set(k, v).map_err(|e| request_error(e.to_string()))?;
    }
    let method = match req.method {
        baton_shared::connector::Method::Get => Method::Get,
        baton_shared::connector::Method::Post => Method::Post,
        baton_shared::connector::Method::Put => Method::Put,
    };
    let mut init = RequestInit::new();
    init.with_method(method).with_headers(h);
    if !req.body.is_empty() {
        init.with_body(Some(req.body.as_str().into()));
    }
    let request = Request::new_with_init(url, &init).map_err(|e| request_error(e.to_string()))?;
    let signal =
        worker::AbortSignal::from(worker::worker_sys::web_sys::AbortSignal::timeout_with_u32(
            timeout_ms.min(u64::from(u32::MAX)) as u32,
        ));
    let failed = |e: worker::Error| {
        if signal.aborted() {
            FetchError::Timeout(timeout_ms)
        } else {
            FetchError::Unreachable {
                url: url.to_owned(),
                reason: e.to_string(),
            }
        }
    };
    let mut resp = Fetch::Request(request)
        .send_with_signal(&signal)
        .await
        .map_err(failed)?;
    let headers: Vec<(String, String)> = resp
        .headers()
        .entries()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect();
    let body = resp.text().await.map_err(failed)?;
    Ok(FullReply {
        status: resp.status_code(),
        headers,
        body,
    })
}
