//! The handoff summary: what the issue is, what the AI tried, why it escalated, in plain words,
//! deterministic and at most 600 characters, so an agent can read it in thirty seconds.

/// Longest summary, in characters.
pub const MAX_CHARS: usize = 600;

/// What the summary is built from.
#[derive(Clone, Debug, Default)]
pub struct SummaryInput<'a> {
    /// Customer's name or email, if known.
    pub customer: Option<&'a str>,
    /// Their plan or tier, if known.
    pub plan: Option<&'a str>,
    /// The topic in words ("your billing question" → "billing").
    pub topic: Option<&'a str>,
    /// The customer's messages, oldest first.
    pub customer_messages: &'a [&'a str],
    /// How many AI answers were given, and how many were misses.
    pub ai_answers: u32,
    /// AI answers below the confidence floor or "I don't know".
    pub ai_misses: u32,
    /// The AI's last answer, if any.
    pub last_ai_answer: Option<&'a str>,
    /// Why it escalated (the decision record in words).
    pub reason: Option<&'a str>,
    /// Page title the customer was on.
    pub page: Option<&'a str>,
}

fn clip(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    if let Some(space) = cut.rfind(' ') {
        if space > max / 2 {
            cut.truncate(space);
        }
    }
    cut.push('…');
    cut
}

const GREETINGS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "hiya",
    "good morning",
    "good afternoon",
    "thanks",
    "thank you",
    "ok",
    "okay",
];

/// The customer's issue in their own words: the first message that is more than a greeting.
fn issue<'a>(messages: &[&'a str]) -> Option<&'a str> {
    messages.iter().copied().find(|m| {
        let t = m.trim().trim_end_matches(['!', '.', '?']).to_lowercase();
        t.split_whitespace().count() > 2 || !GREETINGS.contains(&t.as_str())
    })
}

/// Build the summary.
pub fn summary(input: &SummaryInput<'_>) -> String {
    let who = match (input.customer, input.plan) {
        (Some(c), Some(p)) => format!("{} ({} plan)", clip(c, 60), clip(p, 20)),
        (Some(c), None) => clip(c, 60),
        (None, Some(p)) => format!("A {} customer", clip(p, 20)),
        (None, None) => "The customer".into(),
    };
    let mut parts = Vec::new();
    let topic = input
        .topic
        .map(|t| t.trim_start_matches("your ").trim_end_matches(" question"));
    match (issue(input.customer_messages), topic) {
        (Some(m), Some(t)) => parts.push(format!(
            "{who} needs help with {t}: \u{201c}{}\u{201d}.",
            clip(m, 180)
        )),
        (Some(m), None) => parts.push(format!("{who} wrote: \u{201c}{}\u{201d}.", clip(m, 180))),
        (None, Some(t)) => parts.push(format!("{who} needs help with {t}.")),
        (None, None) => parts.push(format!("{who} asked for help.")),
    }
    let tried = match (input.ai_answers, input.ai_misses) {
        (0, 0) => "The AI had not answered yet.".to_owned(),
        (a, 0) => format!("The AI answered {a} time(s)"),
        (a, m) if a == m => format!("The AI could not answer ({m} time(s))"),
        (a, m) => format!("The AI answered {a} time(s), {m} without a good answer"),
    };
    match input
        .last_ai_answer
        .filter(|_| input.ai_answers > input.ai_misses)
    {
        Some(last) => parts.push(format!(
            "{tried}; last: \u{201c}{}\u{201d}.",
            clip(last, 120)
        )),
        None if tried.ends_with('.') => parts.push(tried),
        None => parts.push(format!("{tried}.")),
    }
    if let Some(r) = input.reason {
        let r = r.strip_prefix("escalated because: ").unwrap_or(r);
        let r = r.strip_prefix("escalated: ").unwrap_or(r);
        parts.push(format!("Escalated: {}.", clip(r, 160)));
    }
    if let Some(p) = input.page.filter(|p| !p.is_empty()) {
        parts.push(format!("Page: {}.", clip(p, 80)));
    }
    let mut out = String::new();
    for p in parts {
        let extra = if out.is_empty() { 0 } else { 1 };
        if out.chars().count() + extra + p.chars().count() > MAX_CHARS {
            let room = MAX_CHARS.saturating_sub(out.chars().count() + extra);
            if room > 20 {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&clip(&p, room));
            }
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_a_handoff_note() {
        let s = summary(&SummaryInput {
            customer: Some("Dana Whitfield"),
            plan: Some("pro"),
            topic: Some("your billing question"),
            customer_messages: &[
                "hi",
                "I was charged twice for November",
                "can I talk to someone",
            ],
            ai_answers: 1,
            ai_misses: 0,
            last_ai_answer: Some("Invoices are under Settings → Billing."),
            reason: Some("escalated because: billing dispute (hard, \"charged twice\")"),
            page: Some("Billing & plans · Acme Cloud"),
        });
        assert_eq!(
            s,
            "Dana Whitfield (pro plan) needs help with billing: \u{201c}I was charged twice for November\u{201d}. \
             The AI answered 1 time(s); last: \u{201c}Invoices are under Settings → Billing.\u{201d}. \
             Escalated: billing dispute (hard, \"charged twice\"). Page: Billing & plans · Acme Cloud."
        );
    }

    #[test]
    fn never_longer_than_600_characters() {
        let long = "word ".repeat(500);
        let messages = [long.as_str()];
        let s = summary(&SummaryInput {
            customer: Some(&long),
            plan: Some(&long),
            topic: Some(&long),
            customer_messages: &messages,
            ai_answers: 3,
            ai_misses: 1,
            last_ai_answer: Some(&long),
            reason: Some(&long),
            page: Some(&long),
        });
        assert!(s.chars().count() <= MAX_CHARS, "{}", s.chars().count());
        assert!(s.ends_with('…') || s.ends_with('.'));
    }

    #[test]
    fn works_with_nothing_known() {
        assert_eq!(
            summary(&SummaryInput::default()),
            "The customer asked for help. The AI had not answered yet."
        );
    }
}
