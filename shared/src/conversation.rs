//! The conversation state machine: a reducer `(state, event) -> effects` that the worker drives
//! and the widget mirrors. Effects are data; the hosts carry them out.

use crate::ids::{AgentId, Category, QueueId, TriggerId};
use serde::{Deserialize, Serialize};

/// Where a conversation stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The AI answers.
    #[default]
    AiMode,
    /// A trigger fired; routing is being decided.
    Escalating,
    /// Waiting in a human queue.
    Queued,
    /// A human agent has the conversation.
    WithAgent,
    /// No live agent: a ticket was created and the customer is followed up later.
    Async,
    /// Closed by an agent (or the helpdesk).
    Resolved,
    /// The customer wrote again after resolution; back with the humans.
    Reopened,
}

impl Status {
    /// Whether a human (not the AI) is responsible for the conversation.
    pub fn is_human(self) -> bool {
        matches!(
            self,
            Self::Escalating | Self::Queued | Self::WithAgent | Self::Async | Self::Reopened
        )
    }
}

/// Why a conversation was escalated (the short form of the decision record).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Escalation {
    /// The trigger that decided it.
    pub trigger: TriggerId,
    /// Category used for routing.
    pub category: Category,
    /// Whether it was a hard trigger.
    pub hard: bool,
    /// Customer turn index at which it fired (0-based).
    pub turn: u32,
}

/// The state the reducer owns.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ConversationState {
    /// Current status.
    pub status: Status,
    /// Set once, when the conversation first escalates.
    pub escalation: Option<Escalation>,
    /// Queue it was routed to.
    pub queue: Option<QueueId>,
    /// Agent who has it.
    pub agent: Option<AgentId>,
    /// Number of customer messages so far.
    pub customer_turns: u32,
    /// Helpdesk or async ticket reference, once one exists; a follow-up after resolution
    /// reopens it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
}

/// Something that happened to the conversation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// The customer wrote (the host has already evaluated triggers: `escalation` is the result).
    CustomerMessage {
        /// The trigger decision for this message, if it escalates.
        escalation: Option<Escalation>,
    },
    /// The soft signals, read after the AI's answer, decided to escalate.
    Escalate {
        /// The decision.
        escalation: Escalation,
    },
    /// Routing chose a queue.
    Routed {
        /// The queue.
        queue: QueueId,
    },
    /// An agent claimed the conversation.
    AgentClaimed {
        /// Who.
        agent: AgentId,
    },
    /// An agent (or the helpdesk) resolved the conversation.
    Resolved,
    /// Nobody can take it live (out of hours): a ticket was created instead.
    RoutedAsync {
        /// The ticket reference the customer is given.
        ticket: String,
    },
    /// An agent moved the conversation to another queue.
    Transferred {
        /// The new queue.
        queue: QueueId,
    },
    /// Nobody claimed it within the queue's wait limit (or the customer chose a follow-up by
    /// email): a ticket was created and the conversation continues asynchronously.
    QueueTimeout {
        /// The ticket reference the customer is given.
        ticket: String,
    },
    /// The agent let go without resolving (went offline, handed back): back in the queue.
    AgentReleased,
    /// The helpdesk created (or linked) a ticket for this conversation.
    TicketLinked {
        /// The helpdesk's ticket reference.
        ticket: String,
    },
}

/// Work for the host to carry out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Effect {
    /// Ask the AI to answer the latest message.
    AskAi,
    /// Decide the queue for this escalation (the host calls routing, then feeds `Routed`).
    Route(Escalation),
    /// Put the conversation in the queue's inbox, with its summary.
    Enqueue {
        /// The queue.
        queue: QueueId,
    },
    /// Tell every connected client the status changed.
    StatusChanged(Status),
    /// Record a metric event.
    Metric(&'static str),
    /// The customer wrote again after resolution and the conversation has a ticket: reopen it
    /// (or, if the helpdesk refuses, create a follow-up) so the message does not vanish.
    ReopenTicket {
        /// The ticket.
        ticket: String,
    },
}

/// An event that is not valid in the current state.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("event {event} is not valid while the conversation is {status:?}")]
pub struct TransitionError {
    /// The state the conversation was in.
    pub status: Status,
    /// The event's name.
    pub event: &'static str,
}

