//! HTTP handlers, one file per resource; each turns a request into calls on the Durable Objects.
//! CORS and the JSON 404 live here.

pub mod admin;
pub mod conversations;
pub mod hooks;
pub mod inbox;
pub mod sites;

use crate::error::{respond, AppError};
use worker::{Headers, Request, Response, Result, RouteContext};

/// Answer a CORS preflight for the public API.
pub fn cors_preflight(req: &Request) -> Result<Response> {
    let origin = req.headers().get("Origin")?;
    with_cors(Response::empty()?.with_status(204), origin.as_deref())
}

/// Add CORS headers. The per-site origin allow-list is enforced where a conversation starts;
/// here the browser only learns it may read the answer.
pub fn with_cors(resp: Response, origin: Option<&str>) -> Result<Response> {
    let Some(origin) = origin else {
        return Ok(resp);
    };
    let headers = Headers::new();
    for (k, v) in resp.headers().entries() {
        headers.set(&k, &v)?;
    }
    // A WebSocket upgrade's headers are immutable and need no CORS.
    if resp.status_code() == 101 {
        return Ok(resp);
    }
    headers.set("Access-Control-Allow-Origin", origin)?;
    headers.set("Vary", "Origin")?;
    headers.set(
        "Access-Control-Allow-Methods",
        "GET, POST, PUT, DELETE, OPTIONS",
    )?;
    headers.set(
        "Access-Control-Allow-Headers",
        "Content-Type, Authorization",
    )?;
    // A widget backing off after a 429 must be able to read when to try again.
    headers.set("Access-Control-Expose-Headers", "Retry-After")?;
    headers.set("Access-Control-Max-Age", "600")?;
    Ok(resp.with_headers(headers))
}

/// Any unknown path under /v1.
pub async fn not_found(req: Request, _ctx: RouteContext<()>) -> Result<Response> {
    respond(Err(AppError::NotFound(format!(
        "no route {} {}",
        req.method(),
        req.path()
    ))))
}

/// A path parameter the router guarantees is present.
pub fn param<'a>(ctx: &'a RouteContext<()>, name: &str) -> Result<&'a str> {
    ctx.param(name)
        .map(String::as_str)
        .ok_or_else(|| worker::Error::RustError(format!("route has no :{name}")))
}

/// Parse a JSON body, with a message that says what was expected.
pub async fn json_body<T: serde::de::DeserializeOwned>(
    req: &mut Request,
    what: &'static str,
) -> std::result::Result<T, AppError> {
    let text = req.text().await?;
    serde_json::from_str(&text).map_err(|e| AppError::BadRequest {
        code: "invalid_json",
        message: format!("the body must be {what}: {e}"),
        field: None,
    })
}
