//! `baton classify`: each input line is a customer's first message in a fresh conversation;
//! each output line is the decision for it. Bad lines are reported on stderr and skipped.

mod json;

use baton_shared::decision::{verdict, ConversationSignals, TurnInput};
use baton_shared::trigger::HardTriggers;
use baton_shared::SiteConfig;
use serde::{Deserialize, Serialize};
use std::io::{BufWriter, Read, Write};

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
    let mut out = BufWriter::with_capacity(CHUNK, stdout.lock());
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

/// How much input is read at a time (more when a line is longer), and how much output is
/// gathered before it is written.
const CHUNK: usize = 1 << 20;

/// Classify every line of `input` into `out`; malformed lines go to `on_error`.
pub fn classify_lines<R: Read, W: Write>(
    config: &SiteConfig,
    mut input: R,
    out: &mut W,
    mut on_error: impl FnMut(usize, String),
    count: &mut usize,
) -> std::io::Result<()> {
    let hard = HardTriggers::from_config(&config.triggers);
    let locale = config.site.locale.clone();
    let user = serde_json::Value::Null;
    let classify = |id: &str, text: &str| {
        let mut signals = ConversationSignals::default();
        let sentiment = signals.observe_customer(text);
        let d = verdict(&TurnInput {
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
        (d, json::round(sentiment * 10_000.0) / 10_000.0)
    };
    let mut buf = vec![0u8; CHUNK];
    let (mut filled, mut n) = (0, 0);
    let mut text = String::new();
    let mut record = Vec::with_capacity(CHUNK + 4096);
    let mut last_score = json::LastScore::default();
    loop {
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        let got = match input.read(&mut buf[filled..]) {
            Ok(got) => got,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        filled += got;
        let eof = got == 0;
        // Whole lines only, unless the input has ended.
        let end = if eof {
            filled
        } else {
            match buf[..filled].iter().rposition(|&b| b == b'\n') {
                Some(i) => i + 1,
                None => continue,
            }
        };
        // As `BufRead::lines`: only UTF-8. Lines before a bad byte are still classified.
        let (valid, bad) = match std::str::from_utf8(&buf[..end]) {
            Ok(valid) => (valid, false),
            Err(e) => (
                std::str::from_utf8(&buf[..e.valid_up_to()]).unwrap_or_default(),
                true,
            ),
        };
        let mut at = 0;
        while at < valid.len() {
            let rest = &valid[at..];
            n += 1;
            // The common shape, read without building a JSON tree: `id` is a plain string.
            if let Some((used, id, text)) = json::input(rest, eof && !bad, &mut text) {
                at += used;
                let (d, sentiment) = classify(id, text);
                json::output(&mut record, id, &d, sentiment, &mut last_score);
                *count += 1;
            } else {
                // Without the line ending, as `BufRead::lines`.
                let line = match json::line_end(rest.as_bytes()) {
                    Some(i) => {
                        at += i + 1;
                        let line = &rest[..i];
                        line.strip_suffix('\r').unwrap_or(line)
                    }
                    None if bad => break,
                    None => {
                        at = valid.len();
                        rest
                    }
                };
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<Input>(line) {
                    Ok(parsed) => {
                        let (d, sentiment) =
                            classify(parsed.id.as_str().unwrap_or_default(), &parsed.text);
                        let output = Output {
                            id: &parsed.id,
                            escalate: d.escalate,
                            hard: d.hard,
                            trigger: d.trigger.as_ref().map(|t| t.as_str()),
                            category: d.category.as_ref().map(|c| c.as_str()),
                            sentiment,
                            score: d.score,
                        };
                        serde_json::to_writer(&mut record, &output)?;
                        record.push(b'\n');
                        *count += 1;
                    }
                    Err(e) => on_error(n, e.to_string()),
                }
            }
            if record.len() >= CHUNK {
                out.write_all(&record)?;
                record.clear();
            }
        }
        if bad {
            out.write_all(&record)?;
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            ));
        }
        buf.copy_within(end..filled, 0);
        filled -= end;
        if eof {
            break;
        }
    }
    out.write_all(&record)
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

    fn classify_all(input: impl Read) -> (std::io::Result<()>, String, Vec<usize>) {
        let mut out = Vec::new();
        let mut errors = Vec::new();
        let mut n = 0;
        let result = classify_lines(
            &SiteConfig::default(),
            input,
            &mut out,
            |line, _| errors.push(line),
            &mut n,
        );
        (result, String::from_utf8(out).unwrap(), errors)
    }

    /// A reader that hands out a few bytes at a time, so lines span reads.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(self.0.len()).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn line_endings_and_reads_of_any_size_give_the_same_lines() {
        let lf = "{\"id\": \"a\", \"text\": \"I want a refund\"}\n\n{\"text\": \"hi \\u00e9\", \"id\": \"b\"}  \n{\"id\": 3, \"text\": \"agent\"}\nnope\n";
        let (result, want, errors) = classify_all(lf.as_bytes());
        result.unwrap();
        assert_eq!(want.lines().count(), 3);
        assert!(want.starts_with("{\"id\":\"a\",\"escalate\":true"));
        assert_eq!(errors, [5]);
        let crlf = lf.replace('\n', "\r\n");
        for input in [lf, crlf.as_str(), lf.trim_end(), crlf.trim_end()] {
            for step in [1, 3, 7, 64] {
                let (result, got, errors) = classify_all(Trickle(input.as_bytes(), step));
                result.unwrap();
                assert_eq!(got, want, "{input:?} {step}");
                assert_eq!(errors, [5]);
            }
        }
    }

    #[test]
    fn lines_before_bad_utf8_are_classified_then_it_stops() {
        let mut input =
            b"{\"id\": \"a\", \"text\": \"hello\"}\n{\"id\": \"b\", \"text\": \"x".to_vec();
        input.extend_from_slice(b"\xff\"}\n{\"id\": \"c\", \"text\": \"never read\"}\n");
        for step in [2, 1000] {
            let (result, out, _) = classify_all(Trickle(&input, step));
            assert_eq!(result.unwrap_err().kind(), std::io::ErrorKind::InvalidData);
            assert_eq!(out.lines().count(), 1, "{out}");
            assert!(out.starts_with("{\"id\":\"a\""));
        }
    }
}
