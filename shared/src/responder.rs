//! Requests to, and answers from, the pluggable AI responders (an OpenAI-compatible chat
//! endpoint, or the site's own bot by webhook), as data; the worker sends them.

use crate::config::FaqEntry;
use crate::ids::Category;
use crate::knowledge::AiAnswer;
use serde_json::{json, Value};

/// One earlier turn of the conversation, for the model's context.
#[derive(Clone, Debug, PartialEq)]
pub struct Turn {
    /// `true` for the customer, `false` for the AI.
    pub customer: bool,
    /// What was said.
    pub text: String,
}

/// Most earlier turns sent to a model; older ones are dropped first.
const HISTORY: usize = 12;

/// The system prompt: answer from the site's knowledge, and say how sure you are, as JSON.
fn system_prompt(site_name: &str, faq: &[FaqEntry]) -> String {
    let mut prompt = format!(
        "You are the support assistant of {site_name}. Answer the customer's last message briefly, \
         using only the knowledge below. If it does not cover the question, say so and set a low \
         confidence. Reply with one JSON object: {{\"answer\": string, \"confidence\": number from 0 to 1, \
         \"intent\": short category such as billing, account, sales, technical, or general, \
         \"resolved\": true if the customer's problem is solved}}.\n\nKnowledge:\n"
    );
    for entry in faq {
        prompt.push_str("- Q: ");
        prompt.push_str(&entry.question);
        prompt.push_str("\n  A: ");
        prompt.push_str(&entry.answer);
        prompt.push('\n');
    }
    prompt
}

/// Body of `POST {base_url}/chat/completions` for an OpenAI-compatible endpoint.
pub fn openai_body(
    model: &str,
    site_name: &str,
    faq: &[FaqEntry],
    history: &[Turn],
    text: &str,
) -> Value {
    let mut messages = vec![json!({ "role": "system", "content": system_prompt(site_name, faq) })];
    let start = history.len().saturating_sub(HISTORY);
    for turn in &history[start..] {
        let role = if turn.customer { "user" } else { "assistant" };
        messages.push(json!({ "role": role, "content": turn.text }));
    }
    messages.push(json!({ "role": "user", "content": text }));
    json!({
        "model": model,
        "messages": messages,
        "temperature": 0.2,
        "response_format": { "type": "json_object" },
    })
}

/// Why a responder's answer could not be used. The worker logs it, tells the customer it has
/// no answer, and counts the turn as a failed AI attempt.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The body is not JSON at all (an HTML error page, a truncated answer).
    #[error("the answer is not JSON: {0}")]
    NotJson(String),
    /// A chat completion without `choices[0].message.content` (often an `{"error": …}` body).
    #[error("the answer has no choices[0].message.content")]
    NoContent,
    /// The content is not the JSON object we asked for.
    #[error("the content is not the JSON object asked for ({{\"answer\", \"confidence\"}}): {0}")]
    NotStructured(String),
    /// `answer` is missing, or neither a string nor null.
    #[error("`answer` is missing or not a string")]
    NoAnswer,
    /// `confidence` is missing or not a number: without it the answer cannot be weighed.
    #[error("`confidence` is missing or not a number")]
    NoConfidence,
}

/// Read an OpenAI-compatible chat completion whose message content is the JSON we asked for.
pub fn parse_openai(body: &str) -> Result<AiAnswer, ParseError> {
    let v: Value = serde_json::from_str(body).map_err(|e| ParseError::NotJson(e.to_string()))?;
    let content = v["choices"][0]["message"]["content"]
        .as_str()
        .ok_or(ParseError::NoContent)?;
    parse_structured(content)
}

/// Read `{"answer", "confidence", "intent"?, "resolved"?}`: the webhook bot's contract, and
/// what models are asked for. `answer` may be null or empty (the responder has nothing to say);
/// a model that wraps the object in a Markdown code fence is forgiven.
pub fn parse_structured(content: &str) -> Result<AiAnswer, ParseError> {
    let v: Value = serde_json::from_str(unfence(content))
        .map_err(|e| ParseError::NotStructured(e.to_string()))?;
    if !v.is_object() {
        return Err(ParseError::NotStructured("not an object".into()));
    }
    let text = match &v["answer"] {
        Value::String(t) => Some(t.trim()).filter(|t| !t.is_empty()).map(str::to_owned),
        Value::Null if v.get("answer").is_some() => None,
        _ => return Err(ParseError::NoAnswer),
    };
    let confidence = v["confidence"]
        .as_f64()
        .ok_or(ParseError::NoConfidence)?
        .clamp(0.0, 1.0) as f32;
    let intent = v["intent"]
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Category::from(s.to_lowercase()));
    Ok(AiAnswer {
        resolved: text.is_some() && v["resolved"].as_bool().unwrap_or(false),
        text,
        confidence,
        intent,
    })
}

/// The text inside a Markdown code fence (```json … ```), or the text itself.
fn unfence(content: &str) -> &str {
    let t = content.trim();
    let Some(rest) = t.strip_prefix("```") else {
        return t;
    };
    let body = rest.split_once('\n').map_or("", |(_, b)| b);
    body.trim_end().strip_suffix("```").unwrap_or(body).trim()
}

