//! The Durable Objects: one `Conversation` per conversation, one `SiteRouter` per site.
//! Workers reach them through the small helpers here.

pub mod conversation;
pub mod router;
pub mod store;

use crate::error::AppError;
use serde::Serialize;
use worker::{Env, Method, Request, RequestInit, Response, Stub};

/// Binding of the Conversation namespace.
pub const CONVERSATIONS: &str = "CONVERSATIONS";
/// Binding of the per-site Router namespace.
pub const ROUTERS: &str = "ROUTERS";

/// The stub of a conversation's object.
pub fn conversation_stub(env: &Env, id: &str) -> Result<Stub, AppError> {
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound(format!("no conversation '{id}'")));
    }
    Ok(env
        .durable_object(CONVERSATIONS)?
        .id_from_name(id)?
        .get_stub()?)
}

/// The stub of a site's router.
pub fn router_stub(env: &Env, site: &str) -> Result<Stub, AppError> {
    Ok(env
        .durable_object(ROUTERS)?
        .id_from_name(site)?
        .get_stub()?)
}

async fn call<B: Serialize>(
    stub: Stub,
    host: &str,
    method: Method,
    path: &str,
    body: Option<&B>,
) -> Result<Response, AppError> {
    let mut init = RequestInit::new();
    init.with_method(method);
    if let Some(body) = body {
        let text = crate::json::text(body).map_err(|e| AppError::Internal(e.to_string()))?;
        init.with_body(Some(text.into()));
    }
    // Durable Object fetches need an absolute URL; the host is ignored.
    let req = Request::new_with_init(&format!("https://{host}{path}"), &init)?;
    Ok(stub.fetch_with_request(req).await?)
}

/// Call a conversation's object; its response (success or JSON error) is returned as is.
pub async fn call_conversation<B: Serialize>(
    env: &Env,
    id: &str,
    method: Method,
    path: &str,
    body: Option<&B>,
) -> Result<Response, AppError> {
    call(
        conversation_stub(env, id)?,
        "conversation",
        method,
        path,
        body,
    )
    .await
}

/// Call a site's router object.
pub async fn call_router<B: Serialize>(
    env: &Env,
    site: &str,
    method: Method,
    path: &str,
    body: Option<&B>,
) -> Result<Response, AppError> {
    // The host names the site (ids are letters, digits and dashes): the router learns whose it is.
    let host = format!("{site}.router");
    call(router_stub(env, site)?, &host, method, path, body).await
}

/// The site a router call names in its host (`{site}.router`), if it is one.
pub fn site_of_router_call(url: &str) -> Option<&str> {
    let host = url.strip_prefix("https://")?.split('/').next()?;
    host.strip_suffix(".router").filter(|s| !s.is_empty())
}

/// Milliseconds since the epoch, from the runtime's clock.
pub fn now_ms() -> f64 {
    worker::Date::now().as_millis() as f64
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_router_call_names_its_site_in_the_host() {
        use super::site_of_router_call as site;
        assert_eq!(
            site("https://acme-cloud.router/loads?site=x"),
            Some("acme-cloud")
        );
        assert_eq!(site("https://demo.router"), Some("demo"));
        assert_eq!(site("https://router/loads"), None);
        assert_eq!(site("https://.router/x"), None);
        assert_eq!(site("http://localhost:8787/v1/sites/demo/inbox/live"), None);
    }
}
