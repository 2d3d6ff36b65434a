//! Evaluation of trigger and sentiment decisions on the public labelled data in
//! `../shared/data` (see its README): prints the figures and checks the goals of issue 3.

use baton_shared::trigger::HardTriggers;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn data_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
    assert!(
        dir.join("README.md").exists(),
        "the evaluation data is missing: expected {} (the project's shared/ folder beside the repository)",
        dir.display()
    );
    dir
}

/// Which built-in trigger each Bitext intent should fire; `None` = routine (must not escalate).
fn expected(intent: &str) -> Option<Option<&'static str>> {
    match intent {
        "contact_human_agent" => Some(Some("human_request")),
        "payment_issue" | "get_refund" => Some(Some("billing_dispute")),
        "delete_account" => Some(Some("cancellation")),
        "contact_customer_service"
        | "complaint"
        | "check_cancellation_fee"
        | "cancel_order"
        | "check_invoice"
        | "get_invoice"
        | "check_refund_policy"
        | "track_refund" => None,
        _ => Some(None),
    }
}

#[derive(Default)]
struct Counts {
    tp: u32,
    fp: u32,
    fn_: u32,
}

/// Precision/recall per hard trigger and false escalations on routine messages.
fn evaluate_triggers() -> (BTreeMap<&'static str, Counts>, u32, u32, Vec<String>) {
    let text =
        std::fs::read_to_string(data_dir().join("intents/bitext.tsv")).expect("read bitext.tsv");
    let triggers = HardTriggers::builtin();
    let mut per: BTreeMap<&'static str, Counts> = BTreeMap::new();
    let (mut routine, mut routine_escalated) = (0, 0);
    let mut mistakes = Vec::new();
    for line in text.lines().skip(1) {
        let Some((message, intent)) = line.rsplit_once('\t') else {
            continue;
        };
        let Some(want) = expected(intent) else {
            continue;
        };
        let got = triggers
            .detect(message, "en")
            .map(|h| h.trigger.to_string());
        let got_static: Option<&'static str> = got.as_deref().and_then(|g| {
            [
                "human_request",
                "billing_dispute",
                "cancellation",
                "legal_compliance",
            ]
            .into_iter()
            .find(|t| *t == g)
        });
        match want {
            None => {
                routine += 1;
                if let Some(g) = got_static {
                    routine_escalated += 1;
                    per.entry(g).or_default().fp += 1;
                    mistakes.push(format!("FP {g:<16} [{intent}] {message}"));
                }
            }
            Some(w) => {
                if got_static == Some(w) {
                    per.entry(w).or_default().tp += 1;
                } else {
                    per.entry(w).or_default().fn_ += 1;
                    mistakes.push(format!(
                        "FN {w:<16} got {got_static:?} [{intent}] {message}"
                    ));
                    if let Some(g) = got_static {
                        per.entry(g).or_default().fp += 1;
                    }
                }
            }
        }
    }
    (per, routine, routine_escalated, mistakes)
}

fn ratio(a: u32, b: u32) -> f64 {
    if b == 0 {
        1.0
    } else {
        f64::from(a) / f64::from(b)
    }
}

#[test]
fn hard_triggers_meet_their_goals_on_bitext() {
    let (per, routine, escalated, mistakes) = evaluate_triggers();
    if std::env::var_os("BATON_EVAL_VERBOSE").is_some() {
        for m in &mistakes {
            println!("{m}");
        }
    }
    println!("\n| trigger | precision | recall | TP | FP | FN |\n|---|---:|---:|---:|---:|---:|");
    let goals = [
        ("human_request", 0.97),
        ("billing_dispute", 0.90),
        ("cancellation", 0.90),
    ];
    let mut failures = Vec::new();
    for (trigger, goal) in goals {
        let c = per
            .get(trigger)
            .map(|c| (c.tp, c.fp, c.fn_))
            .unwrap_or_default();
        let (p, r) = (ratio(c.0, c.0 + c.1), ratio(c.0, c.0 + c.2));
        println!(
            "| {trigger} | {p:.3} | {r:.3} | {} | {} | {} |",
            c.0, c.1, c.2
        );
        if p < goal || r < goal {
            failures.push(format!(
                "{trigger}: precision {p:.3}, recall {r:.3} (goal ≥ {goal})"
            ));
        }
    }
    let rate = ratio(escalated, routine);
    println!(
        "\nfalse escalation on routine messages: {escalated} of {routine} = {:.2} % (goal ≤ 2 %)",
        rate * 100.0
    );
    if rate > 0.02 {
        failures.push(format!("routine false escalation {:.2} %", rate * 100.0));
    }
    assert!(
        failures.is_empty(),
        "goals missed: {failures:#?}\nfirst mistakes:\n{}",
        mistakes
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn pearson(xs: &[f64], ys: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let (mx, my) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    sxy / (sxx.sqrt() * syy.sqrt())
}

fn class(v: f64) -> usize {
    if v >= 0.05 {
        2
    } else if v <= -0.05 {
        0
    } else {
        1
    }
}

/// Weighted (by support) F1 over negative / neutral / positive.
fn weighted_f1(truth: &[f64], pred: &[f64]) -> f64 {
    let mut total = 0.0;
    for c in 0..3 {
        let tp = truth
            .iter()
            .zip(pred)
            .filter(|(t, p)| class(**t) == c && class(**p) == c)
            .count() as f64;
        let fp = truth
            .iter()
            .zip(pred)
            .filter(|(t, p)| class(**t) != c && class(**p) == c)
            .count() as f64;
        let fn_ = truth
            .iter()
            .zip(pred)
            .filter(|(t, p)| class(**t) == c && class(**p) != c)
            .count() as f64;
        let support = tp + fn_;
        let f1 = if tp == 0.0 {
            0.0
        } else {
            2.0 * tp / (2.0 * tp + fp + fn_)
        };
        total += f1 * support;
    }
    total / truth.len() as f64
}

#[test]
fn sentiment_matches_human_ratings_at_least_as_well_as_vader() {
    // Reference figures of Python vaderSentiment 3.3.2 on the same files (data README).
    let cases = [
        ("tweets_GroundTruth.txt", 0.872, 0.896),
        ("movieReviewSnippets_GroundTruth.txt", 0.427, 0.581),
    ];
    println!("\n| corpus | texts | Pearson r | vaderSentiment r | weighted F1 | vaderSentiment F1 |\n|---|---:|---:|---:|---:|---:|");
    let mut failures = Vec::new();
    for (file, ref_r, ref_f1) in cases {
        let text = std::fs::read(data_dir().join("vader").join(file)).expect("read ground truth");
        let text = String::from_utf8_lossy(&text);
        let (mut truth, mut pred) = (Vec::new(), Vec::new());
        for line in text.lines() {
            let mut parts = line.splitn(3, '\t');
            let (Some(_), Some(rating), Some(message)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let Ok(rating) = rating.trim().parse::<f64>() else {
                continue;
            };
            truth.push(rating / 4.0);
            pred.push(baton_shared::signal::sentiment::sentiment(message));
        }
        let (r, f1) = (pearson(&truth, &pred), weighted_f1(&truth, &pred));
        println!(
            "| {file} | {} | {r:.4} | {ref_r} | {f1:.4} | {ref_f1} |",
            truth.len()
        );
        // The reference figures are given to three decimals; compare at that precision.
        let round = |x: f64| (x * 1000.0).round() / 1000.0;
        if round(r) < ref_r || round(f1) < ref_f1 {
            failures.push(format!(
                "{file}: r {r:.3} (≥ {ref_r}), F1 {f1:.3} (≥ {ref_f1})"
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
