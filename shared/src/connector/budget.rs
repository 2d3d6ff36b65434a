//! Rate budgets: keep each vendor at no more than 80 % of its published limit, and honour the
//! rate-limit headers it sends back, queueing rather than failing.
//!
//! A [`RateBudget`] is a small token bucket per call class (all calls; ticket creations;
//! searches) sized so that no window of the vendor's length ever sees more than 80 % of its
//! limit, plus a "blocked until" instant set from `Retry-After`, from reset headers when the
//! account as a whole is running low (other apps share the same account limit), or from a
//! bare 429. The worker keeps one per site and vendor in Durable Object storage, asks
//! [`RateBudget::acquire`] before each call and feeds every answer to [`RateBudget::observe`].
//! Time is an argument (ms since the epoch), as everywhere in `shared`.

use serde::{Deserialize, Serialize};

use super::header;

/// Which vendor a budget is for (their headers differ).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vendor {
    /// Zendesk Support.
    Zendesk,
    /// Freshdesk.
    Freshdesk,
    /// Intercom.
    Intercom,
    /// Slack Web API.
    Slack,
    /// Linear GraphQL.
    Linear,
    /// HubSpot CRM.
    Hubspot,
    /// A site's own webhook endpoint.
    Webhook,
}

/// What kind of call is about to be made (some vendors have sub-limits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallClass {
    /// Any call.
    General,
    /// A ticket creation (Freshdesk counts these separately).
    Create,
    /// A search (HubSpot's search has its own, lower limit).
    Search,
}

/// A published limit: `calls` per `window_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Limit {
    /// Calls allowed per window.
    pub calls: u32,
    /// The window (ms).
    pub window_ms: u64,
}

impl Limit {
    /// `calls` per minute.
    pub const fn per_minute(calls: u32) -> Self {
        Self {
            calls,
            window_ms: 60_000,
        }
    }
}

/// The published limits of one vendor (per account unless noted), before the 80 % margin.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct VendorLimits {
    /// All calls.
    pub general: Limit,
    /// Ticket creations, where the vendor has a sub-limit.
    pub create: Option<Limit>,
    /// Searches, where the vendor has a sub-limit.
    pub search: Option<Limit>,
}

impl VendorLimits {
    /// The lowest published plan's limits, so an unconfigured site is safe on any plan:
    /// Zendesk 200/min (Team); Freshdesk Growth 200/min with 80 ticket creations/min;
    /// Intercom 10,000/min per app enforced per 10 s (1,666/10 s); Slack `chat.postMessage`
    /// about 1/s per channel; Linear 5,000/h per API key; HubSpot 100/10 s with search at
    /// 4/s; a site's own webhook 10/s (our choice: no published limit).
    pub fn published(vendor: Vendor) -> Self {
        let only = |general| Self {
            general,
            create: None,
            search: None,
        };
        match vendor {
            Vendor::Zendesk => only(Limit::per_minute(200)),
            Vendor::Freshdesk => Self {
                general: Limit::per_minute(200),
                create: Some(Limit::per_minute(80)),
                search: None,
            },
            Vendor::Intercom => only(Limit {
                calls: 1_666,
                window_ms: 10_000,
            }),
            Vendor::Slack => only(Limit {
                calls: 1,
                window_ms: 1_000,
            }),
            Vendor::Linear => only(Limit {
                calls: 5_000,
                window_ms: 3_600_000,
            }),
            Vendor::Hubspot => Self {
                general: Limit {
                    calls: 100,
                    window_ms: 10_000,
                },
                create: None,
                search: Some(Limit {
                    calls: 4,
                    window_ms: 1_000,
                }),
            },
            Vendor::Webhook => only(Limit {
                calls: 10,
                window_ms: 1_000,
            }),
        }
    }

    /// The same vendor on a plan with a different per-minute account limit (Zendesk 400/700,
    /// Freshdesk Pro 400 with 160 creations, Enterprise 700 with 280).
    pub fn with_general(mut self, general: Limit) -> Self {
        // Freshdesk's creation sub-limit is 40 % of the plan's limit on every plan.
        if let Some(create) = &mut self.create {
            create.calls = (general.calls as u64 * 2 / 5).max(1) as u32;
            create.window_ms = general.window_ms;
        }
        self.general = general;
        self
    }
}

/// The share of a published limit Baton allows itself.
pub const SHARE: f64 = 0.8;

/// A token bucket that never lets more than `SHARE` of a limit through in any window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    capacity: f64,
    tokens: f64,
    refill_per_ms: f64,
    updated_ms: f64,
}

