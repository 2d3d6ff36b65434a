//! The admin API: put and get a site's config, guarded by the admin token.
//! Validation is the shared crate's; a refused config lists every problem.

use crate::error::{respond, AppError};
use crate::routes::param;
use crate::{secrets, site};
use baton_shared::SiteConfig;
use serde_json::json;
use worker::{Request, Response, Result, RouteContext};

/// `PUT /v1/admin/sites/{site}/config`
pub async fn put_config(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let site_id = param(&ctx, "site")?.to_owned();
    respond(
        async {
            secrets::require_bearer(&req, &ctx.env, secrets::ADMIN_TOKEN)?;
            let text = req.text().await?;
            let config = SiteConfig::from_json(&text)
                .map_err(|e| AppError::InvalidConfig(vec![e.to_string()]))?;
            if config.site.id.as_str() != site_id {
                return Err(AppError::bad_field(
                    "site.id",
                    format!(
                        "site.id is '{}' but the URL names '{site_id}': make them match",
                        config.site.id
                    ),
                ));
            }
            let version = site::store(&ctx.env, &site_id, config).await?;
            Ok(Response::from_json(
                &json!({ "site": site_id, "version": version }),
            )?)
        }
        .await,
    )
}

/// `GET /v1/admin/sites/{site}/config`
pub async fn get_config(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let site_id = param(&ctx, "site")?;
    respond(
        async {
            secrets::require_bearer(&req, &ctx.env, secrets::ADMIN_TOKEN)?;
            Ok(Response::from_json(&site::load(&ctx.env, site_id).await?)?)
        }
        .await,
    )
}
