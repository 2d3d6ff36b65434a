//! Baton's Cloudflare Worker: the HTTP API, the Conversation and Router Durable Objects, and
//! the built-in inbox's endpoints. Decisions come from `baton-shared`; this crate does the IO.

mod ai;
mod clock;
mod connector;
mod durable;
mod error;
mod identity;
mod json;
mod limits;
mod metrics;
mod routes;
mod secrets;
mod site;
mod token;

pub use durable::{conversation::Conversation, router::SiteRouter};

use worker::{event, Context, Env, Request, Response, Result};

#[event(start)]
fn start() {
    console_error_panic_hook_install();
}

/// Log panics to the console instead of an opaque "unreachable" trap.
fn console_error_panic_hook_install() {
    std::panic::set_hook(Box::new(|info| {
        worker::console_error!("panic: {info}");
    }));
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    if req.method() == worker::Method::Options {
        return routes::cors_preflight(&req);
    }
    let origin = req
        .headers()
        .get("Origin")
        .ok()
        .flatten()
        .filter(|_| routes::cross_origin(&req.method(), &req.path()));
    let resp = routes::route(req, env).await?;
    routes::with_cors(resp, origin.as_deref())
}