impl Bucket {
    /// A full bucket for `limit` at `now_ms`. Burst capacity is a tenth of the allowance (at
    /// least one call); the refill rate is what is left of the allowance over the window, so
    /// burst + refill over any window stays at or under `SHARE × calls` (for tiny limits,
    /// such as Slack's 1/s, at least one call per window and half the allowance as refill).
    pub fn new(limit: Limit, now_ms: f64) -> Self {
        let allowance = SHARE * limit.calls as f64;
        let capacity = (allowance / 10.0).floor().max(1.0);
        let refill = (allowance - capacity).max(allowance / 2.0);
        Self {
            capacity,
            tokens: capacity,
            refill_per_ms: refill / limit.window_ms.max(1) as f64,
            updated_ms: now_ms,
        }
    }

    fn refill(&mut self, now_ms: f64) {
        if now_ms > self.updated_ms {
            self.tokens =
                (self.tokens + (now_ms - self.updated_ms) * self.refill_per_ms).min(self.capacity);
            self.updated_ms = now_ms;
        }
    }

    /// When a token will be available (now if one is).
    fn ready_at(&mut self, now_ms: f64) -> f64 {
        self.refill(now_ms);
        if self.tokens >= 1.0 {
            now_ms
        } else {
            now_ms + ((1.0 - self.tokens) / self.refill_per_ms).ceil()
        }
    }

    fn take(&mut self) {
        self.tokens -= 1.0;
    }
}

/// The answer to "may I call now?".
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "admit", rename_all = "snake_case")]
pub enum Admit {
    /// Go ahead; the call has been counted.
    SendNow,
    /// Not before this instant (ms since the epoch); nothing was counted. Reschedule the
    /// outbox entry for then: this is queueing, not a failure.
    WaitUntil {
        /// When to ask again.
        at_ms: f64,
    },
}

/// One vendor's budget for one site.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RateBudget {
    /// The vendor (selects the headers to read).
    pub vendor: Vendor,
    general: Bucket,
    create: Option<Bucket>,
    search: Option<Bucket>,
    /// Nothing is sent before this instant (ms).
    blocked_until_ms: f64,
    /// The general window, for a 429 that says nothing about when to come back.
    window_ms: u64,
}

impl RateBudget {
    /// A fresh budget at the vendor's lowest published plan.
    pub fn for_vendor(vendor: Vendor, now_ms: f64) -> Self {
        Self::new(vendor, VendorLimits::published(vendor), now_ms)
    }

    /// A fresh budget with explicit limits.
    pub fn new(vendor: Vendor, limits: VendorLimits, now_ms: f64) -> Self {
        Self {
            vendor,
            general: Bucket::new(limits.general, now_ms),
            create: limits.create.map(|l| Bucket::new(l, now_ms)),
            search: limits.search.map(|l| Bucket::new(l, now_ms)),
            blocked_until_ms: 0.0,
            window_ms: limits.general.window_ms,
        }
    }

    /// Until when the vendor told us to stay away (0 if never).
    pub fn blocked_until(&self) -> f64 {
        self.blocked_until_ms
    }

    /// Ask to make one call of `class` at `now_ms`. `SendNow` counts it.
    pub fn acquire(&mut self, class: CallClass, now_ms: f64) -> Admit {
        let sub = match class {
            CallClass::General => None,
            CallClass::Create => self.create.as_mut(),
            CallClass::Search => self.search.as_mut(),
        };
        let sub_ready = sub.map_or(now_ms, |b| b.ready_at(now_ms));
        let ready = self
            .blocked_until_ms
            .max(self.general.ready_at(now_ms))
            .max(sub_ready);
        if ready > now_ms {
            return Admit::WaitUntil { at_ms: ready };
        }
        self.general.take();
        match class {
            CallClass::General => {}
            CallClass::Create => self.create.as_mut().map_or((), Bucket::take),
            CallClass::Search => self.search.as_mut().map_or((), Bucket::take),
        }
        Admit::SendNow
    }

    fn block_until(&mut self, at_ms: f64) {
        self.blocked_until_ms = self.blocked_until_ms.max(at_ms);
    }

