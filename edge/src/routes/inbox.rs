//! The built-in inbox's API: the site's queue, one conversation, claim, reply and resolve.
//! Every call carries the agent token.

use crate::durable;
use crate::error::{respond, AppError};
use crate::routes::{json_body, param};
use crate::secrets;
use serde::Deserialize;
use serde_json::json;
use worker::{Method, Request, Response, Result, RouteContext};

/// `GET /v1/sites/{site}/inbox`
pub async fn queue(req: Request, ctx: RouteContext<()>) -> Result<Response> {
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
pub async fn conversation(req: Request, ctx: RouteContext<()>) -> Result<Response> {
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
}

async fn forward(mut req: Request, ctx: RouteContext<()>, path: &'static str) -> Result<Response> {
    let id = param(&ctx, "id")?.to_owned();
    respond(
        async {
            secrets::require_bearer(&req, &ctx.env, secrets::AGENT_TOKEN)?;
            let action: AgentAction =
                json_body(&mut req, r#"{"agent": "name", "text"?: "..."}"#).await?;
            if action.agent.trim().is_empty() {
                return Err(AppError::bad_field(
                    "agent",
                    "say which agent acts: a display name",
                ));
            }
            let body = json!({ "agent": action.agent.trim(), "text": action.text });
            durable::call_conversation(&ctx.env, &id, Method::Post, path, Some(&body)).await
        }
        .await,
    )
}

/// `POST /v1/conversations/{id}/claim`
pub async fn claim(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    forward(req, ctx, "/claim").await
}

/// `POST /v1/conversations/{id}/reply`
pub async fn reply(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    forward(req, ctx, "/reply").await
}

/// `POST /v1/conversations/{id}/resolve`
pub async fn resolve(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    forward(req, ctx, "/resolve").await
}
