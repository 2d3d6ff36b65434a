//! Vendors' rate budgets, kept by the site's router so every conversation of a site draws on
//! one budget per vendor and target; the rules (80 % of the limit, rate-limit headers) are shared's.

use super::SiteRouter;
use crate::durable::{self, now_ms};
use crate::error::AppError;
use baton_shared::connector::budget::{Admit, CallClass, RateBudget, Vendor};
use serde::{Deserialize, Serialize};
use worker::Response;

/// A conversation asking before a call, or reporting the answer after it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum BudgetCall {
    /// May this call go out now? Answers an [`Admit`].
    Acquire {
        /// Whose limits.
        vendor: Vendor,
        /// What the limit is counted per (a Slack channel, a Linear key, a HubSpot portal).
        key: String,
        /// Which sub-limit the call draws on.
        class: CallClass,
    },
    /// What the vendor answered: its status and headers (`Retry-After`, remaining/reset).
    Observe {
        /// Whose limits.
        vendor: Vendor,
        /// As in `Acquire`.
        key: String,
        /// HTTP status.
        status: u16,
        /// Response headers.
        headers: Vec<(String, String)>,
    },
}

impl SiteRouter {
    /// Answer a [`BudgetCall`].
    pub(super) async fn budget(&self, call: BudgetCall) -> Result<Response, AppError> {
        let (vendor, key) = match &call {
            BudgetCall::Acquire { vendor, key, .. } | BudgetCall::Observe { vendor, key, .. } => {
                (*vendor, key.clone())
            }
        };
        let storage_key = format!("b:{}:{key}", vendor_name(vendor));
        let now = now_ms();
        let mut budget = self
            .state
            .storage()
            .get::<RateBudget>(&storage_key)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| RateBudget::for_vendor(vendor, now));
        let answer = match call {
            BudgetCall::Acquire { class, .. } => budget.acquire(class, now),
            BudgetCall::Observe {
                status, headers, ..
            } => {
                budget.observe(status, &headers, now);
                Admit::SendNow
            }
        };
        self.state
            .storage()
            .put_raw(&storage_key, durable::to_js(&budget)?)
            .await?;
        Ok(Response::from_json(&answer)?)
    }
}

fn vendor_name(vendor: Vendor) -> String {
    serde_json::to_value(vendor)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
