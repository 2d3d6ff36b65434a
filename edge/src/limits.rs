//! Rate limits on public endpoints: new conversations per client IP (per site) and messages per
//! conversation. Limits come from Worker vars so an operator can tune them without a deploy.

use crate::durable;
use crate::error::AppError;
use serde_json::json;
use worker::{Env, Method, Request};

/// A limit: at most `count` events per `window_s` seconds.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    /// Events allowed in the window.
    pub count: u32,
    /// Window length in seconds.
    pub window_s: u32,
}

impl Limit {
    /// Read `NAME` as `count/seconds` (e.g. `20/3600`), else the default.
    pub fn from_env(env: &Env, name: &str, default: Limit) -> Limit {
        env.var(name)
            .ok()
            .and_then(|v| {
                let v = v.to_string();
                let (c, w) = v.split_once('/')?;
                Some(Limit {
                    count: c.trim().parse().ok()?,
                    window_s: w.trim().parse().ok()?,
                })
            })
            .unwrap_or(default)
    }
}

/// New conversations per client IP per site (a person rarely needs more than a few an hour;
/// offices share an IP, so this is looser than Chatwoot's 6 per 12 hours).
pub const NEW_CONVERSATIONS: Limit = Limit {
    count: 20,
    window_s: 3600,
};
/// Customer messages per conversation.
pub const MESSAGES: Limit = Limit {
    count: 20,
    window_s: 60,
};

/// The client's IP as Cloudflare reports it (`local` under wrangler dev).
pub fn client_ip(req: &Request) -> String {
    req.headers()
        .get("CF-Connecting-IP")
        .ok()
        .flatten()
        .unwrap_or_else(|| "local".into())
}

/// Count one new conversation from `ip` on `site`; refuse when over the limit.
pub async fn new_conversation(env: &Env, site: &str, ip: &str) -> Result<(), AppError> {
    let limit = Limit::from_env(env, "RATE_LIMIT_CONVERSATIONS", NEW_CONVERSATIONS);
    let body =
        json!({ "key": format!("conv:{ip}"), "count": limit.count, "window_s": limit.window_s });
    let mut resp = durable::call_router(env, site, Method::Post, "/ratelimit", Some(&body)).await?;
    let answer: serde_json::Value = resp.json().await?;
    match answer["retry_after_s"].as_u64() {
        Some(secs) => Err(AppError::RateLimited(secs as u32)),
        None => Ok(()),
    }
}

/// Sliding-window check over the given event times (ms): `Some(seconds to wait)` when over.
pub fn over(times: &mut Vec<f64>, now_ms: f64, limit: Limit) -> Option<u32> {
    let window_ms = f64::from(limit.window_s) * 1000.0;
    times.retain(|t| now_ms - t < window_ms);
    if times.len() >= limit.count as usize {
        let oldest = times.first().copied().unwrap_or(now_ms);
        return Some((((oldest + window_ms - now_ms) / 1000.0).ceil() as u32).max(1));
    }
    times.push(now_ms);
    None
}
