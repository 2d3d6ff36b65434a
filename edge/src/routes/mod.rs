//! HTTP handlers, one file per resource; each turns a request into calls on the Durable Objects.
//! CORS and the JSON 404 live here.

pub mod admin;
pub mod conversations;
pub mod hooks;
pub mod inbox;
pub mod sites;

use crate::error::{respond, AppError};
use worker::{Headers, Method, Request, Response, Result, RouteContext};

/// Whether host pages on other origins may call this route: the widget's calls are; the
/// agents' and admins' are not (the inbox is served by the worker itself, same-origin).
pub fn cross_origin(method: &Method, path: &str) -> bool {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    matches!(
        (method, parts.as_slice()),
        (Method::Options, _)
            | (_, ["", "v1", "sites", _, "widget"])
            | (Method::Post, ["", "v1", "conversations"])
            | (
                Method::Post,
                ["", "v1", "conversations", _, "messages" | "csat"]
            )
            | (Method::Delete, ["", "v1", "conversations", _])
    )
}

/// Answer a CORS preflight: allowed for the widget's routes (the site's origin allow-list is
/// enforced on the call itself), refused for the agents' and admins'.
pub fn cors_preflight(req: &Request) -> Result<Response> {
    let resp = Response::empty()?.with_status(204);
    let method = req
        .headers()
        .get("Access-Control-Request-Method")?
        .map(|m| Method::from(m.to_ascii_uppercase()))
        .unwrap_or(Method::Get);
    if !cross_origin(&method, &req.path()) {
        return Ok(resp);
    }
    let origin = req.headers().get("Origin")?;
    with_cors(resp, origin.as_deref())
}

/// Refuse a host page whose origin is not in the site's `site.allowed_origins` (empty: any).
pub fn check_origin(
    req: &Request,
    config: &baton_shared::SiteConfig,
) -> std::result::Result<(), AppError> {
    let Some(origin) = req.headers().get("Origin")? else {
        return Ok(());
    };
    let allowed = &config.site.allowed_origins;
    if allowed.is_empty() || allowed.iter().any(|o| o == &origin) {
        return Ok(());
    }
    Err(AppError::Forbidden(format!(
        "origin {origin} may not embed site '{}': add it to site.allowed_origins",
        config.site.id
    )))
}

/// Add CORS headers to an answer of a widget route, so the page can read answers and errors.
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
    let bad = |e: serde_json::Error| AppError::BadRequest {
        code: "invalid_json",
        message: format!("the body must be {what}: {e}"),
        field: None,
    };
    crate::json::parse(&text).map_err(bad)
}