impl ConversationState {
    /// Apply an event, returning the effects for the host, or why it does not apply.
    pub fn apply(&mut self, event: Event) -> Result<Vec<Effect>, TransitionError> {
        use Status::*;
        let invalid = |status, event| Err(TransitionError { status, event });
        match (self.status, event) {
            (status, Event::CustomerMessage { escalation }) => {
                self.customer_turns += 1;
                match status {
                    AiMode => match escalation {
                        Some(e) => {
                            self.status = Escalating;
                            self.escalation = Some(e.clone());
                            Ok(vec![
                                Effect::StatusChanged(Escalating),
                                Effect::Route(e),
                                Effect::Metric("escalated"),
                            ])
                        }
                        None => Ok(vec![Effect::AskAi]),
                    },
                    Resolved => {
                        self.status = Reopened;
                        self.agent = None;
                        let mut effects = vec![Effect::StatusChanged(Reopened)];
                        if let Some(queue) = self.queue.clone() {
                            effects.push(Effect::Enqueue { queue });
                        }
                        if let Some(ticket) = self.ticket.clone() {
                            effects.push(Effect::ReopenTicket { ticket });
                        }
                        effects.push(Effect::Metric("reopened"));
                        Ok(effects)
                    }
                    // With the humans already: the message goes to them, nothing else changes.
                    _ => Ok(Vec::new()),
                }
            }
            (AiMode, Event::Escalate { escalation }) => {
                self.status = Escalating;
                self.escalation = Some(escalation.clone());
                Ok(vec![
                    Effect::StatusChanged(Escalating),
                    Effect::Route(escalation),
                    Effect::Metric("escalated"),
                ])
            }
            (status, Event::Escalate { .. }) => invalid(status, "escalate"),
            (Escalating, Event::Routed { queue }) => {
                self.status = Queued;
                self.queue = Some(queue.clone());
                Ok(vec![
                    Effect::StatusChanged(Queued),
                    Effect::Enqueue { queue },
                ])
            }
            (Queued | Reopened | WithAgent, Event::AgentClaimed { agent }) => {
                self.status = WithAgent;
                self.agent = Some(agent);
                Ok(vec![
                    Effect::StatusChanged(WithAgent),
                    Effect::Metric("agent_joined"),
                ])
            }
            (Queued | WithAgent | Async | Reopened, Event::Resolved) => {
                self.status = Resolved;
                Ok(vec![
                    Effect::StatusChanged(Resolved),
                    Effect::Metric("resolved"),
                ])
            }
            (Escalating, Event::RoutedAsync { ticket }) => {
                self.status = Async;
                self.ticket = Some(ticket);
                Ok(vec![Effect::StatusChanged(Async), Effect::Metric("async")])
            }
            (Queued | Reopened, Event::QueueTimeout { ticket }) => {
                self.status = Async;
                self.ticket = Some(ticket);
                Ok(vec![
                    Effect::StatusChanged(Async),
                    Effect::Metric("queue_timeout"),
                ])
            }
            (WithAgent, Event::AgentReleased) => {
                self.agent = None;
                match self.queue.clone() {
                    Some(queue) => {
                        self.status = Queued;
                        Ok(vec![
                            Effect::StatusChanged(Queued),
                            Effect::Enqueue { queue },
                            Effect::Metric("requeued"),
                        ])
                    }
                    // Claimed after an async reopen: nobody queues it, so back to its ticket.
                    None => {
                        self.status = Async;
                        Ok(vec![
                            Effect::StatusChanged(Async),
                            Effect::Metric("requeued"),
                        ])
                    }
                }
            }
            (status, Event::TicketLinked { ticket }) if status != AiMode => {
                self.ticket = Some(ticket);
                Ok(Vec::new())
            }
            (Queued | WithAgent | Reopened, Event::Transferred { queue }) => {
                self.status = Queued;
                self.agent = None;
                self.queue = Some(queue.clone());
                Ok(vec![
                    Effect::StatusChanged(Queued),
                    Effect::Enqueue { queue },
                    Effect::Metric("transferred"),
                ])
            }
            (status, Event::Routed { .. }) => invalid(status, "routed"),
            (status, Event::RoutedAsync { .. }) => invalid(status, "routed_async"),
            (status, Event::Transferred { .. }) => invalid(status, "transferred"),
            (status, Event::AgentClaimed { .. }) => invalid(status, "agent_claimed"),
            (status, Event::Resolved) => invalid(status, "resolved"),
            (status, Event::QueueTimeout { .. }) => invalid(status, "queue_timeout"),
            (status, Event::AgentReleased) => invalid(status, "agent_released"),
            (status, Event::TicketLinked { .. }) => invalid(status, "ticket_linked"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hard() -> Escalation {
        Escalation {
            trigger: "human_request".into(),
            category: "general".into(),
            hard: true,
            turn: 0,
        }
    }

    #[test]
    fn hard_trigger_walks_to_resolved_and_reopens() {
        let mut s = ConversationState::default();
        assert_eq!(
            s.apply(Event::CustomerMessage { escalation: None })
                .unwrap(),
            vec![Effect::AskAi]
        );
        let fx = s
            .apply(Event::CustomerMessage {
                escalation: Some(hard()),
            })
            .unwrap();
        assert!(fx.contains(&Effect::Route(hard())));
        s.apply(Event::Routed {
            queue: "support".into(),
        })
        .unwrap();
        assert_eq!(s.status, Status::Queued);
        s.apply(Event::AgentClaimed {
            agent: "ana".into(),
        })
        .unwrap();
        s.apply(Event::Resolved).unwrap();
        assert_eq!(s.status, Status::Resolved);
        let fx = s
            .apply(Event::CustomerMessage { escalation: None })
            .unwrap();
        assert_eq!(s.status, Status::Reopened);
        assert!(fx.contains(&Effect::Enqueue {
            queue: "support".into()
        }));
    }

    #[test]
    fn resolving_an_ai_conversation_is_refused() {
        let mut s = ConversationState::default();
        assert!(s.apply(Event::Resolved).is_err());
        assert_eq!(s.status, Status::AiMode);
    }

    #[test]
    fn a_second_trigger_while_queued_does_not_escalate_twice() {
        let mut s = ConversationState::default();
        s.apply(Event::CustomerMessage {
            escalation: Some(hard()),
        })
        .unwrap();
        let first = s.escalation.clone();
        let fx = s
            .apply(Event::CustomerMessage {
                escalation: Some(hard()),
            })
            .unwrap();
        assert!(fx.is_empty());
        assert_eq!(s.escalation, first);
    }

    #[test]
    fn an_async_ticket_is_reopened_by_a_follow_up() {
        let mut s = ConversationState::default();
        s.apply(Event::CustomerMessage {
            escalation: Some(hard()),
        })
        .unwrap();
        s.apply(Event::RoutedAsync {
            ticket: "T-42".into(),
        })
        .unwrap();
        assert_eq!(s.status, Status::Async);
        s.apply(Event::Resolved).unwrap();
        let fx = s
            .apply(Event::CustomerMessage { escalation: None })
            .unwrap();
        assert_eq!(s.status, Status::Reopened);
        assert!(fx.contains(&Effect::ReopenTicket {
            ticket: "T-42".into()
        }));
    }

    #[test]
    fn a_queue_timeout_goes_async_and_a_released_agent_requeues() {
        let mut s = ConversationState::default();
        s.apply(Event::CustomerMessage {
            escalation: Some(hard()),
        })
        .unwrap();
        s.apply(Event::Routed {
            queue: "support".into(),
        })
        .unwrap();
        s.apply(Event::AgentClaimed {
            agent: "ana".into(),
        })
        .unwrap();
        let fx = s.apply(Event::AgentReleased).unwrap();
        assert_eq!(s.status, Status::Queued);
        assert_eq!(s.agent, None);
        assert!(fx.contains(&Effect::Enqueue {
            queue: "support".into()
        }));
        s.apply(Event::QueueTimeout {
            ticket: "T-7".into(),
        })
        .unwrap();
        assert_eq!(s.status, Status::Async);
        assert_eq!(s.ticket.as_deref(), Some("T-7"));
        assert!(s.apply(Event::AgentReleased).is_err());
    }

    #[test]
    fn a_transfer_requeues_in_the_new_queue_without_the_agent() {
        let mut s = ConversationState::default();
        s.apply(Event::CustomerMessage {
            escalation: Some(hard()),
        })
        .unwrap();
        s.apply(Event::Routed {
            queue: "support".into(),
        })
        .unwrap();
        // Queued, not yet claimed: straight to the other queue.
        let fx = s
            .apply(Event::Transferred {
                queue: "billing".into(),
            })
            .unwrap();
        assert_eq!(
            fx,
            vec![
                Effect::StatusChanged(Status::Queued),
                Effect::Enqueue {
                    queue: "billing".into()
                },
                Effect::Metric("transferred"),
            ]
        );
        // Claimed: the agent lets go and the conversation waits in the new queue.
        s.apply(Event::AgentClaimed {
            agent: "ana".into(),
        })
        .unwrap();
        s.apply(Event::Transferred {
            queue: "support".into(),
        })
        .unwrap();
        assert_eq!(
            (s.status, s.agent.clone(), s.queue.clone()),
            (Status::Queued, None, Some("support".into()))
        );
        assert_eq!(s.escalation, Some(hard()), "the escalation record stays");
        // Nothing to transfer before a handoff, after it ends, or while it is a ticket.
        for status in [
            Status::AiMode,
            Status::Escalating,
            Status::Async,
            Status::Resolved,
        ] {
            let mut t = ConversationState {
                status,
                ..s.clone()
            };
            let e = t
                .apply(Event::Transferred {
                    queue: "billing".into(),
                })
                .unwrap_err();
            assert_eq!((e.status, e.event), (status, "transferred"));
            assert_eq!(t.status, status);
        }
    }

    #[test]
    fn state_without_a_ticket_keeps_its_old_wire_shape() {
        let s = ConversationState::default();
        let v = serde_json::to_value(&s).unwrap();
        assert!(v.get("ticket").is_none());
        let old = r#"{"status":"queued","escalation":null,"queue":"support","agent":null,"customer_turns":2}"#;
        let back: ConversationState = serde_json::from_str(old).unwrap();
        assert_eq!(back.status, Status::Queued);
        assert_eq!(back.ticket, None);
    }
}
