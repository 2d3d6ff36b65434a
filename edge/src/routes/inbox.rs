//! The built-in inbox's API: the site's queue and queues, one conversation, claim, reply,
//! resolve and transfer. Every call carries the agent token.

use crate::durable;
use crate::error::{respond, AppError};
use crate::routes::RouteContext;
use crate::routes::{json_body, param};
use crate::secrets;
use serde::Deserialize;
use serde_json::json;
use worker::{Method, Request, Response, Result};

/// `GET /v1/sites/{site}/inbox`
pub async fn queue(req: Request, ctx: RouteContext) -> Result<Response> {
    let site = param(&ctx, "site")?.to_owned();
    respond(
        async {
            secrets::require_bearer(&req, &ctx.env, secrets::AGENT_TOKEN)?;
            durable::call_router::<()>(&ctx.env, &site, Method::Get, "/list", None).await
        }
        .await,
    )
}

/// `GET /v1/conversations/{id}`: transcript, context and state, for agents.
pub async fn conversation(req: Request, ctx: RouteContext) -> Result<Response> {
    let id = param(&ctx, "id")?.to_owned();
    respond(
        async {
            secrets::require_bearer(&req, &ctx.env, secrets::AGENT_TOKEN)?;
            durable::call_conversation::<()>(&ctx.env, &id, Method::Get, "/state", None).await
        }
        .await,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentAction {
    agent: String,
    #[serde(default)]
    text: Option<String>,
    /// Take the conversation from the agent who has it (claim and reply refuse otherwise).
    #[serde(default)]
    take_over: bool,
}

/// The acting agent's display name, as presence takes it (1 to 60 characters).
fn agent_name(name: &str) -> std::result::Result<&str, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(AppError::bad_field(
            "agent",
            "say which agent acts: a display name of 1 to 60 characters",
        ));
    }
    Ok(name)
}

