//! The site's helpdesk bookkeeping: one rate budget per vendor (shared by every conversation,
//! since vendor limits are per account) and the vendor-ticket → conversation links inbound webhooks use.

use super::*;
use baton_shared::connector::budget::{Admit, CallClass, Limit, RateBudget, Vendor, VendorLimits};

/// The vendor and plan limit a budget body names (`{"vendor": "zendesk", "per_minute": 400}`).
fn vendor_of(body: &serde_json::Value) -> std::result::Result<(Vendor, Option<u32>), AppError> {
    let vendor = match body["vendor"].as_str() {
        Some("zendesk") => Vendor::Zendesk,
        Some("freshdesk") => Vendor::Freshdesk,
        Some("intercom") => Vendor::Intercom,
        _ => {
            return Err(AppError::bad_field(
                "vendor",
                "zendesk, freshdesk or intercom",
            ))
        }
    };
    Ok((vendor, body["per_minute"].as_u64().map(|n| n as u32)))
}

fn budget_key(vendor: Vendor, per_minute: Option<u32>) -> String {
    format!("hb:{vendor:?}:{}", per_minute.unwrap_or(0))
}

fn link_key(vendor: &str, ticket: &str) -> String {
    format!("hl:{vendor}:{ticket}")
}

impl SiteRouter {
    async fn helpdesk_budget(
        &self,
        vendor: Vendor,
        per_minute: Option<u32>,
    ) -> std::result::Result<RateBudget, AppError> {
        let key = budget_key(vendor, per_minute);
        let stored: Option<RateBudget> = self.state.storage().get(&key).await?;
        Ok(stored.unwrap_or_else(|| {
            let limits = VendorLimits::published(vendor);
            let limits = match per_minute {
                Some(n) => limits.with_general(Limit::per_minute(n)),
                None => limits,
            };
            RateBudget::new(vendor, limits, now_ms())
        }))
    }

    /// The helpdesk routes (`/helpdesk/...`).
    pub(super) async fn helpdesk(
        &self,
        method: Method,
        path: &str,
        req: &mut Request,
    ) -> std::result::Result<Response, AppError> {
        match (method, path) {
            // `{"vendor", "class": "general"|"create"|"search", "per_minute"?}` →
            // `{"wait_until_ms": null | ms}`.
            (Method::Post, "/helpdesk/budget") => {
                let body: serde_json::Value = req.json().await?;
                let (vendor, per_minute) = vendor_of(&body)?;
                let class = match body["class"].as_str() {
                    Some("create") => CallClass::Create,
                    Some("search") => CallClass::Search,
                    _ => CallClass::General,
                };
                let mut budget = self.helpdesk_budget(vendor, per_minute).await?;
                let admit = budget.acquire(class, now_ms());
                self.state
                    .storage()
                    .put(&budget_key(vendor, per_minute), &budget)
                    .await?;
                Ok(Response::from_json(
                    &json!({ "wait_until_ms": wait_until(&admit) }),
                )?)
            }
            // `{"vendor", "per_minute"?, "status", "headers": [[name, value], ...]}`
            (Method::Post, "/helpdesk/observe") => {
                let body: serde_json::Value = req.json().await?;
                let (vendor, per_minute) = vendor_of(&body)?;
                let headers: Vec<(String, String)> = body["headers"]
                    .as_array()
                    .map(|list| {
                        list.iter()
                            .filter_map(|h| {
                                Some((h[0].as_str()?.to_owned(), h[1].as_str()?.to_owned()))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let status = body["status"].as_u64().unwrap_or(0) as u16;
                let mut budget = self.helpdesk_budget(vendor, per_minute).await?;
                budget.observe(status, &headers, now_ms());
                self.state
                    .storage()
                    .put(&budget_key(vendor, per_minute), &budget)
                    .await?;
                Ok(Response::empty()?.with_status(204))
            }
            // `{"vendor", "ticket", "conversation"}`: a ticket Baton created for a conversation.
            (Method::Post, "/helpdesk/link") => {
                let body: serde_json::Value = req.json().await?;
                let s = |k: &str| body[k].as_str().unwrap_or_default();
                if s("ticket").is_empty() || s("conversation").is_empty() {
                    return Err(AppError::bad_field(
                        "ticket",
                        "ticket and conversation are required",
                    ));
                }
                self.state
                    .storage()
                    .put(
                        &link_key(s("vendor"), s("ticket")),
                        &s("conversation").to_owned(),
                    )
                    .await?;
                Ok(Response::empty()?.with_status(204))
            }
            (Method::Get, "/helpdesk/link") => {
                let url = req.url()?;
                let q: std::collections::HashMap<String, String> =
                    url.query_pairs().into_owned().collect();
                let key = link_key(
                    q.get("vendor").map_or("", String::as_str),
                    q.get("ticket").map_or("", String::as_str),
                );
                match self.state.storage().get::<String>(&key).await? {
                    Some(conversation) => Ok(Response::from_json(
                        &json!({ "conversation": conversation }),
                    )?),
                    None => Err(AppError::NotFound("no conversation for that ticket".into())),
                }
            }
            (m, p) => Err(AppError::NotFound(format!("router has no {m} {p}"))),
        }
    }
}

/// `Some(at_ms)` when the call must wait.
fn wait_until(admit: &Admit) -> Option<f64> {
    match admit {
        Admit::SendNow => None,
        Admit::WaitUntil { at_ms } => Some(*at_ms),
    }
}
