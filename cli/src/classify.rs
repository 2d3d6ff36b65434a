//! `baton classify`: each input line is a customer's first message in a fresh conversation;
//! each output line is the decision for it. Bad lines are reported on stderr and skipped.

mod json;

use baton_shared::decision::{evaluate, ConversationSignals, TurnInput};
use baton_shared::trigger::HardTriggers;
use baton_shared::SiteConfig;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufWriter, Write};

#[derive(Deserialize)]
struct Input {
    id: serde_json::Value,
    text: String,
}

#[derive(Serialize)]
struct Output<'a> {
    id: &'a serde_json::Value,
    escalate: bool,
    hard: bool,
    trigger: Option<&'a str>,
    category: Option<&'a str>,
    sentiment: f64,
    score: f64,
}

/// Run over stdin/stdout.
pub fn run(args: &[String]) -> Result<(), String> {
    let config = match args {
        [] => SiteConfig::default(),
        [flag, path] if flag == "--config" => crate::load_config(path)?,
        _ => return Err("usage: baton classify [--config FILE] < messages.jsonl".into()),
    };
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let (mut bad, mut good) = (0usize, 0usize);
    classify_lines(
        &config,
        stdin.lock(),
        &mut out,
        |n, e| {
            bad += 1;
            eprintln!("line {n}: {e} (expected {{\"id\": ..., \"text\": \"...\"}})");
        },
        &mut good,
    )
    .map_err(|e| format!("writing output: {e}"))?;
    out.flush().map_err(|e| e.to_string())?;
    if bad > 0 {
        eprintln!("classify: {good} line(s) classified, {bad} skipped");
    }
    Ok(())
}

/// Classify every line of `input` into `out`; malformed lines go to `on_error`.
pub fn classify_lines<R: BufRead, W: Write>(
    config: &SiteConfig,
    mut input: R,
    out: &mut W,
    mut on_error: impl FnMut(usize, String),
    count: &mut usize,
) -> std::io::Result<()> {
    let hard = HardTriggers::from_config(&config.triggers);
    let locale = config.site.locale.clone();
    let user = serde_json::Value::Null;
    let mut raw = Vec::new();
    let mut text = String::new();
    let mut record = Vec::with_capacity(256);
    let mut n = 0;
    loop {
        raw.clear();
        if input.read_until(b'\n', &mut raw)? == 0 {
            break;
        }
        n += 1;
        // As `BufRead::lines`: without the line ending, and only UTF-8.
        let mut bytes = raw.as_slice();
        if let Some(b) = bytes.strip_suffix(b"\n") {
            bytes = b.strip_suffix(b"\r").unwrap_or(b);
        }
        let Ok(line) = std::str::from_utf8(bytes) else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            ));
        };
        if line.trim().is_empty() {
            continue;
        }
        let classify = |id: &str, text: &str| {
            let mut signals = ConversationSignals::default();
            let sentiment = signals.observe_customer(text);
            let d = evaluate(&TurnInput {
                config,
                hard: &hard,
                text,
                locale: &locale,
                user: &user,
                conversation_id: id,
                signals: &signals,
                sentiment,
                intent: None,
                soft: false,
            });
            (d, sentiment)
        };
        record.clear();
        if let Some((id, text)) = json::input(line, &mut text) {
            // The common shape, read without building a JSON tree: `id` is a plain string.
            let (d, sentiment) = classify(id, text);
            json::output(
                &mut record,
                id,
                &d,
                (sentiment * 10_000.0).round() / 10_000.0,
            );
        } else {
            let parsed: Input = match serde_json::from_str(line) {
                Ok(p) => p,
                Err(e) => {
                    on_error(n, e.to_string());
                    continue;
                }
            };
            let (d, sentiment) = classify(parsed.id.as_str().unwrap_or_default(), &parsed.text);
            let output = Output {
                id: &parsed.id,
                escalate: d.escalate,
                hard: d.hard,
                trigger: d.trigger.as_ref().map(|t| t.as_str()),
                category: d.category.as_ref().map(|c| c.as_str()),
                sentiment: (sentiment * 10_000.0).round() / 10_000.0,
                score: d.score,
            };
            serde_json::to_writer(&mut record, &output)?;
            record.push(b'\n');
        }
        out.write_all(&record)?;
        *count += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_lines_and_reports_bad_ones() {
        let input = "{\"id\": \"a\", \"text\": \"I want to talk to a real person\"}\nnot json\n\n{\"id\": 7, \"text\": \"How much is Pro?\"}\n";
        let mut out = Vec::new();
        let mut errors = Vec::new();
        let mut n = 0;
        classify_lines(
            &SiteConfig::default(),
            input.as_bytes(),
            &mut out,
            |line, e| errors.push((line, e)),
            &mut n,
        )
        .unwrap();
        let lines: Vec<serde_json::Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["id"], "a");
        assert_eq!(lines[0]["escalate"], true);
        assert_eq!(lines[0]["hard"], true);
        assert_eq!(lines[0]["trigger"], "human_request");
        assert_eq!(lines[0]["category"], "general");
        assert_eq!(lines[1]["id"], 7);
        assert_eq!(lines[1]["escalate"], false);
        assert_eq!(lines[1]["trigger"], serde_json::Value::Null);
        assert!(lines[1]["sentiment"].is_number() && lines[1]["score"].is_number());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, 2);
    }
}