async fn forward(mut req: Request, ctx: RouteContext, path: &'static str) -> Result<Response> {
    let id = param(&ctx, "id")?.to_owned();
    respond(
        async {
            secrets::require_bearer(&req, &ctx.env, secrets::AGENT_TOKEN)?;
            let action: AgentAction =
                json_body(&mut req, r#"{"agent": "name", "text"?: "...", "take_over"?: true}"#)
                    .await?;
            let body = json!({
                "agent": agent_name(&action.agent)?, "text": action.text, "take_over": action.take_over,
            });
            durable::call_conversation(&ctx.env, &id, Method::Post, path, Some(&body)).await
        }
        .await,
    )
}

/// `POST /v1/conversations/{id}/claim`
pub async fn claim(req: Request, ctx: RouteContext) -> Result<Response> {
    forward(req, ctx, "/claim").await
}

/// `POST /v1/conversations/{id}/reply`
pub async fn reply(req: Request, ctx: RouteContext) -> Result<Response> {
    forward(req, ctx, "/reply").await
}

/// `POST /v1/conversations/{id}/resolve`
pub async fn resolve(req: Request, ctx: RouteContext) -> Result<Response> {
    forward(req, ctx, "/resolve").await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransferBody {
    agent: String,
    queue: String,
}

/// `POST /v1/conversations/{id}/transfer {agent, queue}`: move a waiting or claimed
/// conversation to another queue of its site (the conversation checks the queue exists).
pub async fn transfer(mut req: Request, ctx: RouteContext) -> Result<Response> {
    let id = param(&ctx, "id")?.to_owned();
    respond(
        async {
            secrets::require_bearer(&req, &ctx.env, secrets::AGENT_TOKEN)?;
            let body: TransferBody =
                json_body(&mut req, r#"{"agent": "name", "queue": "queue id"}"#).await?;
            let agent = agent_name(&body.agent)?;
            if body.queue.trim().is_empty() {
                return Err(AppError::bad_field(
                    "queue",
                    "name the queue to transfer to (an id from GET /v1/sites/{site}/queues)",
                ));
            }
            let inner = json!({ "agent": agent, "queue": body.queue.trim() });
            durable::call_conversation(&ctx.env, &id, Method::Post, "/transfer", Some(&inner)).await
        }
        .await,
    )
}

/// `GET /v1/sites/{site}/queues`: the site's queues (id, name, skills), for transfers.
pub async fn queues(req: Request, ctx: RouteContext) -> Result<Response> {
    let site = param(&ctx, "site")?.to_owned();
    respond(
        async {
            secrets::require_bearer(&req, &ctx.env, secrets::AGENT_TOKEN)?;
            let config = crate::site::load(&ctx.env, &site).await?;
            let list: Vec<serde_json::Value> = config
                .routing
                .queues
                .iter()
                .map(|q| json!({ "id": q.id, "name": q.name, "skills": q.skills }))
                .collect();
            Ok(crate::json::response(&list)?)
        }
        .await,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PresenceBody {
    name: String,
    online: bool,
    #[serde(default)]
    skills: Vec<String>,
    #[serde(default)]
    capacity: Option<u32>,
}

/// `POST /v1/sites/{site}/presence`: an agent goes online or away, with skills and capacity.
/// The inbox repeats it as a heartbeat; an agent who stops sending is treated as away.
pub async fn presence(mut req: Request, ctx: RouteContext) -> Result<Response> {
    let site = param(&ctx, "site")?.to_owned();
    respond(
        async {
            secrets::require_bearer(&req, &ctx.env, secrets::AGENT_TOKEN)?;
            let body: PresenceBody = json_body(
                &mut req,
                r#"{"name": "Ana", "online": true, "skills": ["billing"], "capacity"?: 3}"#,
            )
            .await?;
            let name = body.name.trim();
            if name.is_empty() || name.chars().count() > 60 {
                return Err(AppError::bad_field("name", "name is 1 to 60 characters"));
            }
            let capacity = body.capacity.unwrap_or(3);
            if !(1..=50).contains(&capacity) {
                return Err(AppError::bad_field("capacity", "capacity is 1 to 50 conversations at once"));
            }
            let skills: Vec<String> = body
                .skills
                .iter()
                .map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty())
                .collect();
            let inner = json!({
                "site": site, "name": name, "online": body.online, "skills": skills, "capacity": capacity,
            });
            durable::call_router(&ctx.env, &site, Method::Post, "/presence", Some(&inner)).await
        }
        .await,
    )
}

/// `GET /v1/sites/{site}/agents`: who is online, with skills and capacity.
pub async fn agents(req: Request, ctx: RouteContext) -> Result<Response> {
    let site = param(&ctx, "site")?.to_owned();
    respond(
        async {
            secrets::require_bearer(&req, &ctx.env, secrets::AGENT_TOKEN)?;
            durable::call_router::<()>(&ctx.env, &site, Method::Get, "/agents", None).await
        }
        .await,
    )
}

/// `GET /v1/sites/{site}/inbox/live?token=AGENT_TOKEN` (WebSocket): the queue, pushed on change.
pub async fn queue_live(req: Request, ctx: RouteContext) -> Result<Response> {
    let site = param(&ctx, "site")?.to_owned();
    respond(
        async {
            let token = crate::routes::query(&req, "token").unwrap_or_default();
            let expected = secrets::get(&ctx.env, secrets::AGENT_TOKEN)?;
            if !crate::token::constant_time_eq(expected.as_bytes(), token.as_bytes()) {
                return Err(AppError::Unauthorized("add ?token=<agent token>"));
            }
            let mut init = worker::RequestInit::new();
            init.with_method(Method::Get)
                .with_headers(req.headers().clone());
            let inner = Request::new_with_init("https://router/live", &init)?;
            Ok(durable::router_stub(&ctx.env, &site)?
                .fetch_with_request(inner)
                .await?)
        }
        .await,
    )
}
