//! Vendors' rate budgets, kept by the site's router so every conversation of a site draws on
//! one budget per vendor, target and plan; the rules (80 % of the limit, headers) are shared's.

use super::SiteRouter;
use crate::durable::{self, now_ms};
use crate::error::AppError;
use baton_shared::connector::budget::{Admit, CallClass, Limit, RateBudget, Vendor, VendorLimits};
use serde::{Deserialize, Serialize};
use worker::Response;

/// A conversation asking before a call (`class` set) or reporting the answer after it
/// (`status` and `headers` set), both on `POST /budget`. One plain struct for both: a tagged
/// enum would cost the worker far more wasm than it saves.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BudgetCall {
    /// Whose limits.
    pub vendor: Vendor,
    /// What the limit is counted per (a Slack channel, a Linear key, a HubSpot portal; empty
    /// for a helpdesk, whose limit is per account).
    pub key: String,
    /// The account's plan limit per minute, where it differs from the vendor's published one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_minute: Option<u32>,
    /// Acquire: which sub-limit the call draws on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<CallClass>,
    /// Observe: the HTTP status.
    #[serde(default)]
    pub status: u16,
    /// Observe: the response headers (`Retry-After`, remaining/reset).
    #[serde(default)]
    pub headers: Vec<(String, String)>,
}

impl SiteRouter {
    /// Answer a [`BudgetCall`]: `{"wait_until": ms}` when the call must wait (nothing was
    /// counted), `{"wait_until": null}` when it may go now (counted) or was observed.
    pub(super) async fn budget(&self, call: BudgetCall) -> Result<Response, AppError> {
        let storage_key = format!(
            "b:{}:{}:{}",
            vendor_name(call.vendor),
            call.key,
            call.per_minute.unwrap_or(0)
        );
        let now = now_ms();
        let mut budget = durable::store::get::<RateBudget>(&self.state.storage(), &storage_key)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| {
                let limits = VendorLimits::published(call.vendor);
                let limits = match call.per_minute {
                    Some(n) => limits.with_general(Limit::per_minute(n)),
                    None => limits,
                };
                RateBudget::new(call.vendor, limits, now)
            });
        let wait_until = match call.class {
            Some(class) => match budget.acquire(class, now) {
                Admit::SendNow => None,
                Admit::WaitUntil { at_ms } => Some(at_ms),
            },
            None => {
                budget.observe(call.status, &call.headers, now);
                None
            }
        };
        durable::store::put(&self.state.storage(), &storage_key, &budget).await?;
        Ok(Response::from_json(
            &serde_json::json!({ "wait_until": wait_until }),
        )?)
    }
}

fn vendor_name(vendor: Vendor) -> String {
    format!("{vendor:?}").to_ascii_lowercase()
}
