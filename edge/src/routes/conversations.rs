//! The customer's side of the API: start a conversation, open the live channel, send by HTTP.
//! Every call after the start carries the conversation token the start returned.

use crate::durable::{self, conversation::InitRequest};
use crate::error::{respond, AppError};
use crate::routes::RouteContext;
use crate::routes::{json_body, param};
use crate::{identity, limits, secrets, site, token};
use serde::Deserialize;
use serde_json::{json, Value};
use worker::{Method, Request, Response, Result};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StartBody {
    site: String,
    #[serde(default)]
    page: Value,
    #[serde(default)]
    user: Value,
    #[serde(default)]
    locale: Option<String>,
}

/// `POST /v1/conversations`
pub async fn start(mut req: Request, ctx: RouteContext) -> Result<Response> {
    respond(
        async {
            let body: StartBody =
                json_body(&mut req, r#"{"site": "...", "page": {...}, "user": {...}}"#).await?;
            let config = site::load(&ctx.env, &body.site).await?;
            crate::routes::check_origin(&req, &config)?;
            limits::new_conversation(&ctx.env, &body.site, &limits::client_ip(&req)).await?;
            let mut user = body.user;
            let required = config.identity.require_verification;
            identity::verify(&ctx.env, &body.site, &mut user, durable::now_ms(), required)?;
            let id = token::random_id();
            let conversation_token =
                token::sign(&secrets::get(&ctx.env, secrets::TOKEN_SECRET)?, &id);
            let init = InitRequest {
                id: id.clone(),
                site: body.site.clone(),
                page: body.page,
                user,
                locale: body.locale.unwrap_or_else(|| config.site.locale.clone()),
            };
            durable::call_conversation(&ctx.env, &id, Method::Post, "/init", Some(&init)).await?;
            Ok(
                Response::from_json(&json!({ "id": id, "token": conversation_token }))?
                    .with_status(201),
            )
        }
        .await,
    )
}

/// `GET /v1/conversations/{id}/live?token=…[&since=N]` (WebSocket).
/// Agents connect with `role=agent`, their agent token and `name`.
pub async fn live(req: Request, ctx: RouteContext) -> Result<Response> {
    let id = param(&ctx, "id")?.to_owned();
    respond(
        async {
            if req.headers().get("Upgrade")?.as_deref() != Some("websocket") {
                return Err(AppError::BadRequest {
                    code: "websocket_required",
                    message: "this endpoint speaks WebSocket; use POST /messages to send by HTTP"
                        .into(),
                    field: None,
                });
            }
            let token = crate::routes::query(&req, "token").ok_or_else(|| {
                AppError::bad_field("token", "add ?token=<conversation token> to the URL")
            })?;
            let since: u64 = match crate::routes::query(&req, "since") {
                None => 0,
                Some(s) => s.parse().map_err(|_| {
                    AppError::bad_field("since", "since is the last event number seen, like 12")
                })?,
            };
            let role = match crate::routes::query(&req, "role").as_deref() {
                Some("agent") => {
                    let expected = secrets::get(&ctx.env, secrets::AGENT_TOKEN)?;
                    if !token::constant_time_eq(expected.as_bytes(), token.as_bytes()) {
                        return Err(AppError::Unauthorized("that agent token is not valid"));
                    }
                    "agent"
                }
                None | Some("customer") => {
                    verify_customer(&ctx, &id, &token)?;
                    "customer"
                }
                Some(_) => return Err(AppError::bad_field("role", "role is customer or agent")),
            };
            let name = crate::routes::query(&req, "name").unwrap_or_default();
            let path = format!("/live?role={role}&since={since}&name={}", urlencode(&name));
            let mut init = worker::RequestInit::new();
            init.with_method(Method::Get)
                .with_headers(req.headers().clone());
            let inner = Request::new_with_init(&format!("https://conversation{path}"), &init)?;
            Ok(durable::conversation_stub(&ctx.env, &id)?
                .fetch_with_request(inner)
                .await?)
        }
        .await,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SendBody {
    token: String,
    text: String,
    #[serde(default)]
    client_id: Option<String>,
}

/// `POST /v1/conversations/{id}/messages`: the HTTP fallback for sending.
pub async fn send(mut req: Request, ctx: RouteContext) -> Result<Response> {
    let id = param(&ctx, "id")?.to_owned();
    respond(
        async {
            let body: SendBody = json_body(
                &mut req,
                r#"{"token": "...", "text": "...", "client_id"?: "..."}"#,
            )
            .await?;
            verify_customer(&ctx, &id, &body.token)?;
            let cmd = json!({ "type": "send", "text": body.text, "client_id": body.client_id });
            durable::call_conversation(&ctx.env, &id, Method::Post, "/send", Some(&cmd)).await
        }
        .await,
    )
}

fn verify_customer(ctx: &RouteContext, id: &str, given: &str) -> std::result::Result<(), AppError> {
    let secret = secrets::get(&ctx.env, secrets::TOKEN_SECRET)?;
    if token::verify(&secret, id, given) {
        Ok(())
    } else {
        Err(AppError::Unauthorized(
            "that conversation token is not valid for this conversation",
        ))
    }
}

fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CsatRequest {
    token: String,
    score: u8,
    #[serde(default)]
    comment: Option<String>,
}

/// `POST /v1/conversations/{id}/csat`: `{token, score 1-5, comment?}`.
pub async fn csat(mut req: Request, ctx: RouteContext) -> Result<Response> {
    let id = param(&ctx, "id")?.to_owned();
    respond(
        async {
            let body: CsatRequest = json_body(
                &mut req,
                r#"{"token": "...", "score": 1-5, "comment"?: "..."}"#,
            )
            .await?;
            verify_customer(&ctx, &id, &body.token)?;
            let inner = json!({ "score": body.score, "comment": body.comment });
            durable::call_conversation(&ctx.env, &id, Method::Post, "/csat", Some(&inner)).await
        }
        .await,
    )
}

/// `DELETE /v1/conversations/{id}?token=…` (the customer) or with the agent token (support
/// acting on an erasure request): deletes the transcript, context and inbox entry.
pub async fn erase(req: Request, ctx: RouteContext) -> Result<Response> {
    let id = param(&ctx, "id")?.to_owned();
    respond(
        async {
            let agent = secrets::require_bearer(&req, &ctx.env, secrets::AGENT_TOKEN).is_ok();
            if !agent {
                let token: String =
                    crate::routes::query(&req, "token").ok_or(AppError::Unauthorized(
                        "send ?token=<conversation token>, or the agent token as a bearer",
                    ))?;
                verify_customer(&ctx, &id, &token)?;
            }
            durable::call_conversation::<()>(&ctx.env, &id, Method::Delete, "/", None).await
        }
        .await,
    )
}
