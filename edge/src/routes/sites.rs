//! The public part of a site's config, read by the widget before it renders.
//! Never secrets, never routing internals.

use crate::error::respond;
use crate::routes::param;
use crate::routes::RouteContext;
use crate::site;
use serde_json::json;
use worker::{Request, Response, Result};

/// `GET /v1/sites/{site}/widget`
pub async fn widget_config(req: Request, ctx: RouteContext) -> Result<Response> {
    let site_id = param(&ctx, "site")?;
    respond(
        async {
            let config = site::load(&ctx.env, site_id).await?;
            crate::routes::check_origin(&req, &config)?;
            let w = &config.widget;
            Ok(Response::from_json(&json!({
                "site": config.site.id,
                "name": config.site.name,
                "locale": config.site.locale,
                "title": w.title,
                "launcher_label": w.launcher_label,
                "greeting": w.greeting,
                "accent_color": w.accent_color,
                "position": w.position,
                "strings": w.strings,
                "context": w.context,
            }))?
            .with_headers(cache_headers()?))
        }
        .await,
    )
}

fn cache_headers() -> Result<worker::Headers> {
    let h = worker::Headers::new();
    h.set("Cache-Control", "public, max-age=60")?;
    Ok(h)
}
