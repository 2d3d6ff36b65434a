//! The routing decision: category → queue, overflow when a queue is full, business hours in
//! the site's time zone with holidays, and what happens out of hours. Local time is an input.

use crate::config::{parse_date, parse_range, OutOfHours, Priority, SiteConfig};
use crate::ids::{Category, QueueId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A moment in the site's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LocalTime {
    /// Year.
    pub year: i32,
    /// Month 1..=12.
    pub month: u32,
    /// Day 1..=31.
    pub day: u32,
    /// Minutes after midnight.
    pub minutes: u32,
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const WEEKDAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    crate::calendar::days_from_civil(i64::from(y), i64::from(m), i64::from(d))
}

fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let (y, m, d) = crate::calendar::civil_from_days(z);
    (y as i32, m as u32, d as u32)
}

impl LocalTime {
    fn days(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day)
    }

    /// 0 = Monday.
    pub fn weekday(&self) -> usize {
        (self.days() + 3).rem_euclid(7) as usize
    }

    /// `YYYY-MM-DD`.
    pub fn date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    fn plus_days(&self, n: i64, minutes: u32) -> Self {
        let (year, month, day) = civil_from_days(self.days() + n);
        Self {
            year,
            month,
            day,
            minutes,
        }
    }

    /// "10:00".
    pub fn clock(&self) -> String {
        format!("{:02}:{:02}", self.minutes / 60, self.minutes % 60)
    }
}

/// Opening ranges (minutes) on the day of `t`, none on holidays.
fn ranges(config: &SiteConfig, t: &LocalTime) -> Vec<(u32, u32)> {
    let r = &config.routing;
    if r.holidays
        .iter()
        .any(|h| parse_date(h).is_some_and(|(y, m, d)| (y, m, d) == (t.year, t.month, t.day)))
    {
        return Vec::new();
    }
    let mut out: Vec<(u32, u32)> = r
        .hours
        .get(WEEKDAYS[t.weekday()])
        .map(|list| list.iter().filter_map(|s| parse_range(s)).collect())
        .unwrap_or_default();
    crate::order::sort(&mut out);
    out
}

/// Whether the team is open at `t` (no hours configured: always open).
pub fn is_open(config: &SiteConfig, t: &LocalTime) -> bool {
    config.routing.hours.is_empty()
        || ranges(config, t)
            .iter()
            .any(|(a, b)| (*a..*b).contains(&t.minutes))
}

/// The next moment the team opens after `t`, within two weeks.
pub fn next_opening(config: &SiteConfig, t: &LocalTime) -> Option<LocalTime> {
    if config.routing.hours.is_empty() {
        return Some(*t);
    }
    (0..15).find_map(|n| {
        let day = t.plus_days(n, 0);
        ranges(config, &day)
            .into_iter()
            .find(|(a, _)| n > 0 || *a > t.minutes)
            .map(|(a, _)| t.plus_days(n, a))
    })
}

/// When an answer can be expected: the next opening plus the priority's SLA (default one
/// hour), kept inside that day's opening range.
pub fn expected_answer(
    config: &SiteConfig,
    t: &LocalTime,
    priority: Priority,
) -> Option<LocalTime> {
    let open = next_opening(config, t)?;
    let sla = config
        .routing
        .sla_minutes
        .get(&priority)
        .copied()
        .unwrap_or(60);
    let close = ranges(config, &open)
        .into_iter()
        .find(|(a, _)| *a == open.minutes)
        .map(|(_, b)| b)
        .unwrap_or(24 * 60);
    Some(LocalTime {
        minutes: (open.minutes + sla).min(close),
        ..open
    })
}

/// How long an escalation at `priority` may wait in a live queue before it becomes a ticket:
/// the priority's `routing.sla_minutes` (none set: it waits until someone takes it).
pub fn wait_limit_minutes(config: &SiteConfig, priority: Priority) -> Option<u32> {
    config.routing.sla_minutes.get(&priority).copied()
}

