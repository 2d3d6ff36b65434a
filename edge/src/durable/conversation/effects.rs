//! Carries out the shared state machine's effects inside a change: AI answers, routing, the
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
                    let answer = ai::knowledge_base(&config.ai, text);
                    if answer.intent.is_some() {
                        change.meta.last_intent = answer.intent.clone();
                    }
                    match answer.text {
                        Some(reply) => {
                            change.meta.ai_answers += 1;
                            change.say(Author::Ai, reply, None);
                        }
                        None => {
                            change.meta.ai_misses += 1;
                            change.say(Author::Ai, templates.no_answer.clone(), None);
                        }
                    }
                }
                Effect::Route(escalation) => {
                    let category = if escalation.trigger.as_str() == "human_request" {
                        change
                            .meta
                            .last_intent
                            .clone()
                            .unwrap_or(escalation.category.clone())
                    } else {
                        escalation.category.clone()
                    };
                    let queue_cfg = config
                        .queue_for(&category)
                        .or_else(|| config.routing.queues.first())
                        .cloned()
                        .unwrap_or_default();
                    change.meta.topic = Some(topic_label(category.as_str()));
                    change.meta.queue_name = Some(queue_cfg.name.clone());
                    change.meta.reason = Some(format!(
                        "{} ({})",
                        escalation.trigger.as_str().replace('_', " "),
                        if escalation.hard {
                            "hard trigger"
                        } else {
                            "soft signals"
                        }
                    ));
                    change.meta.enqueued_at = Some(now_ms());
                    let wait = "A person usually replies within a few minutes.";
                    let message = render(
                        &templates.transition,
                        &[
                            (
                                "topic",
                                change.meta.topic.as_deref().unwrap_or("your question"),
                            ),
                            ("queue", &queue_cfg.name),
                            ("wait", wait),
                        ],
                    );
                    change.say(Author::System, message, None);
                    queue.extend(change.meta.state.apply(Event::Routed {
                        queue: queue_cfg.id,
                    })?);
                }
                Effect::StatusChanged(status) => {
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
