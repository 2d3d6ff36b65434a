//! Validation of a config document: every problem is collected, each with its JSON path, the
//! value at fault and a plain-English fix; a document with any problem is refused whole.

use super::SiteConfig;
use crate::ids::QueueId;
use crate::order;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One mistake in a config document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigIssue {
    /// JSON path (`routing.queues[1].overflow`); empty for the document itself.
    pub path: String,
    /// What is wrong.
    pub problem: String,
    /// How to fix it.
    pub fix: String,
    /// The value at fault, as JSON, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl fmt::Display for ConfigIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(document)"
        } else {
            &self.path
        };
        write!(f, "{path}: {} ({})", self.problem, self.fix)
    }
}

fn issue(
    path: impl Into<String>,
    problem: impl Into<String>,
    fix: impl Into<String>,
    value: Option<&Value>,
) -> ConfigIssue {
    ConfigIssue {
        path: path.into(),
        problem: problem.into(),
        fix: fix.into(),
        value: value.map(|v| {
            let s = v.to_string();
            if s.chars().count() > 80 {
                format!("{}…", s.chars().take(80).collect::<String>())
            } else {
                s
            }
        }),
    }
}

/// Parse and check a config document; `Err` lists every problem found.
pub fn validate(text: &str) -> Result<SiteConfig, Vec<ConfigIssue>> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        vec![issue(
            format!("line {} column {}", e.line(), e.column()),
            format!("this is not valid JSON: {e}"),
            "check for a missing comma, quote or bracket near that spot",
            None,
        )]
    })?;
    validate_value(value)
}

/// Check an already-parsed document.
pub fn validate_value(value: Value) -> Result<SiteConfig, Vec<ConfigIssue>> {
    if !value.is_object() {
        return Err(vec![issue(
            "",
            "the config must be a JSON object",
            "start the document with { and list the sections inside",
            Some(&value),
        )]);
    }
    let original = value.clone();
    let (config, mut issues) = structural(value);
    let Some(config) = config else {
        return Err(issues);
    };
    semantic(&config, &original, &mut issues);
    if issues.is_empty() {
        Ok(config)
    } else {
        Err(issues)
    }
}

/// Deserialise, and on each error record it, remove the offending part (defaults fill in) and
/// try again, so every unknown key and wrong type is reported, not just the first.
fn structural(mut value: Value) -> (Option<SiteConfig>, Vec<ConfigIssue>) {
    let mut issues = Vec::new();
    for _ in 0..500 {
        let message = match SiteConfig::deserialize(&value) {
            Ok(config) => return (Some(config), issues),
            Err(e) => e.to_string(),
        };
        let segments = locate(&value, &message);
        let at = get(&value, &segments);
        issues.push(explain(&render(&segments), &message, at));
        if segments.is_empty() || !remove(&mut value, &segments) {
            return (None, issues);
        }
    }
    (None, issues)
}

/// Where the first problem of `doc` (whose error reads `message`) lies. Deserialisation walks
/// the document in order and stops at the first problem, so keeping only the first entries of
/// an object or array shows whether that problem lies among them; a binary search over each
/// level finds the entry, and the walk goes down until the problem is the node itself.
/// (One plain deserialiser serves both this and loading, which keeps the worker small.)
fn locate(doc: &Value, message: &str) -> Vec<Seg> {
    let mut doc = doc.clone();
    let mut path = Vec::new();
    loop {
        let len = match get(&doc, &path) {
            Some(Value::Object(map)) => map.len(),
            Some(Value::Array(items)) => items.len(),
            _ => return path,
        };
        let fails_with_first = |n: usize| {
            let mut trial = doc.clone();
            keep_first(&mut trial, &path, n);
            SiteConfig::deserialize(&trial).is_err_and(|e| e.to_string() == message)
        };
        if len == 0 || fails_with_first(0) {
            return path;
        }
        // The whole node fails; find the smallest n whose first n entries still fail.
        let (mut lo, mut hi) = (1, len);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if fails_with_first(mid) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        keep_first(&mut doc, &path, lo);
        let seg = match get(&doc, &path) {
            Some(Value::Object(map)) => map.keys().nth(lo - 1).map(|k| Seg::Key(k.clone())),
            _ => Some(Seg::Index(lo - 1)),
        };
        path.extend(seg);
    }
}

/// Keep only the first `n` entries of the object or array at `path`.
fn keep_first(doc: &mut Value, path: &[Seg], n: usize) {
    let node = path.iter().try_fold(doc, |v, s| match s {
        Seg::Key(k) => v.get_mut(k),
        Seg::Index(i) => v.get_mut(i),
    });
    match node {
        Some(Value::Object(map)) => {
            for (k, v) in std::mem::take(map).into_iter().take(n) {
                map.insert(k, v);
            }
        }
        Some(Value::Array(items)) => items.truncate(n),
        _ => {}
    }
}

/// A path as users read it: `routing.queues[1].overflow`.
fn render(path: &[Seg]) -> String {
    let mut out = String::new();
    for s in path {
        match s {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

enum Seg {
    Key(String),
    Index(usize),
}

fn get<'a>(v: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, s| match s {
        Seg::Key(k) => v.get(k),
        Seg::Index(i) => v.get(i),
    })
}

fn remove(v: &mut Value, path: &[Seg]) -> bool {
    let Some((last, parent)) = path.split_last() else {
        return false;
    };
    let mut cur = v;
    for s in parent {
        let next = match s {
            Seg::Key(k) => cur.get_mut(k),
            Seg::Index(i) => cur.get_mut(i),
        };
        match next {
            Some(n) => cur = n,
            None => return false,
        }
    }
    match (last, cur) {
        (Seg::Key(k), Value::Object(map)) => map.remove(k).is_some(),
        (Seg::Index(i), Value::Array(items)) if *i < items.len() => {
            items.remove(*i);
            true
        }
        _ => false,
    }
}