/// When a ticket made at `now` can expect an answer. While the team is open: the priority's
/// SLA (default one hour) from now if that is before today's closing time; otherwise the next
/// opening plus the SLA, as out of hours.
pub fn follow_up_by(config: &SiteConfig, now: &LocalTime, priority: Priority) -> Option<LocalTime> {
    if !is_open(config, now) {
        return expected_answer(config, now, priority);
    }
    let sla = config
        .routing
        .sla_minutes
        .get(&priority)
        .copied()
        .unwrap_or(60);
    let end = now.minutes + sla;
    if config.routing.hours.is_empty() {
        return Some(now.plus_days(i64::from(end / (24 * 60)), end % (24 * 60)));
    }
    let close = ranges(config, now)
        .into_iter()
        .find(|(a, b)| (*a..*b).contains(&now.minutes))
        .map_or(now.minutes, |(_, b)| b);
    if end <= close {
        Some(LocalTime {
            minutes: end,
            ..*now
        })
    } else {
        expected_answer(
            config,
            &LocalTime {
                minutes: close,
                ..*now
            },
            priority,
        )
    }
}

/// "by 10:00 today", "by 09:00 tomorrow", "by 09:00 on Monday", "by 09:00 on 2026-12-28".
pub fn when_phrase(now: &LocalTime, at: &LocalTime) -> String {
    let delta = at.days() - now.days();
    match delta {
        0 => format!("by {} today", at.clock()),
        1 => format!("by {} tomorrow", at.clock()),
        2..=6 => format!("by {} on {}", at.clock(), WEEKDAY_NAMES[at.weekday()]),
        _ => format!("by {} on {}", at.clock(), at.date()),
    }
}

/// How busy a queue is right now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueLoad {
    /// Conversations waiting.
    pub waiting: u32,
    /// Seconds a place in line takes ([`seconds_per_place`]); 0 when unknown.
    #[serde(default)]
    pub seconds_per_place: u32,
    /// Agents online who have the queue's skills.
    #[serde(default)]
    pub agents_online: u32,
}

/// A place in line when no time to agent has been measured yet: two minutes.
pub const DEFAULT_SECONDS_PER_PLACE: f64 = 120.0;

/// Seconds a place in line takes: the median of recent times to agent (seconds), else
/// [`DEFAULT_SECONDS_PER_PLACE`].
pub fn seconds_per_place(recent_time_to_agent: &[f64]) -> f64 {
    let mut s: Vec<f64> = recent_time_to_agent
        .iter()
        .copied()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .collect();
    if s.is_empty() {
        return DEFAULT_SECONDS_PER_PLACE;
    }
    crate::order::sort_by(&mut s, f64::total_cmp);
    s[s.len() / 2]
}

/// The expected wait (seconds) of the customer at `place` in line (1 = next) when `agents`
/// qualified agents are online, each place taking `per_place` seconds; with nobody online it
/// is counted as one agent (the queue's wait limit turns a long wait into a ticket).
pub fn wait_seconds(per_place: f64, place: u32, agents: u32) -> u32 {
    let per_place = if per_place > 0.0 {
        per_place
    } else {
        DEFAULT_SECONDS_PER_PLACE
    };
    (per_place * f64::from(place) / f64::from(agents.max(1))).round() as u32
}

/// A wait in whole minutes for the customer's message: rounded up, at least one.
pub fn wait_minutes(seconds: u32) -> u32 {
    seconds.div_ceil(60).max(1)
}

/// Where an escalation goes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RouteDecision {
    /// Into a live queue.
    Queue {
        /// The queue.
        queue: QueueId,
        /// The full queue it overflowed from, if it did.
        overflowed_from: Option<QueueId>,
    },
    /// The team is closed.
    OutOfHours {
        /// The queue that owns it.
        queue: QueueId,
        /// What to do: ticket, callback, or wait.
        behaviour: OutOfHours,
        /// When to expect an answer (async ticket, callback), in the site's time zone.
        expected_by: Option<LocalTime>,
        /// The same, in words ("by 10:00 tomorrow").
        expected_phrase: Option<String>,
    },
}

impl RouteDecision {
    /// The queue it ends up with.
    pub fn queue(&self) -> &QueueId {
        match self {
            Self::Queue { queue, .. } | Self::OutOfHours { queue, .. } => queue,
        }
    }
}

