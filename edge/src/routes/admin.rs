//! The admin API: put and get a site's config, guarded by the admin token.
//! Validation is the shared crate's; a refused config lists every problem.

use crate::error::{respond, AppError};
use crate::routes::param;
use crate::routes::RouteContext;
use crate::{secrets, site};
use baton_shared::SiteConfig;
use serde_json::json;
use worker::{Request, Response, Result};

/// `PUT /v1/admin/sites/{site}/config`
pub async fn put_config(mut req: Request, ctx: RouteContext) -> Result<Response> {
    let site_id = param(&ctx, "site")?.to_owned();
    respond(
        async {
            secrets::require_bearer(&req, &ctx.env, secrets::ADMIN_TOKEN)?;
            let text = req.text().await?;
            let config = SiteConfig::from_json(&text).map_err(|e| {
                AppError::InvalidConfig(e.0.iter().map(ToString::to_string).collect())
            })?;
            if config.site.id.as_str() != site_id {
                return Err(AppError::bad_field(
                    "site.id",
                    format!(
                        "site.id is '{}' but the URL names '{site_id}': make them match",
                        config.site.id
                    ),
                ));
            }
            let version = site::store(&ctx.env, &site_id, &text).await?;
            Ok(Response::from_json(
                &json!({ "site": site_id, "version": version }),
            )?)
        }
        .await,
    )
}

/// `GET /v1/admin/sites/{site}/config`: the current document as it was put, with its version.
pub async fn get_config(req: Request, ctx: RouteContext) -> Result<Response> {
    let site_id = param(&ctx, "site")?;
    respond(
        async {
            secrets::require_bearer(&req, &ctx.env, secrets::ADMIN_TOKEN)?;
            // The stored document as put (with its version): returned as is, not re-serialised.
            let text = site::load_text(&ctx.env, site_id).await?;
            let headers = worker::Headers::new();
            headers.set("Content-Type", "application/json")?;
            Ok(Response::ok(text)?.with_headers(headers))
        }
        .await,
    )
}

/// `GET /v1/admin/sites/{site}/config/versions`: every stored version, newest first.
pub async fn versions(req: Request, ctx: RouteContext) -> Result<Response> {
    let site_id = param(&ctx, "site")?.to_owned();
    respond(
        async {
            secrets::require_bearer(&req, &ctx.env, secrets::ADMIN_TOKEN)?;
            let current = site::version_of(&site::load_text(&ctx.env, &site_id).await?);
            Ok(Response::from_json(&json!({
                "site": site_id,
                "current": current,
                "versions": (1..=current).rev().collect::<Vec<_>>(),
            }))?)
        }
        .await,
    )
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RollbackBody {
    version: u32,
}

/// `POST /v1/admin/sites/{site}/config/rollback` `{version}`: make an old version current again
/// (stored as a new version, so the history keeps every step).
pub async fn rollback(mut req: Request, ctx: RouteContext) -> Result<Response> {
    let site_id = param(&ctx, "site")?.to_owned();
    respond(
        async {
            secrets::require_bearer(&req, &ctx.env, secrets::ADMIN_TOKEN)?;
            let body: RollbackBody =
                crate::routes::json_body(&mut req, r#"{"version": 3}"#).await?;
            let old = site::load_version(&ctx.env, &site_id, body.version).await?;
            let version = site::store(&ctx.env, &site_id, &old).await?;
            Ok(Response::from_json(&json!({
                "site": site_id, "version": version, "restored_from": body.version,
            }))?)
        }
        .await,
    )
}

/// `GET /v1/admin/sites/{site}/metrics?days=7`: per-day handoff metrics and totals.
pub async fn metrics(req: Request, ctx: RouteContext) -> Result<Response> {
    let site_id = param(&ctx, "site")?.to_owned();
    respond(
        async {
            secrets::require_bearer(&req, &ctx.env, secrets::ADMIN_TOKEN)?;
            let days = crate::routes::query(&req, "days").unwrap_or_else(|| "7".into());
            crate::durable::call_router::<()>(
                &ctx.env,
                &site_id,
                worker::Method::Get,
                &format!("/metrics?days={}", days.parse::<u32>().unwrap_or(7)),
                None,
            )
            .await
        }
        .await,
    )
}
