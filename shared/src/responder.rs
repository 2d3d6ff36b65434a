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

/// Read an OpenAI-compatible chat completion into an answer.
pub fn parse_openai(body: &str) -> Result<AiAnswer, String> {
    let v: Value = serde_json::from_str(body).map_err(|e| format!("not JSON: {e}"))?;
    let content = v["choices"][0]["message"]["content"]
        .as_str()
        .ok_or("no choices[0].message.content in the answer")?;
    Ok(parse_structured(content).unwrap_or_else(|| AiAnswer {
        // The model ignored the JSON instruction: use its text, but do not claim certainty.
        text: Some(content.trim().to_owned()).filter(|t| !t.is_empty()),
        confidence: 0.5,
        intent: None,
    }))
}

/// Read `{"answer", "confidence", "intent"}` (the webhook contract, and what we ask models for).
pub fn parse_structured(content: &str) -> Option<AiAnswer> {
    let v: Value = serde_json::from_str(content.trim()).ok()?;
    let text = v["answer"]
        .as_str()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    let confidence = v["confidence"].as_f64().unwrap_or(0.5).clamp(0.0, 1.0) as f32;
    let intent = v["intent"]
        .as_str()
        .filter(|s| !s.is_empty())
        .map(|s| Category::from(s.to_lowercase()));
    Some(AiAnswer {
        text,
        confidence,
        intent,
    })
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

    #[test]
    fn parses_structured_completion() {
        let body = r#"{"choices":[{"message":{"role":"assistant","content":"{\"answer\":\"Pro is $29.\",\"confidence\":0.82,\"intent\":\"Sales\"}"}}]}"#;
        let a = parse_openai(body).unwrap();
        assert_eq!(a.text.as_deref(), Some("Pro is $29."));
        assert!((a.confidence - 0.82).abs() < 1e-6);
        assert_eq!(a.intent, Some(Category::from("sales")));
    }

    #[test]
    fn plain_text_completion_gets_middling_confidence() {
        let body = r#"{"choices":[{"message":{"content":"Pro costs $29."}}]}"#;
        let a = parse_openai(body).unwrap();
        assert_eq!(a.text.as_deref(), Some("Pro costs $29."));
        assert_eq!(a.confidence, 0.5);
    }

    #[test]
    fn malformed_answers_are_errors() {
        assert!(parse_openai("<html>").is_err());
        assert!(parse_openai(r#"{"error":{"message":"bad key"}}"#).is_err());
    }

    #[test]
    fn confidence_is_clamped() {
        let a = parse_structured(r#"{"answer":"x","confidence":7}"#).unwrap();
        assert_eq!(a.confidence, 1.0);
    }
}
