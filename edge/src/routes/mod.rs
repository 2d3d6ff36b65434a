//! HTTP handlers, one file per resource; each turns a request into calls on the Durable Objects.
//! CORS and the JSON 404 live here.

pub mod admin;
pub mod conversations;
pub mod hooks;
pub mod inbox;
pub mod sites;

use crate::error::{respond, AppError};
use worker::{Env, Headers, Method, Request, Response, Result};

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

/// What a handler gets besides the request: the environment and the path's parameters.
pub struct RouteContext {
    /// The worker's bindings, vars and secrets.
    pub env: Env,
    params: Vec<(&'static str, String)>,
}

impl RouteContext {
    /// The path segment a route names `name` (`/v1/sites/{site}/...`), as written.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A path parameter the route guarantees is present.
pub fn param<'a>(ctx: &'a RouteContext, name: &str) -> Result<&'a str> {
    ctx.param(name)
        .ok_or_else(|| worker::Error::RustError(format!("route has no :{name}")))
}

/// Run the handler of the API route the request's path and method name. An unknown path
/// is a JSON 404; a known path with another method a JSON 405 that lists the allowed ones.
pub async fn route(req: Request, env: Env) -> Result<Response> {
    use Method::{Delete, Get, Post, Put};
    let path = req.path();
    let parts: Vec<&str> = path.split('/').collect();
    let method = req.method();
    let with = |params: &[(&'static str, &str)]| RouteContext {
        env: env.clone(),
        params: params.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
    };
    let allowed: &str = match parts.as_slice() {
        ["", "v1", "sites", site, rest @ ..] => {
            let c = with(&[("site", site)]);
            match (rest, &method) {
                (["widget"], Get) => return sites::widget_config(req, c).await,
                (["widget"], _) => "GET",
                (["queues"], Get) => return inbox::queues(req, c).await,
                (["queues"], _) => "GET",
                (["inbox"], Get) => return inbox::queue(req, c).await,
                (["inbox"], _) => "GET",
                (["inbox", "live"], Get) => return inbox::queue_live(req, c).await,
                (["inbox", "live"], _) => "GET",
                (["presence"], Post) => return inbox::presence(req, c).await,
                (["presence"], _) => "POST",
                (["agents"], Get) => return inbox::agents(req, c).await,
                (["agents"], _) => "GET",
                _ => "",
            }
        }
        ["", "v1", "conversations"] => match method {
            Post => return conversations::start(req, with(&[])).await,
            _ => "POST",
        },
        ["", "v1", "conversations", id, rest @ ..] => {
            let c = with(&[("id", id)]);
            match (rest, &method) {
                ([], Get) => return inbox::conversation(req, c).await,
                ([], Delete) => return conversations::erase(req, c).await,
                ([], _) => "GET, DELETE",
                (["live"], Get) => return conversations::live(req, c).await,
                (["live"], _) => "GET",
                (["messages"], Post) => return conversations::send(req, c).await,
                (["csat"], Post) => return conversations::csat(req, c).await,
                (["claim"], Post) => return inbox::claim(req, c).await,
                (["reply"], Post) => return inbox::reply(req, c).await,
                (["resolve"], Post) => return inbox::resolve(req, c).await,
                (["transfer"], Post) => return inbox::transfer(req, c).await,
                (["messages" | "csat" | "claim" | "reply" | "resolve" | "transfer"], _) => "POST",
                _ => "",
            }
        }
        ["", "v1", "admin", "sites", site, rest @ ..] => {
            let c = with(&[("site", site)]);
            match (rest, &method) {
                (["config"], Put) => return admin::put_config(req, c).await,
                (["config"], Get) => return admin::get_config(req, c).await,
                (["config"], _) => "GET, PUT",
                (["config", "versions"], Get) => return admin::versions(req, c).await,
                (["config", "versions"], _) => "GET",
                (["config", "rollback"], Post) => return admin::rollback(req, c).await,
                (["config", "rollback"], _) => "POST",
                (["metrics"], Get) => return admin::metrics(req, c).await,
                (["metrics"], _) => "GET",
                _ => "",
            }
        }
        ["", "v1", "hooks", vendor, site] => match method {
            Post => return hooks::receive(req, with(&[("vendor", vendor), ("site", site)])).await,
            _ => "POST",
        },
        _ => "",
    };
    if allowed.is_empty() {
        return respond(Err(AppError::NotFound(format!("no route {method} {path}"))));
    }
    let body = serde_json::json!({ "error": {
        "code": "method_not_allowed",
        "message": format!("{path} answers {allowed}, not {method}"),
    }});
    let headers = Headers::new();
    headers.set("Allow", allowed)?;
    Ok(Response::from_json(&body)?
        .with_status(405)
        .with_headers(headers))
}

/// The first value of query parameter `name`, form-decoded (`+` is a space, `%XX` a byte).
/// Read from the request's URL text: no URL parser is compiled into the worker for this.
pub fn query(req: &Request, name: &str) -> Option<String> {
    query_in(&req.inner().url(), name)
}

fn query_in(url: &str, name: &str) -> Option<String> {
    let (_, rest) = url.split_once('?')?;
    let query = rest.split('#').next().unwrap_or_default();
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (form_decode(k) == name).then(|| form_decode(v))
    })
}

fn form_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |i: usize| {
        let digit = |b: Option<&u8>| b.and_then(|b| (*b as char).to_digit(16));
        Some(digit(bytes.get(i + 1))? * 16 + digit(bytes.get(i + 2))?)
    };
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], hex(i)) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(byte)) => {
                out.push(byte as u8);
                i += 2;
            }
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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

#[cfg(test)]
mod tests {
    use super::query_in;

    #[test]
    fn reads_query_values_form_decoded() {
        let url = "https://edge.example/v1/x?since=12&token=a%2Bb+c%3D&days=&empty#frag=1";
        assert_eq!(query_in(url, "since").as_deref(), Some("12"));
        assert_eq!(query_in(url, "token").as_deref(), Some("a+b c="));
        assert_eq!(query_in(url, "days").as_deref(), Some(""));
        assert_eq!(query_in(url, "empty").as_deref(), Some(""));
        assert_eq!(query_in(url, "frag"), None);
        assert_eq!(query_in(url, "missing"), None);
        assert_eq!(query_in("https://edge.example/v1/x", "since"), None);
        // A stray or short escape is kept as written; bad UTF-8 becomes U+FFFD.
        assert_eq!(
            query_in("https://e/?q=100%&r=%4", "q").as_deref(),
            Some("100%")
        );
        assert_eq!(
            query_in("https://e/?q=100%&r=%4", "r").as_deref(),
            Some("%4")
        );
        assert_eq!(
            query_in("https://e/?q=%FF", "q").as_deref(),
            Some("\u{fffd}")
        );
        assert_eq!(
            query_in("https://e/?na%6De=v", "name").as_deref(),
            Some("v")
        );
    }
}
