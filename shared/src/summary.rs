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
    // "still wrong,…" reads as a stutter: drop the dangling punctuation before the ellipsis.
    let kept = cut.trim_end_matches([',', ';', ':', '-', ' ']).len();
    cut.truncate(kept);
    cut.push('…');
    cut
}

/// Words that make up a greeting or a pleasantry, and nothing else.
const GREETING_WORDS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "hiya",
    "yo",
    "good",
    "morning",
    "afternoon",
    "evening",
    "thanks",
    "thank",
    "you",
    "ok",
    "okay",
    "there",
    "team",
    "all",
    "folks",
    "please",
    "anyone",
    "again",
];

/// Whether a message is only a greeting ("Hi there!", "good morning team").
fn is_greeting(message: &str) -> bool {
    message
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .all(|w| GREETING_WORDS.contains(&w.to_lowercase().as_str()))
}

/// The customer's issue in their own words: the first message that is more than a greeting.
fn issue<'a>(messages: &[&'a str]) -> Option<&'a str> {
    messages.iter().copied().find(|m| !is_greeting(m))
}

/// "once", "twice", "3 times".
fn times(n: u32) -> String {
    match n {
        1 => "once".into(),
        2 => "twice".into(),
        n => format!("{n} times"),
    }
}

/// End a sentence with a full stop unless it already ends with punctuation (inside a quote too).
fn sentence(mut s: String) -> String {
    let last = s.trim_end_matches(['\u{201d}', '"', ')']).chars().last();
    if !matches!(last, Some('.' | '!' | '?' | '…')) {
        s.push('.');
    }
    s
}

/// Build the summary.
pub fn summary(input: &SummaryInput<'_>) -> String {
    summary_with_confidence(input, None)
}

/// How many characters each quoted or free part may take; tried from generous to tight until
/// the summary fits, so a long first message shortens before the reason or the page is lost.
#[derive(Clone, Copy)]
struct Budget {
    who: usize,
    topic: usize,
    issue: usize,
    answer: usize,
    reason: usize,
    page: usize,
}

const BUDGETS: &[Budget] = &[
    Budget {
        who: 60,
        topic: 40,
        issue: 180,
        answer: 120,
        reason: 160,
        page: 80,
    },
    Budget {
        who: 50,
        topic: 30,
        issue: 120,
        answer: 70,
        reason: 140,
        page: 60,
    },
    Budget {
        who: 40,
        topic: 30,
        issue: 80,
        answer: 0,
        reason: 120,
        page: 50,
    },
];

/// Build the summary, also saying how confident the AI was in its last answer.
pub fn summary_with_confidence(input: &SummaryInput<'_>, last_confidence: Option<f32>) -> String {
    let mut out = String::new();
    for budget in BUDGETS {
        out = join(&parts(input, last_confidence, *budget));
        if out.chars().count() <= MAX_CHARS {
            return out;
        }
    }
    // Still too long (only with extreme inputs): cut at a word boundary.
    clip(&out, MAX_CHARS)
}

fn parts(input: &SummaryInput<'_>, last_confidence: Option<f32>, b: Budget) -> Vec<String> {
    let plan = input.plan.filter(|p| !p.trim().is_empty());
    let who = match (input.customer.filter(|c| !c.trim().is_empty()), plan) {
        (Some(c), Some(p)) => format!("{} ({} plan)", clip(c, b.who), clip(p, 20)),
        (Some(c), None) => clip(c, b.who),
        (None, Some(p)) => format!("A {} customer", clip(p, 20)),
        (None, None) => "The customer".into(),
    };
    let mut parts = Vec::new();
    let topic = input
        .topic
        .map(|t| t.trim_start_matches("your ").trim_end_matches(" question"))
        // "your question" (the general category) says nothing: leave the topic out.
        .filter(|t| !t.trim().is_empty() && *t != "question")
        .map(|t| clip(t, b.topic));
    match (issue(input.customer_messages), topic) {
        (Some(m), Some(t)) => parts.push(format!(
            "{who} needs help with {t}: \u{201c}{}\u{201d}",
            clip(m, b.issue)
        )),
        (Some(m), None) => parts.push(format!("{who} wrote: \u{201c}{}\u{201d}", clip(m, b.issue))),
        (None, Some(t)) => parts.push(format!("{who} needs help with {t}")),
        (None, None) => parts.push(format!("{who} asked for help")),
    }
    let mut tried = match (input.ai_answers, input.ai_misses) {
        (0, 0) => "The AI had not answered yet".to_owned(),
        (a, 0) => format!("The AI answered {}", times(a)),
        (a, m) if a <= m => format!("The AI could not answer ({})", times(m)),
        (a, m) => format!("The AI answered {}, {m} without a good answer", times(a)),
    };
    if let Some(c) = last_confidence.filter(|c| c.is_finite() && input.ai_answers > 0) {
        tried.push_str(&format!(" (last confidence {:.2})", c.clamp(0.0, 1.0)));
    }
    match input
        .last_ai_answer
        .filter(|a| input.ai_answers > input.ai_misses && b.answer > 0 && !a.trim().is_empty())
    {
        Some(last) => parts.push(format!(
            "{tried}; last answer: \u{201c}{}\u{201d}",
            clip(last, b.answer)
        )),
        None => parts.push(tried),
    }
    if let Some(r) = input.reason.filter(|r| !r.trim().is_empty()) {
        let r = r.strip_prefix("escalated because: ").unwrap_or(r);
        let r = r.strip_prefix("escalated: ").unwrap_or(r);
        parts.push(format!("Escalated: {}", clip(r, b.reason)));
    }
    if let Some(p) = input.page.filter(|p| !p.trim().is_empty()) {
        parts.push(format!("Page: {}", clip(p, b.page)));
    }
    parts.into_iter().map(sentence).collect()
}

