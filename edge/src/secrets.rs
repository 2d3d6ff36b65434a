//! Worker secrets by name: tokens and signing keys never live in a site config.
//! Locally they come from `.dev.vars` (git-ignored); tests pass their own.

use crate::error::AppError;
use worker::Env;

/// Signs conversation tokens.
pub const TOKEN_SECRET: &str = "TOKEN_SECRET";
/// Bearer token of the built-in inbox's agents.
pub const AGENT_TOKEN: &str = "AGENT_TOKEN";
/// Bearer token for the admin API.
pub const ADMIN_TOKEN: &str = "ADMIN_TOKEN";

/// A secret by the name a config gives (a Worker secret, or a plain var locally), if set.
pub fn lookup(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .map(|s| s.to_string())
        .or_else(|_| env.var(name).map(|v| v.to_string()))
        .ok()
}

/// A secret's value; a missing one is a deployment mistake, reported as such.
pub fn get(env: &Env, name: &'static str) -> Result<String, AppError> {
    lookup(env, name).ok_or_else(|| {
        AppError::Internal(format!(
            "secret {name} is not set (wrangler secret put {name}, or .dev.vars locally)"
        ))
    })
}

/// Check an `Authorization: Bearer …` header against a secret, in constant time.
pub fn require_bearer(
    req: &worker::Request,
    env: &Env,
    name: &'static str,
) -> Result<(), AppError> {
    let expected = get(env, name)?;
    let given = req
        .headers()
        .get("Authorization")
        .ok()
        .flatten()
        .and_then(|h| h.strip_prefix("Bearer ").map(str::to_owned))
        .ok_or(AppError::Unauthorized("send Authorization: Bearer <token>"))?;
    if crate::token::constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(AppError::Unauthorized("that token is not valid here"))
    }
}