/// Decide where an escalation of `category` at `priority` goes at local time `now`.
pub fn route(
    config: &SiteConfig,
    category: &Category,
    priority: Priority,
    now: &LocalTime,
    loads: &BTreeMap<QueueId, QueueLoad>,
) -> RouteDecision {
    let primary = config
        .queue_for(category)
        .or_else(|| config.routing.queues.first())
        .map(|q| q.id.clone())
        .unwrap_or_else(|| QueueId::from("support"));
    if !is_open(config, now) {
        let behaviour = config
            .routing
            .out_of_hours
            .get(category)
            .copied()
            .unwrap_or_default();
        let expected_by = match behaviour {
            OutOfHours::QueueWithEstimate => next_opening(config, now),
            _ => expected_answer(config, now, priority),
        };
        return RouteDecision::OutOfHours {
            queue: primary,
            behaviour,
            expected_phrase: expected_by.map(|t| when_phrase(now, &t)),
            expected_by,
        };
    }
    // Follow the overflow chain past full queues; if all are full, stay with the first.
    let mut at = primary.clone();
    let mut seen = vec![at.clone()];
    while let Some(q) = config.queue(at.as_str()) {
        let full = q
            .capacity
            .is_some_and(|c| loads.get(&q.id).map(|l| l.waiting).unwrap_or(0) >= c);
        match (&q.overflow, full) {
            (Some(next), true) if !seen.contains(next) => {
                seen.push(next.clone());
                at = next.clone();
            }
            (_, true) => {
                at = primary.clone();
                break;
            }
            _ => break,
        }
    }
    RouteDecision::Queue {
        overflowed_from: (at != primary).then_some(primary),
        queue: at,
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_wait_comes_from_recent_times_to_agent() {
        assert_eq!(seconds_per_place(&[]), DEFAULT_SECONDS_PER_PLACE);
        assert_eq!(seconds_per_place(&[300.0, 30.0, 60.0]), 60.0);
        assert_eq!(seconds_per_place(&[f64::NAN, -1.0, 90.0]), 90.0);
        // Third in line, 60 s a place, two agents: 90 s, said as two minutes.
        assert_eq!(wait_seconds(60.0, 3, 2), 90);
        assert_eq!(wait_minutes(wait_seconds(60.0, 3, 2)), 2);
        assert_eq!(
            wait_seconds(60.0, 3, 0),
            180,
            "nobody online counts as one agent"
        );
        assert_eq!(wait_seconds(0.0, 1, 1), 120, "unknown: the default");
        assert_eq!(wait_minutes(0), 1);
        assert_eq!(wait_minutes(61), 2);
    }
    use super::*;

    fn config() -> SiteConfig {
        SiteConfig::from_json(
            r#"{"routing": {
                "queues": [
                    {"id": "billing", "name": "billing team", "capacity": 2, "overflow": "support"},
                    {"id": "support", "name": "support team", "capacity": 5}
                ],
                "categories": {"billing": "billing"},
                "default_queue": "support",
                "hours": {"mon": ["09:00-17:00"], "tue": ["09:00-17:00"], "wed": ["09:00-17:00"], "thu": ["09:00-17:00"], "fri": ["09:00-17:00"]},
                "holidays": ["2026-12-25"],
                "out_of_hours": {"billing": "async_ticket", "general": "callback"},
                "sla_minutes": {"urgent": 30}
            }}"#,
        )
        .unwrap()
    }

    fn at(year: i32, month: u32, day: u32, h: u32, m: u32) -> LocalTime {
        LocalTime {
            year,
            month,
            day,
            minutes: h * 60 + m,
        }
    }

    #[test]
    fn follow_up_within_sla_while_open_else_after_opening() {
        let c = config();
        // Monday 2026-11-30 10:00, urgent SLA 30 min: 10:30 today.
        let mon = LocalTime {
            year: 2026,
            month: 11,
            day: 30,
            minutes: 600,
        };
        let at = follow_up_by(&c, &mon, Priority::Urgent).unwrap();
        assert_eq!((at.day, at.clock()), (30, "10:30".to_owned()));
        // 16:45 with the default hour: past closing, so 10:00 on Tuesday.
        let late = LocalTime {
            minutes: 16 * 60 + 45,
            ..mon
        };
        let at = follow_up_by(&c, &late, Priority::Normal).unwrap();
        assert_eq!((at.day, at.clock()), (1, "10:00".to_owned()));
        assert_eq!(wait_limit_minutes(&c, Priority::Urgent), Some(30));
        assert_eq!(wait_limit_minutes(&c, Priority::Normal), None);
        // Always open: 23:30 plus an hour is 00:30 the next day.
        let open = SiteConfig::default();
        let night = LocalTime {
            minutes: 23 * 60 + 30,
            ..mon
        };
        let at = follow_up_by(&open, &night, Priority::Normal).unwrap();
        assert_eq!((at.month, at.day, at.clock()), (12, 1, "00:30".to_owned()));
    }

    #[test]
    fn weekdays_and_hours() {
        let c = config();
        assert_eq!(
            at(2026, 11, 24, 10, 0).weekday(),
            1,
            "2026-11-24 is a Tuesday"
        );
        assert!(is_open(&c, &at(2026, 11, 24, 10, 0)));
        assert!(!is_open(&c, &at(2026, 11, 24, 17, 0)));
        assert!(!is_open(&c, &at(2026, 11, 28, 12, 0)), "Saturday");
        assert!(!is_open(&c, &at(2026, 12, 25, 12, 0)), "holiday");
    }

    #[test]
    fn next_opening_skips_nights_weekends_and_holidays() {
        let c = config();
        assert_eq!(
            next_opening(&c, &at(2026, 11, 24, 20, 0)),
            Some(at(2026, 11, 25, 9, 0))
        );
        assert_eq!(
            next_opening(&c, &at(2026, 11, 27, 18, 0)),
            Some(at(2026, 11, 30, 9, 0)),
            "Friday evening → Monday"
        );
        assert_eq!(
            next_opening(&c, &at(2026, 12, 24, 18, 0)),
            Some(at(2026, 12, 28, 9, 0)),
            "over Christmas"
        );
        assert_eq!(
            next_opening(&c, &at(2026, 11, 24, 7, 0)),
            Some(at(2026, 11, 24, 9, 0))
        );
    }

    #[test]
    fn out_of_hours_gives_a_concrete_time() {
        let c = config();
        let now = at(2026, 11, 24, 21, 15);
        let d = route(
            &c,
            &Category::from("billing"),
            Priority::Normal,
            &now,
            &BTreeMap::new(),
        );
        match d {
            RouteDecision::OutOfHours {
                behaviour,
                expected_phrase,
                expected_by,
                queue,
            } => {
                assert_eq!(behaviour, OutOfHours::AsyncTicket);
                assert_eq!(queue.as_str(), "billing");
                assert_eq!(expected_by, Some(at(2026, 11, 25, 10, 0)));
                assert_eq!(expected_phrase.as_deref(), Some("by 10:00 tomorrow"));
            }
            other => panic!("{other:?}"),
        }
        let friday = at(2026, 11, 27, 18, 0);
        let d = route(
            &c,
            &Category::from("general"),
            Priority::Urgent,
            &friday,
            &BTreeMap::new(),
        );
        let RouteDecision::OutOfHours {
            behaviour,
            expected_phrase,
            ..
        } = d
        else {
            panic!()
        };
        assert_eq!(behaviour, OutOfHours::Callback);
        assert_eq!(expected_phrase.as_deref(), Some("by 09:30 on Monday"));
    }

    #[test]
    fn full_queue_overflows() {
        let c = config();
        let now = at(2026, 11, 24, 10, 0);
        let mut loads = BTreeMap::new();
        let billing = Category::from("billing");
        assert_eq!(
            route(&c, &billing, Priority::Normal, &now, &loads),
            RouteDecision::Queue {
                queue: "billing".into(),
                overflowed_from: None
            }
        );
        loads.insert(
            QueueId::from("billing"),
            QueueLoad {
                waiting: 2,
                ..QueueLoad::default()
            },
        );
        assert_eq!(
            route(&c, &billing, Priority::Normal, &now, &loads),
            RouteDecision::Queue {
                queue: "support".into(),
                overflowed_from: Some("billing".into())
            }
        );
        loads.insert(
            QueueId::from("support"),
            QueueLoad {
                waiting: 5,
                ..QueueLoad::default()
            },
        );
        assert_eq!(
            route(&c, &billing, Priority::Normal, &now, &loads)
                .queue()
                .as_str(),
            "billing",
            "all full: stay"
        );
    }

    #[test]
    fn no_hours_means_always_open() {
        let c = SiteConfig::default();
        assert!(is_open(&c, &at(2026, 1, 1, 3, 0)));
    }
}
