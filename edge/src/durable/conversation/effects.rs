//! Carries out the shared state machine's effects inside a change: asking the AI, routing, the
//! transition message and status events.

use super::*;

impl Conversation {
    /// Carry out the state machine's effects; those that produce events feed them back in.
    pub(super) fn carry_out(
        &self,
        change: &mut Change,
        config: &SiteConfig,
        effects: Vec<Effect>,
        text: &str,
    ) -> std::result::Result<(), AppError> {
        let templates = config.templates(&change.meta.locale);
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            match effect {
                Effect::AskAi => {
                    if ai::is_remote(&config.ai) {
                        // The call goes out after this change is committed (see `ask.rs`).
                        let seq = change.last_customer_seq().unwrap_or(change.meta.last_seq);
                        change.meta.ai_pending.push(seq);
                        change.outbox.push(ask::ai_entry(seq, text, now_ms()));
                    } else {
                        let answer = ai::knowledge_base(&config.ai, text);
                        ask::take_answer(change, config, answer, None);
                    }
                }
                Effect::Route(escalation) => {
                    let category = routed_category(&change.meta, &escalation);
                    change.meta.topic = Some(topic_label(category.as_str()));
                    change.meta.enqueued_at = Some(now_ms());
                    if change.meta.reason.is_none() {
                        change.meta.reason = Some(escalation.trigger.as_str().replace('_', " "));
                    }
                    // Routing needs the queues' load and the site's clock: the outbox's `route`
                    // entry, committed with this change, finishes it.
                    change.meta.route_pending = true;
                }
                Effect::StatusChanged(status) => {
                    let notices = notify::status_entries(config, &change.meta, status, now_ms());
                    change.outbox.extend(notices);
                    if status == Status::Resolved {
                        let agent = change
                            .meta
                            .agent_name
                            .clone()
                            .unwrap_or_else(|| "Our team".into());
                        change.status(status);
                        change.say(
                            Author::System,
                            render(&templates.resolved, &[("agent", &agent)]),
                            None,
                        );
                    } else if status == Status::WithAgent {
                        change.status(status);
                        let agent = change.meta.agent_name.clone().unwrap_or_default();
                        change.say(
                            Author::System,
                            render(&templates.agent_joined, &[("agent", &agent)]),
                            None,
                        );
                    } else {
                        if status == Status::Reopened {
                            change.meta.agent_name = None;
                        }
                        change.status(status);
                    }
                }
                Effect::Enqueue { .. } => change.router_dirty = true,
                Effect::Metric(name) => change.metric(name, None),
                // Effects this host does not carry out yet.
                _ => {}
            }
        }
        Ok(())
    }
}

/// The category an escalation is routed under: a plain "talk to a person" is about whatever
/// the AI was helping with; other triggers name their own.
pub(super) fn routed_category(meta: &Meta, escalation: &Escalation) -> Category {
    if escalation.trigger.as_str() == "human_request" {
        meta.last_intent
            .clone()
            .unwrap_or_else(|| escalation.category.clone())
    } else {
        escalation.category.clone()
    }
}
