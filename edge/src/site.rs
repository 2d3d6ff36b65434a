//! Site configs in KV: `site:{id}` holds the current version, `site:{id}:v{n}` every version.
//! Validation is `baton-shared`'s; this module only stores and loads.

use crate::error::AppError;
use baton_shared::SiteConfig;
use worker::Env;

/// The KV namespace binding holding site configs.
pub const SITES_KV: &str = "SITES";

/// The current config of a site, or a 404 that says how to create it.
pub async fn load(env: &Env, site: &str) -> Result<SiteConfig, AppError> {
    let kv = env.kv(SITES_KV)?;
    let text = kv
        .get(&format!("site:{site}"))
        .text()
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "no site '{site}': PUT its config to /v1/admin/sites/{site}/config first"
            ))
        })?;
    SiteConfig::from_json(&text)
        .map_err(|e| AppError::Internal(format!("stored config of {site} no longer parses: {e}")))
}

/// Store a validated config as the next version; returns the version number.
pub async fn store(env: &Env, site: &str, mut config: SiteConfig) -> Result<u32, AppError> {
    let kv = env.kv(SITES_KV)?;
    let previous = match kv.get(&format!("site:{site}")).text().await? {
        Some(text) => SiteConfig::from_json(&text).map(|c| c.version).unwrap_or(0),
        None => 0,
    };
    config.version = previous + 1;
    let text = serde_json::to_string(&config).map_err(|e| AppError::Internal(e.to_string()))?;
    kv.put(&format!("site:{site}:v{}", config.version), text.as_str())?
        .execute()
        .await?;
    kv.put(&format!("site:{site}"), text)?.execute().await?;
    Ok(config.version)
}

/// A stored version of a site's config.
pub async fn load_version(env: &Env, site: &str, version: u32) -> Result<SiteConfig, AppError> {
    let kv = env.kv(SITES_KV)?;
    let text = kv
        .get(&format!("site:{site}:v{version}"))
        .text()
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "site '{site}' has no config version {version}: GET .../config/versions lists them"
            ))
        })?;
    SiteConfig::from_json(&text).map_err(|e| {
        AppError::Internal(format!(
            "stored config {site} v{version} no longer parses: {e}"
        ))
    })
}
