//! The site's helpdesk bookkeeping: one rate budget per vendor (shared by every conversation,
//! since vendor limits are per account) and the vendor-ticket → conversation links inbound webhooks use.

use super::*;
use baton_shared::connector::budget::{Admit, CallClass, Limit, RateBudget, Vendor, VendorLimits};

/// `POST /helpdesk/budget`: may one call go out now? Answers `{"wait_until_ms": null | ms}`.
#[derive(Deserialize)]
pub(crate) struct BudgetAsk {
    pub vendor: Vendor,
    pub class: CallClass,
    /// The plan's per-minute limit, when the config gives one.
    #[serde(default)]
    pub per_minute: Option<u32>,
}

/// `POST /helpdesk/observe`: what the vendor answered.
#[derive(Deserialize)]
pub(crate) struct BudgetObserve {
    pub vendor: Vendor,
    #[serde(default)]
    pub per_minute: Option<u32>,
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

/// `POST /helpdesk/link`: a ticket Baton created for a conversation.
#[derive(Serialize, Deserialize)]
pub(crate) struct TicketLink {
    pub vendor: String,
    pub ticket: String,
    pub conversation: String,
}

fn budget_key(vendor: Vendor, per_minute: Option<u32>) -> String {
    format!("hb:{vendor:?}:{}", per_minute.unwrap_or(0))
}

fn link_key(vendor: &str, ticket: &str) -> String {
    format!("hl:{vendor}:{ticket}")
}

impl SiteRouter {
    async fn budget(
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
            (Method::Post, "/helpdesk/budget") => {
                let ask: BudgetAsk = req.json().await?;
                let mut budget = self.budget(ask.vendor, ask.per_minute).await?;
                let admit = budget.acquire(ask.class, now_ms());
                self.state
                    .storage()
                    .put(&budget_key(ask.vendor, ask.per_minute), &budget)
                    .await?;
                Ok(Response::from_json(
                    &json!({ "wait_until_ms": wait_until(&admit) }),
                )?)
            }
            (Method::Post, "/helpdesk/observe") => {
                let seen: BudgetObserve = req.json().await?;
                let mut budget = self.budget(seen.vendor, seen.per_minute).await?;
                budget.observe(seen.status, &seen.headers, now_ms());
                self.state
                    .storage()
                    .put(&budget_key(seen.vendor, seen.per_minute), &budget)
                    .await?;
                Ok(Response::empty()?.with_status(204))
            }
            (Method::Post, "/helpdesk/link") => {
                let link: TicketLink = req.json().await?;
                self.state
                    .storage()
                    .put(&link_key(&link.vendor, &link.ticket), &link.conversation)
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