fn join(parts: &[String]) -> String {
    parts.join(" ")
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
             The AI answered once; last answer: \u{201c}Invoices are under Settings → Billing.\u{201d} \
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

    #[test]
    fn soft_escalation_says_what_failed_and_how_sure_the_ai_was() {
        let s = summary_with_confidence(
            &SummaryInput {
                customer: Some("ops@northwind.example"),
                plan: Some("enterprise"),
                topic: Some("the technical problem"),
                customer_messages: &[
                    "Hello there!",
                    "The CSV export keeps failing with error 502 since this morning",
                    "it still fails",
                ],
                ai_answers: 2,
                ai_misses: 1,
                last_ai_answer: Some("Try exporting a smaller date range."),
                reason: Some(
                    "escalated: score 0.425 ≥ 0.3: 1 failed answer(s), low AI confidence (0.30) (segment enterprise)",
                ),
                page: Some("Reports · Export"),
            },
            Some(0.3),
        );
        assert_eq!(
            s,
            "ops@northwind.example (enterprise plan) needs help with the technical problem: \
             \u{201c}The CSV export keeps failing with error 502 since this morning\u{201d}. \
             The AI answered twice, 1 without a good answer (last confidence 0.30); last answer: \
             \u{201c}Try exporting a smaller date range.\u{201d} Escalated: score 0.425 ≥ 0.3: \
             1 failed answer(s), low AI confidence (0.30) (segment enterprise). Page: Reports · Export."
        );
    }

    #[test]
    fn an_ai_that_never_answered_and_a_bare_request_for_a_human() {
        let s = summary(&SummaryInput {
            customer: None,
            plan: Some("free"),
            topic: Some("your question"),
            customer_messages: &["hi", "good morning team"],
            ai_answers: 2,
            ai_misses: 2,
            last_ai_answer: Some("Sorry, I don't know."),
            reason: Some("escalated because: human request (hard, \"talk to someone\")"),
            page: None,
        });
        assert_eq!(
            s,
            "A free customer asked for help. The AI could not answer (twice). \
             Escalated: human request (hard, \"talk to someone\")."
        );
    }

    #[test]
    fn a_long_rant_is_shortened_before_the_reason_and_page_are_lost() {
        let rant =
            "I have been trying to get the invoice for our March renewal corrected for three \
            weeks now and every time I write in I get a different answer, the billing address is \
            still wrong, the VAT number is missing and finance will not pay it until it is fixed, \
            which means our account is now flagged as overdue and the team cannot log in. "
                .repeat(3);
        let answer = "You can update the billing address under Settings → Billing → Details, and \
            the VAT number under Tax settings; invoices regenerate within the hour. "
            .repeat(3);
        let input = SummaryInput {
            customer: Some("Priya Raman"),
            plan: Some("business"),
            topic: Some("your billing question"),
            customer_messages: &[&rant, "this is ridiculous, I want to cancel"],
            ai_answers: 3,
            ai_misses: 1,
            last_ai_answer: Some(&answer),
            reason: Some("escalated because: cancellation (hard, \"want to cancel\")"),
            page: Some("Billing · Invoices · Acme Cloud"),
        };
        let s = summary_with_confidence(&input, Some(0.71));
        assert!(s.chars().count() <= MAX_CHARS, "{}", s.chars().count());
        assert!(s.starts_with(
            "Priya Raman (business plan) needs help with billing: \u{201c}I have been"
        ));
        assert!(
            s.contains("still wrong…\u{201d}"),
            "the quote is cut at a word with an ellipsis: {s}"
        );
        assert!(
            s.contains("Escalated: cancellation (hard, \"want to cancel\")."),
            "{s}"
        );
        assert!(s.ends_with("Page: Billing · Invoices · Acme Cloud."), "{s}");
    }

    #[test]
    fn greetings_are_not_the_issue() {
        assert!(is_greeting("Hi there!"));
        assert!(is_greeting("good afternoon, thanks"));
        assert!(!is_greeting("hello, my order never arrived"));
        assert!(!is_greeting("refund?"));
        assert_eq!(
            issue(&["hey", "Hello team", "where is my parcel"]),
            Some("where is my parcel")
        );
    }
}
