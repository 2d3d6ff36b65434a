//! Site configs in KV: `site:{id}` holds the current version, `site:{id}:v{n}` every version.
//! Validation is `baton-shared`'s; this module only stores and loads.

use crate::error::AppError;
use baton_shared::SiteConfig;
use serde_json::Value;
use worker::Env;

/// The KV namespace binding holding site configs.
pub const SITES_KV: &str = "SITES";

/// The current config of a site, or a 404 that says how to create it.
pub async fn load(env: &Env, site: &str) -> Result<SiteConfig, AppError> {
    let text = load_text(env, site).await?;
    SiteConfig::from_json(&text)
        .map_err(|e| AppError::Internal(format!("stored config of {site} no longer parses: {e}")))
}

/// The current config document of a site as stored (what was put, with its version).
pub async fn load_text(env: &Env, site: &str) -> Result<String, AppError> {
    env.kv(SITES_KV)?
        .get(&format!("site:{site}"))
        .text()
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "no site '{site}': PUT its config to /v1/admin/sites/{site}/config first"
            ))
        })
}

/// The `version` a stored config document carries (0 if it has none).
pub fn version_of(text: &str) -> u32 {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|doc| doc["version"].as_u64())
        .map_or(0, |v| v as u32)
}

/// Store a validated config document as the next version; returns the version number.
/// The document is kept as written (defaults are filled in when it is loaded), so what an
/// admin reads back is what they put, with `version` set. The number comes from the site's
/// router object (one counter, strongly consistent), not from KV, whose read of the current
/// version may be stale or shared by two writers at once: no version is ever overwritten.
pub async fn store(env: &Env, site: &str, text: &str) -> Result<u32, AppError> {
    let kv = env.kv(SITES_KV)?;
    let previous = match kv.get(&format!("site:{site}")).text().await? {
        Some(text) => version_of(&text),
        None => 0,
    };
    let mut resp = crate::durable::call_router(
        env,
        site,
        worker::Method::Post,
        "/config-version",
        Some(&serde_json::json!({ "after": previous })),
    )
    .await?;
    let answer: Value = crate::json::parse(&resp.text().await?)?;
    let version = answer["version"]
        .as_u64()
        .map(|v| v as u32)
        .ok_or_else(|| AppError::Internal(format!("config version: router answered {answer}")))?;
    let mut doc: Value =
        serde_json::from_str(text).map_err(|e| AppError::Internal(e.to_string()))?;
    doc["version"] = version.into();
    let text = doc.to_string();
    kv.put(&format!("site:{site}:v{version}"), text.as_str())?
        .execute()
        .await?;
    // A later version stored meanwhile stays current.
    let current = match kv.get(&format!("site:{site}")).text().await? {
        Some(text) => version_of(&text),
        None => 0,
    };
    if current < version {
        kv.put(&format!("site:{site}"), text)?.execute().await?;
    }
    Ok(version)
}

/// A stored version of a site's config document, checked to still be valid.
pub async fn load_version(env: &Env, site: &str, version: u32) -> Result<String, AppError> {
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
    })?;
    Ok(text)
}
