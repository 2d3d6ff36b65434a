//! Asking the AI. The knowledge base answers inside the customer's own change; a remote
//! provider is asked through the outbox, so a restart mid-call still ends with an answer.

use super::*;
use crate::ai::{self, Responder};
use baton_shared::knowledge::AiAnswer;
use baton_shared::outbox::{DeliveryKind, OutboxEntry, Outcome};
use baton_shared::responder::Turn;
use baton_shared::trigger::HardTriggers;

/// Ask a remote AI to answer the customer's message `seq` (committed with that message).
pub(super) fn ai_entry(seq: u64, text: &str, now: f64) -> OutboxEntry {
    OutboxEntry {
        key: format!("ai:{seq:012}"),
        kind: DeliveryKind::CreateTicket,
        connector: "ai".into(),
        attempts: 0,
        next_at_ms: now,
        created_at_ms: now,
        last_error: None,
        payload: json!({ "seq": seq, "text": text }),
    }
}

/// Take the AI's answer into a change: the soft signals, the counters, and what the customer
/// reads. `failure` is set when the provider gave no usable answer at all.
pub(super) fn take_answer(
    change: &mut Change,
    config: &SiteConfig,
    answer: AiAnswer,
    failure: Option<&ai::AiError>,
) {
    let answer = answer.floored(config.ai.confidence_floor);
    if answer.intent.is_some() {
        change.meta.last_intent = answer.intent.clone();
    }
    change.meta.signals.observe_ai(
        &baton_shared::decision::AiSignal {
            answered: answer.text.is_some(),
            confidence: answer.confidence,
            resolved: answer.resolved,
            intent: answer.intent.clone(),
        },
        config.ai.confidence_floor,
    );
    change.ai_answered = true;
    let templates = config.templates(&change.meta.locale);
    match answer.text {
        Some(reply) => {
            change.meta.ai_answers += 1;
            change.meta.last_ai_answer = Some(reply.chars().take(300).collect());
            change.say(Author::Ai, reply, None);
        }
        None => {
            change.meta.ai_misses += 1;
            let fallback = match failure {
                Some(_) => templates.ai_unavailable.clone(),
                None => templates.no_answer.clone(),
            };
            change.say(Author::Ai, fallback, None);
        }
    }
    if failure.is_some() {
        change.metric("ai_failed", None);
    }
}

/// After the AI has answered: the soft signals (failed answers, confidence, sentiment,
/// length) decide against the customer's segment's threshold.
pub(super) fn soft_check(
    this: &Conversation,
    change: &mut Change,
    config: &SiteConfig,
    hard: &HardTriggers,
    text: &str,
    sentiment: f64,
) -> std::result::Result<(), AppError> {
    if change.ai_answered && change.meta.state.status == Status::AiMode {
        let d = customer::decide(&change.meta, config, hard, text, sentiment, true);
        if let Some(escalation) = change.record(d) {
            let effects = change.meta.state.apply(Event::Escalate { escalation })?;
            this.carry_out(change, config, effects, text)?;
        }
    }
    Ok(())
}

impl Conversation {
    /// The outbox's `ai` entry: ask the site's provider, then answer the customer. A failed
    /// or unreadable answer is not retried (the customer is waiting): it becomes the honest
    /// fallback and a failed attempt. Only our own storage failing is retried.
    pub(super) async fn answer_pending(&self, entry: &OutboxEntry) -> Result<Outcome, String> {
        let seq = entry.payload["seq"].as_u64().unwrap_or_default();
        let text = entry.payload["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let Ok(meta) = self.load().await else {
            return Ok(Outcome::Delivered); // erased meanwhile
        };
        if !meta.ai_pending.contains(&seq) || meta.state.status != Status::AiMode {
            return self.drop_pending(seq).await;
        }
        let config = self.config(&meta.site).await.map_err(|e| e.to_string())?;
        let history = self.history_before(seq).await.map_err(|e| e.to_string())?;
        let question = ai::Question {
            conversation_id: &meta.id,
            seq,
            site_name: &config.site.name,
            history: &history,
            text: &text,
        };
        let result = match ai::SiteResponder::for_site(&self.env, &config.ai) {
            Ok(responder) => responder.answer(&question).await,
            Err(e) => Err(e),
        };
        if let Err(e) = &result {
            worker::console_error!(
                "AI responder {:?} gave no usable answer for {} (message {seq}): {e}",
                config.ai.provider,
                meta.id
            );
        }
        // Fresh state after the call; nothing awaits between here and the commit.
        let Ok(meta) = self.load().await else {
            return Ok(Outcome::Delivered);
        };
        if !meta.ai_pending.contains(&seq) {
            return Ok(Outcome::Delivered); // answered by a concurrent attempt
        }
        let mut change = Change::new(meta, false);
        change.meta.ai_pending.retain(|s| *s != seq);
        // The customer may have asked for a person meanwhile: then a human answers, not the AI.
        if change.meta.state.status == Status::AiMode {
            let failure = result.as_ref().err();
            let answer = result
                .as_ref()
                .map_or_else(|_| AiAnswer::none(), Clone::clone);
            take_answer(&mut change, &config, answer, failure);
            let hard = HardTriggers::from_config(&config.triggers);
            let sentiment = baton_shared::signal::sentiment::sentiment(&text);
            soft_check(self, &mut change, &config, &hard, &text, sentiment)
                .map_err(|e| e.to_string())?;
            if change.meta.state.status.is_human() {
                change.router_dirty = true;
            }
        }
        self.commit_only(change).await.map_err(|e| e.to_string())?;
        Ok(Outcome::Delivered)
    }

    /// Forget a pending question nobody needs answered any more.
    async fn drop_pending(&self, seq: u64) -> Result<Outcome, String> {
        let Ok(meta) = self.load().await else {
            return Ok(Outcome::Delivered);
        };
        if meta.ai_pending.contains(&seq) {
            let mut change = Change::new(meta, false);
            change.meta.ai_pending.retain(|s| *s != seq);
            self.commit_only(change).await.map_err(|e| e.to_string())?;
        }
        Ok(Outcome::Delivered)
    }

    /// The customer's and the AI's messages before `seq`, oldest first.
    async fn history_before(&self, seq: u64) -> std::result::Result<Vec<Turn>, AppError> {
        Ok(self
            .events_since(0)
            .await?
            .into_iter()
            .take_while(|e| e.seq < seq)
            .filter_map(|e| match e.body {
                EventBody::Message {
                    author: author @ (Author::Customer | Author::Ai),
                    text,
                    ..
                } => Some(Turn {
                    customer: author == Author::Customer,
                    text,
                }),
                _ => None,
            })
            .collect())
    }
}