/// Body sent to a site's own bot: the conversation so far and the new message.
pub fn webhook_body(conversation_id: &str, history: &[Turn], text: &str) -> Value {
    let transcript: Vec<Value> = history
        .iter()
        .map(|t| json!({ "role": if t.customer { "customer" } else { "ai" }, "text": t.text }))
        .collect();
    json!({ "conversation_id": conversation_id, "transcript": transcript, "message": text })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faq() -> Vec<FaqEntry> {
        vec![FaqEntry {
            id: "plans".into(),
            question: "How much is Pro?".into(),
            answer: "$29 per seat.".into(),
            ..FaqEntry::default()
        }]
    }

    #[test]
    fn openai_body_carries_knowledge_history_and_json_mode() {
        let history = vec![
            Turn {
                customer: true,
                text: "hi".into(),
            },
            Turn {
                customer: false,
                text: "hello!".into(),
            },
        ];
        let b = openai_body("gpt-test", "Acme", &faq(), &history, "price?");
        assert_eq!(b["model"], "gpt-test");
        assert_eq!(b["response_format"]["type"], "json_object");
        let m = b["messages"].as_array().unwrap();
        assert_eq!(m.len(), 4);
        assert!(m[0]["content"].as_str().unwrap().contains("$29 per seat."));
        assert_eq!(m[1]["role"], "user");
        assert_eq!(m[2]["role"], "assistant");
        assert_eq!(m[3]["content"], "price?");
    }

    #[test]
    fn history_is_capped() {
        let history: Vec<Turn> = (0..40)
            .map(|i| Turn {
                customer: i % 2 == 0,
                text: i.to_string(),
            })
            .collect();
        let b = openai_body("m", "Acme", &[], &history, "x");
        assert_eq!(b["messages"].as_array().unwrap().len(), HISTORY + 2);
    }

    fn completion(content: &str) -> String {
        json!({ "choices": [{ "message": { "role": "assistant", "content": content } }] })
            .to_string()
    }

    #[test]
    fn parses_structured_completion() {
        let body = completion(
            r#"{"answer":"Pro is $29.","confidence":0.82,"intent":"Sales","resolved":true}"#,
        );
        let a = parse_openai(&body).unwrap();
        assert_eq!(a.text.as_deref(), Some("Pro is $29."));
        assert!((a.confidence - 0.82).abs() < 1e-6);
        assert_eq!(a.intent, Some(Category::from("sales")));
        assert!(a.resolved);
    }

    #[test]
    fn a_fenced_object_is_read() {
        let a =
            parse_structured("```json\n{\"answer\": \"Hi\", \"confidence\": 0.9}\n```").unwrap();
        assert_eq!(a.text.as_deref(), Some("Hi"));
        let a = parse_structured("```\n{\"answer\": null, \"confidence\": 0.1}\n```").unwrap();
        assert_eq!(a.text, None);
    }

    #[test]
    fn a_null_or_empty_answer_is_no_answer_and_solves_nothing() {
        let a =
            parse_structured(r#"{"answer": null, "confidence": 0.2, "resolved": true}"#).unwrap();
        assert_eq!((a.text, a.resolved), (None, false));
        let a = parse_structured(r#"{"answer": "  ", "confidence": 0.9}"#).unwrap();
        assert_eq!(a.text, None);
    }

    #[test]
    fn anything_but_the_asked_for_object_is_an_error() {
        use ParseError::*;
        assert!(matches!(parse_openai("<html>502</html>"), Err(NotJson(_))));
        assert_eq!(
            parse_openai(r#"{"error":{"message":"bad key"}}"#),
            Err(NoContent)
        );
        let structured: &[(&str, ParseError)] = &[
            ("Pro costs $29.", NotStructured(String::new())),
            (r#"{"answer": "Pro is $29"#, NotStructured(String::new())),
            ("[1, 2]", NotStructured(String::new())),
            (r#"{"confidence": 0.9}"#, NoAnswer),
            (r#"{"answer": 42, "confidence": 0.9}"#, NoAnswer),
            (r#"{"answer": "Pro is $29."}"#, NoConfidence),
            (
                r#"{"answer": "Pro is $29.", "confidence": "high"}"#,
                NoConfidence,
            ),
        ];
        for (content, want) in structured {
            let got = parse_openai(&completion(content)).unwrap_err();
            let same = match (want, &got) {
                (NotStructured(_), NotStructured(_)) => true,
                (w, g) => w == g,
            };
            assert!(same, "{content}: got {got:?}, want {want:?}");
        }
    }

    #[test]
    fn webhook_body_carries_the_conversation() {
        let history = vec![Turn {
            customer: true,
            text: "hi".into(),
        }];
        let b = webhook_body("c1", &history, "price?");
        assert_eq!(
            b,
            json!({ "conversation_id": "c1", "transcript": [{ "role": "customer", "text": "hi" }], "message": "price?" })
        );
    }

    #[test]
    fn confidence_is_clamped() {
        let a = parse_structured(r#"{"answer":"x","confidence":7}"#).unwrap();
        assert_eq!(a.confidence, 1.0);
        let a = parse_structured(r#"{"answer":"x","confidence":-1}"#).unwrap();
        assert_eq!(a.confidence, 0.0);
    }
}