    /// Learn from a response: `Retry-After` (seconds or HTTP date) on any status; the
    /// vendor's remaining/reset headers (back off until the reset when the account as a whole
    /// has used 80 % of its window, e.g. because other apps share it); a bare 429 blocks for
    /// one window.
    pub fn observe(&mut self, status: u16, headers: &[(String, String)], now_ms: f64) {
        if let Some(ms) =
            header(headers, "retry-after").and_then(|v| crate::outbox::parse_retry_after(v, now_ms))
        {
            self.block_until(now_ms + ms as f64);
            return;
        }
        let num = |name: &str| header(headers, name).and_then(|v| v.trim().parse::<f64>().ok());
        // (limit, remaining, reset instant in ms)
        let (limit, remaining, reset_at) = match self.vendor {
            Vendor::Zendesk => (
                num("x-rate-limit").or_else(|| num("ratelimit-limit")),
                num("x-rate-limit-remaining").or_else(|| num("ratelimit-remaining")),
                // `ratelimit-reset` is seconds until the window resets; else the minute ends.
                Some(num("ratelimit-reset").map_or(now_ms + 60_000.0, |s| now_ms + s * 1000.0)),
            ),
            Vendor::Freshdesk => (
                num("x-ratelimit-total"),
                num("x-ratelimit-remaining"),
                Some(now_ms + 60_000.0),
            ),
            Vendor::Intercom => (
                num("x-ratelimit-limit"),
                num("x-ratelimit-remaining"),
                num("x-ratelimit-reset").map(|s| s * 1000.0),
            ),
            Vendor::Hubspot => (
                num("x-hubspot-ratelimit-max"),
                num("x-hubspot-ratelimit-remaining"),
                Some(now_ms + num("x-hubspot-ratelimit-interval-milliseconds").unwrap_or(10_000.0)),
            ),
            Vendor::Linear => (
                num("x-ratelimit-requests-limit"),
                num("x-ratelimit-requests-remaining"),
                num("x-ratelimit-requests-reset"),
            ),
            Vendor::Slack | Vendor::Webhook => (None, None, None),
        };
        if let (Some(remaining), Some(reset)) = (remaining, reset_at) {
            let low = match limit {
                Some(limit) if limit > 0.0 => remaining <= limit * (1.0 - SHARE),
                _ => remaining <= 0.0,
            };
            if low && reset > now_ms {
                self.block_until(reset);
                return;
            }
        }
        if status == 429 {
            self.block_until(
                reset_at
                    .filter(|r| *r > now_ms)
                    .unwrap_or(now_ms + self.window_ms as f64),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Drive a budget as fast as it allows for `span_ms` and return the send instants.
    fn saturate(b: &mut RateBudget, class: CallClass, span_ms: f64) -> Vec<f64> {
        let mut now = 0.0;
        let mut sent = Vec::new();
        while now < span_ms {
            match b.acquire(class, now) {
                Admit::SendNow => sent.push(now),
                Admit::WaitUntil { at_ms } => {
                    assert!(at_ms > now);
                    now = at_ms;
                }
            }
        }
        sent
    }

    fn max_in_window(sent: &[f64], window: f64) -> usize {
        sent.iter()
            .map(|&t| sent.iter().filter(|&&u| u >= t && u < t + window).count())
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn never_more_than_80_percent_in_any_window() {
        for vendor in [
            Vendor::Zendesk,
            Vendor::Freshdesk,
            Vendor::Intercom,
            Vendor::Hubspot,
        ] {
            let limits = VendorLimits::published(vendor);
            let mut b = RateBudget::new(vendor, limits, 0.0);
            let w = limits.general.window_ms as f64;
            let sent = saturate(&mut b, CallClass::General, 5.0 * w);
            let allowed = (SHARE * limits.general.calls as f64).floor() as usize;
            let peak = max_in_window(&sent, w);
            assert!(peak <= allowed, "{vendor:?}: {peak} > {allowed}");
            // ...and it is not needlessly slow: at least 70 % of the limit gets through.
            assert!(
                peak as f64 >= 0.7 * limits.general.calls as f64,
                "{vendor:?}: {peak}"
            );
        }
    }

    #[test]
    fn freshdesk_growth_creates_stay_under_64_a_minute() {
        let mut b = RateBudget::for_vendor(Vendor::Freshdesk, 0.0);
        let sent = saturate(&mut b, CallClass::Create, 180_000.0);
        let peak = max_in_window(&sent, 60_000.0);
        assert!(peak <= 64, "{peak}");
        assert!(peak >= 50, "{peak}");
        // Creations also use the general allowance.
        let pro = VendorLimits::published(Vendor::Freshdesk).with_general(Limit::per_minute(400));
        assert_eq!(pro.create, Some(Limit::per_minute(160)));
    }

    #[test]
    fn slack_paces_one_channel() {
        let mut b = RateBudget::for_vendor(Vendor::Slack, 0.0);
        assert_eq!(b.acquire(CallClass::General, 0.0), Admit::SendNow);
        let Admit::WaitUntil { at_ms } = b.acquire(CallClass::General, 10.0) else {
            panic!("a second message in the same second must wait");
        };
        assert!(at_ms >= 1_000.0, "{at_ms}");
    }

    #[test]
    fn retry_after_blocks_until_then() {
        let mut b = RateBudget::for_vendor(Vendor::Zendesk, 0.0);
        b.observe(429, &h(&[("Retry-After", "7")]), 1_000.0);
        assert_eq!(
            b.acquire(CallClass::General, 2_000.0),
            Admit::WaitUntil { at_ms: 8_000.0 }
        );
        assert_eq!(b.acquire(CallClass::General, 8_000.0), Admit::SendNow);
    }

    #[test]
    fn intercom_reset_epoch_seconds() {
        let mut b = RateBudget::for_vendor(Vendor::Intercom, 0.0);
        // Plenty left: nothing changes.
        b.observe(
            200,
            &h(&[
                ("X-RateLimit-Limit", "1666"),
                ("X-RateLimit-Remaining", "1000"),
                ("X-RateLimit-Reset", "1700000010"),
            ]),
            1_700_000_000_000.0,
        );
        assert_eq!(b.blocked_until(), 0.0);
        // A 429 without Retry-After: wait for the reset instant.
        b.observe(
            429,
            &h(&[
                ("X-RateLimit-Limit", "1666"),
                ("X-RateLimit-Remaining", "0"),
                ("X-RateLimit-Reset", "1700000010"),
            ]),
            1_700_000_001_000.0,
        );
        assert_eq!(b.blocked_until(), 1_700_000_010_000.0);
    }

    #[test]
    fn shared_account_running_low_backs_off() {
        // Zendesk: other apps used the account's minute; 100 of 700 left (< 20 %).
        let mut b = RateBudget::for_vendor(Vendor::Zendesk, 0.0);
        b.observe(
            201,
            &h(&[("X-Rate-Limit", "700"), ("X-Rate-Limit-Remaining", "100")]),
            5_000.0,
        );
        assert_eq!(b.blocked_until(), 65_000.0);
        // Freshdesk: same idea with its own header names.
        let mut f = RateBudget::for_vendor(Vendor::Freshdesk, 0.0);
        f.observe(
            201,
            &h(&[
                ("X-RateLimit-Total", "200"),
                ("X-RateLimit-Remaining", "150"),
            ]),
            0.0,
        );
        assert_eq!(f.blocked_until(), 0.0);
        f.observe(
            201,
            &h(&[
                ("X-RateLimit-Total", "200"),
                ("X-RateLimit-Remaining", "39"),
            ]),
            0.0,
        );
        assert_eq!(f.blocked_until(), 60_000.0);
    }

    #[test]
    fn linear_reset_is_epoch_ms_and_hubspot_rolls_ten_seconds() {
        let mut l = RateBudget::for_vendor(Vendor::Linear, 0.0);
        l.observe(
            400,
            &h(&[
                ("X-RateLimit-Requests-Limit", "5000"),
                ("X-RateLimit-Requests-Remaining", "0"),
                ("X-RateLimit-Requests-Reset", "1700000123456"),
            ]),
            1_700_000_000_000.0,
        );
        assert_eq!(l.blocked_until(), 1_700_000_123_456.0);
        let mut hs = RateBudget::for_vendor(Vendor::Hubspot, 0.0);
        hs.observe(429, &h(&[]), 1_000.0);
        assert_eq!(hs.blocked_until(), 11_000.0);
        // Search has its own, lower pace.
        let mut s = RateBudget::for_vendor(Vendor::Hubspot, 0.0);
        let sent = saturate(&mut s, CallClass::Search, 10_000.0);
        assert!(max_in_window(&sent, 1_000.0) <= 3, "{sent:?}");
    }

    #[test]
    fn a_budget_survives_storage() {
        let mut b = RateBudget::for_vendor(Vendor::Freshdesk, 0.0);
        b.acquire(CallClass::Create, 0.0);
        let json = serde_json::to_string(&b).unwrap();
        let mut back: RateBudget = serde_json::from_str(&json).unwrap();
        assert_eq!(back.vendor, b.vendor);
        // The restored budget behaves like the original.
        assert_eq!(
            back.acquire(CallClass::Create, 10.0),
            b.acquire(CallClass::Create, 10.0)
        );
    }
}