/// Turn a serde message into a problem and a fix a support lead can act on.
fn explain(path: &str, message: &str, at: Option<&Value>) -> ConfigIssue {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (name, tail) = rest.split_once('`').unwrap_or((rest, ""));
        let options = tail
            .split_once("expected one of ")
            .map(|(_, o)| o.replace('`', ""))
            .or_else(|| {
                tail.split_once("expected ")
                    .map(|(_, o)| o.replace('`', ""))
            });
        let fix = match options {
            Some(o) => format!(
                "remove it, or use one of: {}",
                o.trim_end_matches(|c: char| c == ',' || c.is_whitespace())
            ),
            None => "remove it: this section takes no keys".into(),
        };
        return issue(path, format!("unknown key `{name}`"), fix, None);
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (name, tail) = rest.split_once('`').unwrap_or((rest, ""));
        let options = tail
            .split_once("expected one of ")
            .or_else(|| tail.split_once("expected "))
            .map(|(_, o)| o.replace('`', ""))
            .unwrap_or_default();
        return issue(
            path,
            format!("`{name}` is not an allowed value"),
            format!("use one of: {options}"),
            at,
        );
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let expected = rest
            .split_once(", expected ")
            .map(|(_, e)| e)
            .unwrap_or("another type");
        return issue(
            path,
            format!(
                "wrong type: {}",
                rest.split(", expected").next().unwrap_or(rest)
            ),
            format!("give {expected}"),
            at,
        );
    }
    if message.starts_with("invalid value") || message.starts_with("invalid length") {
        return issue(
            path,
            message.to_owned(),
            "check the allowed range in the schema (www/baton-config.schema.json)",
            at,
        );
    }
    issue(
        path,
        message.to_owned(),
        "see www/baton-config.schema.json for what this key takes",
        at,
    )
}

/// Known template placeholders.
const PLACEHOLDERS: &[&str] = &[
    "topic", "wait", "agent", "ticket", "queue", "time", "position", "name", "contact",
];
const WEEKDAYS: &[&str] = &["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Minutes after midnight of `HH:MM`.
pub(crate) fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    ((h < 24 && m < 60) || (h == 24 && m == 0)).then_some(h * 60 + m)
}

/// `(open, close)` minutes of `"09:00-17:30"`.
pub(crate) fn parse_range(s: &str) -> Option<(u32, u32)> {
    let (a, b) = s.split_once('-')?;
    let (a, b) = (parse_hhmm(a)?, parse_hhmm(b)?);
    (a < b).then_some((a, b))
}

/// `YYYY-MM-DD` with a real month and day.
pub(crate) fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let mut it = s.split('-');
    let (y, m, d) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    (1..=12).contains(&m).then_some(())?;
    (1..=days[(m - 1) as usize])
        .contains(&d)
        .then_some((y, m, d))
}

/// Whether `tz` is an IANA time zone name.
pub fn is_time_zone(tz: &str) -> bool {
    const ZONES: &str = include_str!("time_zones.txt");
    tz == "UTC" || ZONES.lines().any(|z| z == tz)
}

fn placeholders(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                out.push(after[..close].to_owned());
                rest = &after[close + 1..];
            }
            None => break,
        }
    }
    out
}

fn check_unit(issues: &mut Vec<ConfigIssue>, path: &str, v: f32, what: &str) {
    if !(0.0..=1.0).contains(&v) || v.is_nan() {
        issues.push(issue(
            path,
            format!("{what} {v} is outside 0..1"),
            "use a number from 0 to 1",
            Some(&Value::from(v as f64)),
        ));
    }
}

