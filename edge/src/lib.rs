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

use worker::{event, Context, Env, Request, Response, Result, Router};

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
    let resp = Router::new()
        .get_async("/v1/sites/:site/widget", routes::sites::widget_config)
        .post_async("/v1/conversations", routes::conversations::start)
        .get_async("/v1/conversations/:id/live", routes::conversations::live)
        .post_async(
            "/v1/conversations/:id/messages",
            routes::conversations::send,
        )
        .post_async("/v1/conversations/:id/csat", routes::conversations::csat)
        .delete_async("/v1/conversations/:id", routes::conversations::erase)
        .get_async("/v1/conversations/:id", routes::inbox::conversation)
        .post_async("/v1/conversations/:id/claim", routes::inbox::claim)
        .post_async("/v1/conversations/:id/reply", routes::inbox::reply)
        .post_async("/v1/conversations/:id/resolve", routes::inbox::resolve)
        .post_async("/v1/conversations/:id/transfer", routes::inbox::transfer)
        .get_async("/v1/sites/:site/queues", routes::inbox::queues)
        .get_async("/v1/sites/:site/inbox", routes::inbox::queue)
        .get_async("/v1/sites/:site/inbox/live", routes::inbox::queue_live)
        .post_async("/v1/sites/:site/presence", routes::inbox::presence)
        .get_async("/v1/sites/:site/agents", routes::inbox::agents)
        .put_async("/v1/admin/sites/:site/config", routes::admin::put_config)
        .get_async("/v1/admin/sites/:site/config", routes::admin::get_config)
        .get_async(
            "/v1/admin/sites/:site/config/versions",
            routes::admin::versions,
        )
        .post_async(
            "/v1/admin/sites/:site/config/rollback",
            routes::admin::rollback,
        )
        .get_async("/v1/admin/sites/:site/metrics", routes::admin::metrics)
        .post_async("/v1/hooks/:vendor/:site", routes::hooks::receive)
        .or_else_any_method_async("/v1/*rest", routes::not_found)
        .run(req, env)
        .await?;
    routes::with_cors(resp, origin.as_deref())
}
