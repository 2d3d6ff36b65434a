//! Inbound helpdesk webhooks, `POST /v1/hooks/{zendesk|freshdesk|intercom}/{site}`: the vendor's
//! signature is checked on the raw body before anything is read, then the event goes to its conversation.

use crate::durable;
use crate::error::{respond, AppError};
use crate::routes::param;
use crate::routes::RouteContext;
use crate::site;
use baton_shared::config::HelpdeskSettings;
use baton_shared::connector::signature::{self, SignatureError, REPLAY_WINDOW_SECS};
use baton_shared::connector::{freshdesk, intercom, zendesk, InboundEvent};
use serde_json::json;
use worker::{Method, Request, Response, Result};

/// The header a Freshdesk automation rule sends the shared secret in (see the setup page).
pub const FRESHDESK_SECRET_HEADER: &str = "X-Baton-Secret";

/// A refused delivery: 401 with what was wrong and where to fix it.
fn refused(vendor: &str, code: &str, message: String) -> Result<Response> {
    worker::console_warn!("hooks/{vendor}: refused: {message}");
    Ok(
        Response::from_json(&json!({ "error": { "code": code, "message": message } }))?
            .with_status(401),
    )
}

fn settings<'a>(
    config: &'a baton_shared::SiteConfig,
    vendor: &str,
) -> Option<&'a HelpdeskSettings> {
    match vendor {
        "zendesk" => config.handoff.zendesk.as_ref(),
        "freshdesk" => config.handoff.freshdesk.as_ref(),
        "intercom" => config.handoff.intercom.as_ref(),
        _ => None,
    }
}

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).ok().flatten()
}

/// Check the delivery's signature (or Freshdesk's shared secret) against the raw body.
fn verify(
    req: &Request,
    vendor: &str,
    secret: &str,
    body: &[u8],
) -> std::result::Result<(), SignatureError> {
    let now_s = (durable::now_ms() / 1000.0) as i64;
    match vendor {
        "zendesk" => signature::verify_zendesk(
            secret,
            header(req, "X-Zendesk-Webhook-Signature-Timestamp").as_deref(),
            body,
            header(req, "X-Zendesk-Webhook-Signature").as_deref(),
            now_s,
            REPLAY_WINDOW_SECS,
        ),
        "intercom" => {
            signature::verify_intercom(secret, body, header(req, "X-Hub-Signature").as_deref())
        }
        _ => {
            signature::verify_shared_secret(secret, header(req, FRESHDESK_SECRET_HEADER).as_deref())
        }
    }
}

/// The conversation a ticket belongs to: the link stored when Baton created it, or the
/// escalation key the vendor echoed (`esc:{conversation}:{n}`).
async fn conversation_of(
    env: &worker::Env,
    site: &str,
    vendor: &str,
    event: &InboundEvent,
) -> std::result::Result<Option<String>, AppError> {
    let path = format!(
        "/helpdesk/link?vendor={vendor}&ticket={}",
        baton_shared::connector::url_encode(&event.ticket_id)
    );
    let mut resp = durable::call_router::<()>(env, site, Method::Get, &path, None).await?;
    if resp.status_code() == 200 {
        let v: serde_json::Value = resp.json().await?;
        if let Some(id) = v["conversation"].as_str() {
            return Ok(Some(id.to_owned()));
        }
    }
    Ok(event
        .external_id
        .as_deref()
        .and_then(|e| e.strip_prefix("esc:"))
        .and_then(|rest| rest.split(':').next())
        .map(str::to_owned))
}

/// `POST /v1/hooks/{vendor}/{site}`
pub async fn receive(mut req: Request, ctx: RouteContext) -> Result<Response> {
    let vendor = param(&ctx, "vendor")?.to_owned();
    let site_id = param(&ctx, "site")?.to_owned();
    if !matches!(vendor.as_str(), "zendesk" | "freshdesk" | "intercom") {
        return respond(Err(AppError::NotFound(format!(
            "no webhook for '{vendor}': use zendesk, freshdesk or intercom"
        ))));
    }
    let config = match site::load(&ctx.env, &site_id).await {
        Ok(c) => c,
        Err(e) => return respond(Err(e)),
    };
    let Some(settings) = settings(&config, &vendor) else {
        return respond(Err(AppError::NotFound(format!(
            "site '{site_id}' has no handoff.{vendor} settings"
        ))));
    };
    let Some(secret_name) = settings.webhook_secret.as_deref() else {
        return refused(
            &vendor,
            "webhook_not_configured",
            format!("site '{site_id}' accepts no {vendor} webhooks: set handoff.{vendor}.webhook_secret to the name of a Worker secret"),
        );
    };
    let Some(secret) = crate::secrets::lookup(&ctx.env, secret_name) else {
        return refused(
            &vendor,
            "webhook_not_configured",
            format!("the Worker secret {secret_name} (handoff.{vendor}.webhook_secret) is not set: wrangler secret put {secret_name}"),
        );
    };
    let body = req.bytes().await?;
    if let Err(e) = verify(&req, &vendor, &secret, &body) {
        let hint = match vendor.as_str() {
            "zendesk" => "X-Zendesk-Webhook-Signature must be the base64 HMAC-SHA256 of timestamp + body with the webhook's signing secret, sent within 5 minutes",
            "intercom" => "X-Hub-Signature must be sha1= the HMAC-SHA1 of the body with the app's client secret",
            _ => "the automation rule must send the shared secret in the X-Baton-Secret header",
        };
        return refused(
            &vendor,
            "invalid_signature",
            format!("{vendor} webhook refused: {e} ({hint})"),
        );
    }
    let text = String::from_utf8_lossy(&body);
    let parsed = match vendor.as_str() {
        "zendesk" => zendesk::parse_webhook(&text),
        "intercom" => intercom::parse_webhook(&text),
        _ => freshdesk::parse_webhook(&text),
    };
    let event = match parsed {
        Ok(Some(ev)) => ev,
        Ok(None) => {
            return Response::from_json(
                &json!({ "ok": true, "ignored": "not an event Baton acts on" }),
            )
        }
        Err(e) => {
            return respond(Err(AppError::BadRequest {
                code: "invalid_payload",
                message: format!("the {vendor} webhook body could not be read: {e}"),
                field: None,
            }))
        }
    };
    let conversation = match conversation_of(&ctx.env, &site_id, &vendor, &event).await {
        Ok(c) => c,
        Err(e) => return respond(Err(e)),
    };
    let Some(conversation) = conversation else {
        // Helpdesks send events for every ticket; those Baton did not create are not an error.
        return Response::from_json(
            &json!({ "ok": true, "ignored": "no Baton conversation for this ticket" }),
        );
    };
    let forward = durable::conversation::event_to_json(&vendor, &event);
    respond(
        durable::call_conversation(
            &ctx.env,
            &conversation,
            Method::Post,
            "/helpdesk-event",
            Some(&forward),
        )
        .await,
    )
}