/// Rules that span fields: references, ranges, loops, formats.
fn semantic(c: &SiteConfig, raw: &Value, issues: &mut Vec<ConfigIssue>) {
    // site
    let id = c.site.id.as_str();
    if id.is_empty()
        || !id
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
        || id.len() > 64
    {
        issues.push(issue(
            "site.id",
            "the site id must be 1-64 letters, digits, '-' or '_'",
            "pick an id like \"acme-cloud\" and use it in data-site",
            raw.pointer("/site/id"),
        ));
    }
    for (i, o) in c.site.allowed_origins.iter().enumerate() {
        let ok = (o.starts_with("https://") || o.starts_with("http://"))
            && !o.ends_with('/')
            && o.matches('/').count() == 2;
        if !ok {
            issues.push(issue(format!("site.allowed_origins[{i}]"), format!("`{o}` is not an origin"), "write scheme and host only, like https://www.example.com (no path, no trailing slash)", None));
        }
    }
    if !is_time_zone(&c.site.time_zone) {
        issues.push(issue(
            "site.time_zone",
            format!("`{}` is not an IANA time zone", c.site.time_zone),
            "use a name like Europe/London or America/New_York",
            None,
        ));
    }
    // widget
    let hex = c.widget.accent_color.strip_prefix('#').unwrap_or("");
    if !(matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit())) {
        issues.push(issue(
            "widget.accent_color",
            format!("`{}` is not a hex colour", c.widget.accent_color),
            "use #rgb or #rrggbb, like #4338ca",
            None,
        ));
    }
    for (i, sel) in c.widget.context.deny_selectors.iter().enumerate() {
        let bad = sel.trim().is_empty() || sel.contains(['{', '}', ';']) || sel.len() > 200;
        if bad {
            issues.push(issue(
                format!("widget.context.deny_selectors[{i}]"),
                format!("`{sel}` is not a CSS selector the widget can use"),
                "use a plain selector such as .account-number or [data-private], at most 200 characters",
                None,
            ));
        }
    }
    // ai
    check_unit(
        issues,
        "ai.confidence_floor",
        c.ai.confidence_floor,
        "confidence floor",
    );
    use super::AiProvider;
    match c.ai.provider {
        AiProvider::OpenaiCompatible => match &c.ai.openai {
            None => issues.push(issue("ai.openai", "provider is openai_compatible but ai.openai is missing", "add {\"base_url\": \"https://…/v1\", \"model\": \"…\", \"api_key_secret\": \"OPENAI_API_KEY\"}", None)),
            Some(o) => {
                if !is_http_url(&o.base_url) {
                    issues.push(issue("ai.openai.base_url", "base_url must be an http(s) URL", "use the endpoint's base, like https://api.openai.com/v1", None));
                } else if o.base_url.trim_end_matches('/').ends_with("/chat/completions") {
                    issues.push(issue("ai.openai.base_url", "base_url already ends in /chat/completions", "give the base only (https://api.openai.com/v1); Baton adds /chat/completions", None));
                }
                if o.model.trim().is_empty() {
                    issues.push(issue("ai.openai.model", "model is empty", "name the model to use", None));
                }
                if !is_secret_name(&o.api_key_secret) {
                    issues.push(issue("ai.openai.api_key_secret", "api_key_secret must name a Worker secret, never hold the key", "use an UPPER_SNAKE name like OPENAI_API_KEY and set it with wrangler secret put OPENAI_API_KEY", None));
                }
                check_timeout(issues, "ai.openai.timeout_ms", o.timeout_ms);
            }
        },
        AiProvider::Webhook => match &c.ai.webhook {
            Some(w) if is_http_url(&w.url) => {
                if !w.secret_name.is_empty() && !is_secret_name(&w.secret_name) {
                    issues.push(issue("ai.webhook.secret_name", "secret_name must name a Worker secret", "use an UPPER_SNAKE name like BOT_WEBHOOK_SECRET, or \"\" to send unsigned requests", None));
                }
                check_timeout(issues, "ai.webhook.timeout_ms", w.timeout_ms);
            }
            _ => issues.push(issue("ai.webhook.url", "provider is webhook but there is no webhook URL", "set ai.webhook.url to your bot's https endpoint", None)),
        },
        AiProvider::KnowledgeBase => {}
    }
    let mut faq_ids = BTreeSet::new();
    for (i, f) in c.ai.faq.iter().enumerate() {
        if f.question.trim().is_empty() || f.answer.trim().is_empty() {
            issues.push(issue(
                format!("ai.faq[{i}]"),
                "an FAQ entry needs a question and an answer",
                "fill in both, or remove the entry",
                None,
            ));
        }
        if !f.id.is_empty() && !faq_ids.insert(f.id.as_str()) {
            issues.push(issue(
                format!("ai.faq[{i}].id"),
                format!("duplicate FAQ id `{}`", f.id),
                "give each entry its own id",
                None,
            ));
        }
    }
    // triggers
    let soft = &c.triggers.soft;
    if !(soft.threshold > 0.0 && soft.threshold <= 1.0) {
        issues.push(issue(
            "triggers.soft.threshold",
            format!("threshold {} is outside (0, 1]", soft.threshold),
            "use a number above 0 and at most 1 (the default is 0.6)",
            None,
        ));
    }
    let w = &soft.weights;
    for (name, v) in [
        ("failed_attempts", w.failed_attempts),
        ("low_confidence", w.low_confidence),
        ("negative_sentiment", w.negative_sentiment),
        ("long_conversation", w.long_conversation),
    ] {
        check_unit(
            issues,
            &format!("triggers.soft.weights.{name}"),
            v,
            "weight",
        );
    }
    check_unit(
        issues,
        "triggers.soft.low_confidence_below",
        soft.low_confidence_below,
        "confidence",
    );
    if !(-1.0..=0.0).contains(&soft.negative_sentiment_below) {
        issues.push(issue(
            "triggers.soft.negative_sentiment_below",
            "sentiment threshold must be between -1 and 0",
            "use a negative number like -0.3",
            None,
        ));
    }
    if soft.failed_attempts_full == 0 {
        issues.push(issue(
            "triggers.soft.failed_attempts_full",
            "must be at least 1",
            "say how many failed answers count fully, like 2",
            None,
        ));
    }
    let mut trigger_ids = BTreeSet::new();
    for (i, h) in c.triggers.hard.iter().enumerate() {
        let hid = h.id.as_str();
        if hid.is_empty()
            || !hid
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
        {
            issues.push(issue(
                format!("triggers.hard[{i}].id"),
                format!("`{hid}` is not a trigger id"),
                "use lower_snake_case, like human_request or vip_complaint",
                None,
            ));
        }
        if !trigger_ids.insert(hid) {
            issues.push(issue(
                format!("triggers.hard[{i}].id"),
                format!("trigger `{hid}` is listed twice"),
                "merge the two entries",
                None,
            ));
        }
        let builtin = crate::trigger::hard::BUILT_IN
            .iter()
            .any(|(b, _)| *b == hid);
        if !builtin && h.phrases.values().all(Vec::is_empty) {
            issues.push(issue(
                format!("triggers.hard[{i}].phrases"),
                format!("new trigger `{hid}` has no phrases"),
                "add phrases per locale, like {\"en\": [\"speak to your boss\"]}",
                None,
            ));
        }
        for (locale, list) in &h.phrases {
            for (j, p) in list.iter().enumerate() {
                if p.trim().is_empty() {
                    issues.push(issue(
                        format!("triggers.hard[{i}].phrases.{locale}[{j}]"),
                        "empty phrase",
                        "remove it",
                        None,
                    ));
                }
            }
        }
    }
    let known_trigger = |t: &str| {
        crate::trigger::hard::BUILT_IN.iter().any(|(b, _)| *b == t)
            || trigger_ids.contains(t)
            || t == "soft"
    };
    for (i, t) in c.rollout.shadow_triggers.iter().enumerate() {
        if !known_trigger(t.as_str()) {
            issues.push(issue(format!("rollout.shadow_triggers[{i}]"), format!("no trigger `{t}`"), "use a built-in id (human_request, billing_dispute, legal_compliance, cancellation), `soft`, or one from triggers.hard", None));
        }
    }
    if c.rollout.percent > 100 {
        issues.push(issue(
            "rollout.percent",
            format!("{} is more than 100", c.rollout.percent),
            "use 0 to 100",
            None,
        ));
    }
    // segments
    let mut seg_ids = BTreeSet::new();
    for (i, s) in c.segments.iter().enumerate() {
        if s.id.is_empty() {
            issues.push(issue(
                format!("segments[{i}].id"),
                "segment has no id",
                "name it, like enterprise",
                None,
            ));
        } else if !seg_ids.insert(s.id.as_str()) {
            issues.push(issue(
                format!("segments[{i}].id"),
                format!("segment `{}` is listed twice", s.id),
                "give each segment its own id",
                None,
            ));
        }
        if let Some(t) = s.threshold {
            if !(t > 0.0 && t <= 1.0) {
                issues.push(issue(
                    format!("segments[{i}].threshold"),
                    format!("threshold {t} is outside (0, 1]"),
                    "use a number above 0 and at most 1",
                    None,
                ));
            }
        }
        let m = &s.matches;
        if m.plan.is_empty()
            && m.tier.is_empty()
            && m.min_account_value.is_none()
            && m.verified.is_none()
        {
            issues.push(issue(
                format!("segments[{i}].match"),
                "the segment matches everyone",
                "add a condition (plan, tier, min_account_value, verified), or drop the segment",
                None,
            ));
        }
    }
    // routing
    let r = &c.routing;
    let queue_ids: BTreeSet<&str> = order::set_from(r.queues.iter().map(|q| q.id.as_str()));
    let mut seen = BTreeSet::new();
    for (i, q) in r.queues.iter().enumerate() {
        if !seen.insert(q.id.as_str()) {
            issues.push(issue(
                format!("routing.queues[{i}].id"),
                format!("queue `{}` is listed twice", q.id),
                "give each queue its own id",
                None,
            ));
        }
        if q.capacity == Some(0) {
            issues.push(issue(
                format!("routing.queues[{i}].capacity"),
                "capacity 0 means nobody can ever wait here",
                "use at least 1, or leave it out for no limit",
                None,
            ));
        }
        if let Some(o) = &q.overflow {
            if o == &q.id {
                issues.push(issue(
                    format!("routing.queues[{i}].overflow"),
                    format!("queue `{}` overflows into itself", q.id),
                    "name a different queue, or remove overflow",
                    None,
                ));
            } else if !queue_ids.contains(o.as_str()) {
                issues.push(issue(
                    format!("routing.queues[{i}].overflow"),
                    format!("no queue `{o}`"),
                    format!(
                        "use one of: {}",
                        queue_ids.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                    None,
                ));
            }
        }
    }
    // Overflow chains that come back around.
    let overflow: BTreeMap<&str, &str> = order::map_from(
        r.queues
            .iter()
            .filter_map(|q| q.overflow.as_ref().map(|o| (q.id.as_str(), o.as_str()))),
    );
    let mut reported = BTreeSet::new();
    for (i, q) in r.queues.iter().enumerate() {
        let mut chain = vec![q.id.as_str()];
        let mut at = q.id.as_str();
        while let Some(next) = overflow.get(at) {
            if *next == q.id.as_str() && chain.len() > 1 {
                let mut key: Vec<&str> = chain.clone();
                order::sort(&mut key);
                if reported.insert(key) {
                    chain.push(next);
                    issues.push(issue(
                        format!("routing.queues[{i}].overflow"),
                        format!("overflow loops: {}", chain.join(" → ")),
                        "break the loop: the last queue in a chain must not overflow",
                        None,
                    ));
                }
                break;
            }
            if chain.contains(next) {
                break;
            }
            chain.push(next);
            at = next;
        }
    }
    if r.queues.is_empty() {
        issues.push(issue(
            "routing.queues",
            "there are no queues",
            "add at least one queue, like {\"id\": \"support\", \"name\": \"support team\"}",
            None,
        ));
    }
    if !queue_ids.contains(r.default_queue.as_str()) {
        issues.push(issue(
            "routing.default_queue",
            format!("no queue `{}`", r.default_queue),
            "name one of routing.queues",
            None,
        ));
    }
    for (cat, q) in &r.categories {
        if !queue_ids.contains(q.as_str()) {
            issues.push(issue(
                format!("routing.categories.{cat}"),
                format!("category `{cat}` is routed to `{q}`, which is not a queue"),
                format!(
                    "use one of: {}",
                    queue_ids.iter().copied().collect::<Vec<_>>().join(", ")
                ),
                None,
            ));
        }
    }
    // Every category a trigger can produce must land somewhere.
    let mut produced: BTreeSet<String> = order::set_from(
        crate::trigger::hard::BUILT_IN
            .iter()
            .map(|(_, cat)| (*cat).to_owned()),
    );
    produced.extend(
        c.triggers
            .hard
            .iter()
            .filter_map(|h| h.category.as_ref().map(|x| x.to_string())),
    );
    produced.insert(c.triggers.soft.category.to_string());
    if !queue_ids.contains(r.default_queue.as_str()) {
        for cat in produced.iter().filter(|cat| {
            !r.categories
                .contains_key(&crate::ids::Category::from(cat.as_str()))
        }) {
            issues.push(issue(
                format!("routing.categories.{cat}"),
                format!("escalations in category `{cat}` are routed to no queue"),
                "route the category to a queue, or fix routing.default_queue",
                None,
            ));
        }
    }
    for (day, ranges) in &r.hours {
        if !WEEKDAYS.contains(&day.as_str()) {
            issues.push(issue(
                format!("routing.hours.{day}"),
                format!("`{day}` is not a weekday"),
                "use mon, tue, wed, thu, fri, sat, sun",
                None,
            ));
        }
        let mut spans: Vec<(u32, u32)> = Vec::new();
        for (i, range) in ranges.iter().enumerate() {
            match parse_range(range) {
                Some(span) => spans.push(span),
                None => issues.push(issue(format!("routing.hours.{day}[{i}]"), format!("`{range}` is not an opening range"), "write HH:MM-HH:MM with the close after the open, like 09:00-17:30 (split overnight hours over two days)", None)),
            }
        }
        order::sort(&mut spans);
        if spans.windows(2).any(|w| w[1].0 < w[0].1) {
            issues.push(issue(
                format!("routing.hours.{day}"),
                "opening ranges overlap",
                "merge the overlapping ranges",
                None,
            ));
        }
    }
    for (i, d) in r.holidays.iter().enumerate() {
        if parse_date(d).is_none() {
            issues.push(issue(
                format!("routing.holidays[{i}]"),
                format!("`{d}` is not a date"),
                "write YYYY-MM-DD, like 2026-12-25",
                None,
            ));
        }
    }
    for (p, m) in &r.sla_minutes {
        if *m == 0 {
            issues.push(issue(
                format!("routing.sla_minutes.{}", p.as_str()),
                "an SLA of 0 minutes cannot be met",
                "use the minutes within which an agent must pick up",
                None,
            ));
        }
    }
    // handoff
    use super::Connector;
    let h = &c.handoff;
    let needs = |name: &str, present: bool, issues: &mut Vec<ConfigIssue>| {
        if !present {
            issues.push(issue(format!("handoff.{name}"), format!("connector is {name} but handoff.{name} is missing"), format!("add handoff.{name} with base_url and token_secret (the name of a Worker secret)"), None));
        }
    };
    match h.connector {
        Connector::Zendesk => needs("zendesk", h.zendesk.is_some(), issues),
        Connector::Freshdesk => needs("freshdesk", h.freshdesk.is_some(), issues),
        Connector::Intercom => needs("intercom", h.intercom.is_some(), issues),
        Connector::Webhook => needs("webhook", h.webhook.is_some(), issues),
        Connector::Builtin => {}
    }
    for (name, settings) in [
        ("zendesk", &h.zendesk),
        ("freshdesk", &h.freshdesk),
        ("intercom", &h.intercom),
    ] {
        if let Some(s) = settings {
            if !s.base_url.starts_with("http") {
                issues.push(issue(
                    format!("handoff.{name}.base_url"),
                    "base_url must be an http(s) URL",
                    "use your account's API address",
                    None,
                ));
            }
            if !is_secret_name(&s.token_secret) {
                issues.push(issue(format!("handoff.{name}.token_secret"), "token_secret must name a Worker secret, not hold the token", "use an UPPER_SNAKE name like ZENDESK_TOKEN and set it with wrangler secret put", None));
            }
            if let Some(secret) = &s.webhook_secret {
                if !is_secret_name(secret) {
                    issues.push(issue(format!("handoff.{name}.webhook_secret"), "webhook_secret must name a Worker secret, not hold it", format!("use an UPPER_SNAKE name like {}_WEBHOOK_SECRET and set it with wrangler secret put", name.to_ascii_uppercase()), None));
                }
            }
            if name == "intercom" && s.admin_id.as_deref().is_none_or(|a| a.trim().is_empty()) {
                issues.push(issue(
                    "handoff.intercom.admin_id",
                    "Intercom needs the admin Baton writes notes and assignments as",
                    "give the teammate's id (Settings → Teammates, or GET /me)",
                    None,
                ));
            }
            if let Some(field) = &s.escalation_field {
                if !field.starts_with("cf_") {
                    issues.push(issue(
                        format!("handoff.{name}.escalation_field"),
                        format!("`{field}` is not a Freshdesk custom field name"),
                        "use the field's API name with its cf_ prefix, e.g. cf_escalation_id",
                        None,
                    ));
                }
            }
            if s.rate_limit_per_minute == Some(0) {
                issues.push(issue(
                    format!("handoff.{name}.rate_limit_per_minute"),
                    "a limit of 0 calls a minute would never deliver",
                    "give your plan's published limit, or remove the key for the lowest plan's",
                    None,
                ));
            }
            for q in s.teams.keys() {
                if !queue_ids.contains(q.as_str()) {
                    issues.push(issue(
                        format!("handoff.{name}.teams.{q}"),
                        format!("no queue `{q}`"),
                        "map queues from routing.queues",
                        None,
                    ));
                }
            }
        }
    }
    if let Some(wh) = &h.webhook {
        if !wh.url.starts_with("http") {
            issues.push(issue(
                "handoff.webhook.url",
                "url must be an http(s) URL",
                "use the receiver's address",
                None,
            ));
        }
        if !is_secret_name(&wh.secret_name) {
            issues.push(issue(
                "handoff.webhook.secret_name",
                "secret_name must name a Worker secret",
                "use an UPPER_SNAKE name like WEBHOOK_SECRET",
                None,
            ));
        }
    }
    const SOURCES: &[&str] = &[
        "category",
        "trigger",
        "segment",
        "priority",
        "page_url",
        "product_area",
        "account_id",
        "summary",
        "plan",
        "email",
        "conversation_url",
        "sentiment",
    ];
    for (i, f) in h.fields.iter().enumerate() {
        if !SOURCES.contains(&f.source.as_str()) {
            issues.push(issue(
                format!("handoff.fields[{i}].source"),
                format!("`{}` is not a context field", f.source),
                format!("use one of: {}", SOURCES.join(", ")),
                None,
            ));
        }
        let target = f.target.trim();
        if target.is_empty() {
            issues.push(issue(
                format!("handoff.fields[{i}].target"),
                "target is empty",
                "name the helpdesk field (custom field id, cf_ name, attribute) or `tag`",
                None,
            ));
        } else if target != "tag" {
            match h.connector {
                Connector::Zendesk if !target.bytes().all(|b| b.is_ascii_digit()) => {
                    issues.push(issue(
                        format!("handoff.fields[{i}].target"),
                        format!("`{target}` is not a Zendesk ticket field id"),
                        "use the field's numeric id (Admin Center → Objects and rules → Tickets → Fields) or `tag`",
                        None,
                    ))
                }
                Connector::Freshdesk if !target.starts_with("cf_") => issues.push(issue(
                    format!("handoff.fields[{i}].target"),
                    format!("`{target}` is not a Freshdesk custom field name"),
                    "use the field's API name with its cf_ prefix (GET /api/v2/ticket_fields lists them) or `tag`",
                    None,
                )),
                _ => {}
            }
        }
    }
    for (i, n) in h.notifications.iter().enumerate() {
        if !is_secret_name(&n.token_secret) {
            issues.push(issue(
                format!("handoff.notifications[{i}].token_secret"),
                "token_secret must name a Worker secret",
                "use an UPPER_SNAKE name like SLACK_BOT_TOKEN",
                None,
            ));
        }
        if n.target.trim().is_empty() {
            issues.push(issue(
                format!("handoff.notifications[{i}].target"),
                "target is empty",
                "give the Slack channel id or the Linear team id",
                None,
            ));
        }
        if !n.base_url.is_empty() && !n.base_url.starts_with("http") {
            issues.push(issue(
                format!("handoff.notifications[{i}].base_url"),
                "base_url must be an http(s) URL",
                "leave it out to use the vendor's API, or give the full address",
                None,
            ));
        }
        if !n.label_ids.is_empty() && n.channel != super::Channel::Linear {
            issues.push(issue(
                format!("handoff.notifications[{i}].label_ids"),
                "label_ids only apply to Linear rules",
                "remove label_ids, or set channel to linear",
                None,
            ));
        }
        let mut seen = Vec::new();
        for (j, e) in n.events.iter().enumerate() {
            if seen.contains(e) {
                issues.push(issue(
                    format!("handoff.notifications[{i}].events[{j}]"),
                    "this event is listed twice",
                    "list each event once",
                    None,
                ));
            }
            seen.push(*e);
        }
    }
    if let Some(crm) = &h.crm {
        if !crm.base_url.is_empty() && !crm.base_url.starts_with("http") {
            issues.push(issue(
                "handoff.crm.base_url",
                "base_url must be an http(s) URL",
                "leave it out to use https://api.hubapi.com",
                None,
            ));
        }
        if !is_secret_name(&crm.token_secret) {
            issues.push(issue(
                "handoff.crm.token_secret",
                "token_secret must name a Worker secret",
                "use an UPPER_SNAKE name like HUBSPOT_TOKEN and set it with wrangler secret put",
                None,
            ));
        }
    }
    // messages
    for (locale, t) in &c.messages {
        if locale.is_empty() || locale.len() > 10 {
            issues.push(issue(
                format!("messages.{locale}"),
                "not a locale",
                "use a language tag like en or pt-BR",
                None,
            ));
        }
        for (name, template) in [
            ("transition", &t.transition),
            ("wait", &t.wait),
            ("agent_joined", &t.agent_joined),
            ("resolved", &t.resolved),
            ("no_answer", &t.no_answer),
            ("ai_unavailable", &t.ai_unavailable),
            ("transferred", &t.transferred),
            ("out_of_hours", &t.out_of_hours),
            ("callback", &t.callback),
            ("queue_timeout", &t.queue_timeout),
            ("agent_away", &t.agent_away),
            ("ask_phone", &t.ask_phone),
            ("ask_email", &t.ask_email),
            ("contact_saved", &t.contact_saved),
        ] {
            for p in placeholders(template) {
                if !PLACEHOLDERS.contains(&p.as_str()) {
                    issues.push(issue(
                        format!("messages.{locale}.{name}"),
                        format!("unknown placeholder {{{p}}}"),
                        format!(
                            "use only {}",
                            PLACEHOLDERS
                                .iter()
                                .map(|p| format!("{{{p}}}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        None,
                    ));
                }
            }
        }
    }
    let _ = QueueId::from("");
}

fn is_http_url(s: &str) -> bool {
    s.starts_with("https://") || s.starts_with("http://")
}

/// An AI call the customer waits for: long enough for a model, short enough to wait for.
fn check_timeout(issues: &mut Vec<ConfigIssue>, path: &str, ms: u32) {
    if !(500..=30_000).contains(&ms) {
        issues.push(issue(
            path,
            format!("timeout {ms} ms is outside 500..30000"),
            "the customer waits this long at most; 8000 is a good start",
            None,
        ));
    }
}

fn is_secret_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(doc: &str) -> Vec<String> {
        match validate(doc) {
            Ok(_) => Vec::new(),
            Err(list) => list.into_iter().map(|i| i.to_string()).collect(),
        }
    }

    #[test]
    fn minimal_config_is_valid() {
        assert!(validate("{}").is_ok());
        assert!(validate(r#"{"site": {"id": "acme"}}"#).is_ok());
    }

    #[test]
    fn every_structural_problem_is_listed_with_its_path() {
        let p = problems(
            r#"{"widget": {"colour": "red", "title": 5}, "routing": {"queues": [{"id": "a", "skils": []}]}, "extra": 1}"#,
        );
        assert!(
            p.iter()
                .any(|s| s.starts_with("widget.colour: unknown key `colour`")),
            "{p:#?}"
        );
        assert!(
            p.iter().any(|s| s.starts_with("widget.title: wrong type")),
            "{p:#?}"
        );
        assert!(
            p.iter()
                .any(|s| s.starts_with("routing.queues[0].skils: unknown key")),
            "{p:#?}"
        );
        assert!(
            p.iter().any(|s| s.starts_with("extra: unknown key")),
            "{p:#?}"
        );
        assert!(p.iter().any(|s| s.contains("use one of:")), "{p:#?}");
    }

    #[test]
    fn paths_reach_into_arrays_and_maps_and_name_the_value() {
        let list = validate(
            r#"{"routing": {"default_queue": "a", "queues": [{"id": "a"}, {"id": "b", "capacity": "x"}]}, "messages": {"de": {"wait": 5}}, "site": {"id": "x", "name": []}}"#,
        )
        .unwrap_err();
        let at = |path: &str| list.iter().find(|i| i.path == path);
        let capacity = at("routing.queues[1].capacity").expect("capacity");
        assert!(capacity.problem.starts_with("wrong type"), "{list:#?}");
        assert_eq!(capacity.value.as_deref(), Some("\"x\""));
        assert!(at("messages.de.wait").is_some(), "{list:#?}");
        assert_eq!(at("site.name").and_then(|i| i.value.as_deref()), Some("[]"));
        assert_eq!(list.len(), 3, "{list:#?}");
    }

    #[test]
    fn context_capture_is_switchable_and_deny_selectors_are_checked() {
        let c =
            validate(r#"{"widget": {"context": {"clicks": false, "deny_selectors": [".acct"]}}}"#)
                .expect("valid");
        assert!(!c.widget.context.clicks);
        assert!(
            c.widget.context.route_history,
            "other switches keep their defaults"
        );
        assert!(!c.widget.context.js_errors, "errors are opt-in");
        let p =
            problems(r#"{"widget": {"context": {"deny_selectors": ["", "a{b}"], "click": true}}}"#);
        let has = |needle: &str| p.iter().any(|s| s.contains(needle));
        assert!(has("widget.context.deny_selectors[0]"), "{p:#?}");
        assert!(has("widget.context.click: unknown key"), "{p:#?}");
    }

    #[test]
    fn semantic_problems() {
        let p = problems(
            r#"{
            "site": {"time_zone": "Mars/Olympus"},
            "triggers": {"soft": {"weights": {"failed_attempts": 1.5}}},
            "routing": {
                "queues": [
                    {"id": "a", "overflow": "a"},
                    {"id": "b", "overflow": "c"},
                    {"id": "c", "overflow": "b"}
                ],
                "categories": {"billing": "nowhere"},
                "default_queue": "a",
                "hours": {"mon": ["18:00-09:00"], "funday": ["09:00-10:00"], "tue": ["25:00-26:00"]},
                "holidays": ["2026-02-30"]
            },
            "messages": {"en": {"transition": "About {topik}"}}
        }"#,
        );
        let has = |needle: &str| p.iter().any(|s| s.contains(needle));
        assert!(
            has("site.time_zone: `Mars/Olympus` is not an IANA time zone"),
            "{p:#?}"
        );
        assert!(
            has("triggers.soft.weights.failed_attempts: weight 1.5 is outside 0..1"),
            "{p:#?}"
        );
        assert!(
            has("routing.queues[0].overflow: queue `a` overflows into itself"),
            "{p:#?}"
        );
        assert!(has("overflow loops: b → c → b"), "{p:#?}");
        assert!(
            has("routing.categories.billing: category `billing` is routed to `nowhere`"),
            "{p:#?}"
        );
        assert!(has("routing.hours.mon[0]"), "{p:#?}");
        assert!(has("routing.hours.funday"), "{p:#?}");
        assert!(has("routing.hours.tue[0]"), "{p:#?}");
        assert!(has("routing.holidays[0]"), "{p:#?}");
        assert!(
            has("messages.en.transition: unknown placeholder {topik}"),
            "{p:#?}"
        );
    }

    #[test]
    fn helpdesk_fields_and_settings_fit_the_vendor() {
        let p = problems(
            r#"{"handoff": {"connector": "zendesk", "zendesk": {"base_url": "https://x.zendesk.com", "token_secret": "ZD", "webhook_secret": "s3cret-value"},
                "fields": [{"source": "category", "target": "cf_category"}, {"source": "plan", "target": "tag"}, {"source": "segment", "target": "360001"}]}}"#,
        );
        assert!(
            p.iter().any(|s| s.starts_with(
                "handoff.fields[0].target: `cf_category` is not a Zendesk ticket field id"
            )),
            "{p:#?}"
        );
        assert!(
            p.iter()
                .any(|s| s.starts_with("handoff.zendesk.webhook_secret")),
            "{p:#?}"
        );
        assert!(
            !p.iter()
                .any(|s| s.starts_with("handoff.fields[1]") || s.starts_with("handoff.fields[2]")),
            "{p:#?}"
        );
        let p = problems(
            r#"{"handoff": {"connector": "freshdesk", "freshdesk": {"base_url": "https://x.freshdesk.com", "token_secret": "FD", "escalation_field": "escalation", "rate_limit_per_minute": 0},
                "fields": [{"source": "category", "target": "360001"}]}}"#,
        );
        for path in [
            "handoff.fields[0].target",
            "handoff.freshdesk.escalation_field",
            "handoff.freshdesk.rate_limit_per_minute",
        ] {
            assert!(p.iter().any(|s| s.starts_with(path)), "{path}: {p:#?}");
        }
        let p = problems(
            r#"{"handoff": {"connector": "intercom", "intercom": {"base_url": "https://api.intercom.io", "token_secret": "IC"}}}"#,
        );
        assert!(
            p.iter().any(|s| s.starts_with("handoff.intercom.admin_id")),
            "{p:#?}"
        );
    }

    #[test]
    fn secrets_are_named_never_given() {
        let p = problems(
            r#"{"handoff": {"connector": "zendesk", "zendesk": {"base_url": "https://x.zendesk.com", "token_secret": "abc123tokenvalue"}}}"#,
        );
        assert!(
            p.iter()
                .any(|s| s.starts_with("handoff.zendesk.token_secret")),
            "{p:#?}"
        );
        let p = problems(r#"{"handoff": {"connector": "zendesk"}}"#);
        assert!(
            p.iter()
                .any(|s| s.starts_with("handoff.zendesk: connector is zendesk")),
            "{p:#?}"
        );
    }

    #[test]
    fn a_chosen_ai_provider_needs_its_settings() {
        let has = |doc: &str, needle: &str| {
            let p = problems(doc);
            assert!(p.iter().any(|s| s.starts_with(needle)), "{needle}: {p:#?}");
        };
        has(
            r#"{"ai": {"provider": "openai_compatible"}}"#,
            "ai.openai: provider is openai_compatible",
        );
        has(
            r#"{"ai": {"provider": "webhook"}}"#,
            "ai.webhook.url: provider is webhook",
        );
        let openai = |settings: &str| {
            format!(r#"{{"ai": {{"provider": "openai_compatible", "openai": {settings}}}}}"#)
        };
        has(
            &openai(r#"{"model": "m"}"#),
            "ai.openai.base_url: base_url must be an http(s) URL",
        );
        has(
            &openai(r#"{"base_url": "https://x/v1/chat/completions", "model": "m"}"#),
            "ai.openai.base_url: base_url already ends",
        );
        has(
            &openai(r#"{"base_url": "https://x/v1"}"#),
            "ai.openai.model: model is empty",
        );
        has(
            &openai(
                r#"{"base_url": "https://x/v1", "model": "m", "api_key_secret": "sk-live-123"}"#,
            ),
            "ai.openai.api_key_secret",
        );
        has(
            &openai(r#"{"base_url": "https://x/v1", "model": "m", "timeout_ms": 60000}"#),
            "ai.openai.timeout_ms: timeout 60000 ms",
        );
        has(
            r#"{"ai": {"provider": "webhook", "webhook": {"url": "https://bot", "secret_name": "my secret"}}}"#,
            "ai.webhook.secret_name",
        );
        has(
            r#"{"ai": {"provider": "webhook", "webhook": {"url": "https://bot", "timeout_ms": 10}}}"#,
            "ai.webhook.timeout_ms",
        );
        assert!(validate(&openai(r#"{"base_url": "https://x/v1", "model": "m"}"#)).is_ok());
        assert!(validate(r#"{"ai": {"provider": "webhook", "webhook": {"url": "https://bot", "secret_name": ""}}}"#).is_ok());
        // Settings of a provider not chosen are not required.
        assert!(validate(r#"{"ai": {"provider": "knowledge_base"}}"#).is_ok());
    }

    #[test]
    fn not_json_and_not_an_object() {
        let p = problems("{\"site\": ");
        assert!(p[0].starts_with("line 1 column"), "{p:#?}");
        let p = problems("[1, 2]");
        assert!(p[0].contains("must be a JSON object"), "{p:#?}");
    }

    #[test]
    fn hours_and_dates_parse() {
        assert_eq!(parse_range("09:00-17:30"), Some((540, 1050)));
        assert_eq!(parse_range("00:00-24:00"), Some((0, 1440)));
        assert_eq!(parse_range("17:00-09:00"), None);
        assert_eq!(parse_date("2028-02-29"), Some((2028, 2, 29)));
        assert_eq!(parse_date("2026-02-29"), None);
    }
    #[test]
    fn notification_rules_and_crm_are_checked() {
        let p = problems(
            r#"{"handoff": {"notifications": [{"channel": "slack", "target": "C1", "token_secret": "SLACK_BOT_TOKEN", "base_url": "slack.com", "label_ids": ["l1"], "events": ["escalated", "escalated"]}], "crm": {"token_secret": "pat-123"}}}"#,
        );
        for path in [
            "handoff.notifications[0].base_url",
            "handoff.notifications[0].label_ids",
            "handoff.notifications[0].events[1]",
            "handoff.crm.token_secret",
        ] {
            assert!(p.iter().any(|s| s.starts_with(path)), "{path}: {p:#?}");
        }
        let p = problems(
            r#"{"handoff": {"notifications": [{"channel": "slack", "target": "C1", "token_secret": "T", "events": ["paged"]}]}}"#,
        );
        assert!(p.iter().any(|s| s.contains("paged")), "{p:#?}");
        assert!(validate(r#"{"handoff": {"notifications": [{"channel": "slack", "target": "C1", "token_secret": "SLACK_BOT_TOKEN", "events": ["escalated", "delivery_failed"], "base_url": "http://127.0.0.1:9"}], "crm": {"token_secret": "HUBSPOT_TOKEN"}}}"#).is_ok());
    }
}
