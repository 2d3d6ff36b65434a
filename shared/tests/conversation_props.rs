//! Property tests of the conversation state machine and of config round-trips.

use baton_shared::conversation::{ConversationState, Effect, Escalation, Event, Status};
use baton_shared::SiteConfig;
use proptest::prelude::*;

fn escalation() -> impl Strategy<Value = Option<Escalation>> {
    prop_oneof![
        Just(None),
        (0u32..5, prop::bool::ANY).prop_map(|(turn, hard)| Some(Escalation {
            trigger: if hard {
                "human_request".into()
            } else {
                "soft".into()
            },
            category: "general".into(),
            hard,
            turn,
        })),
    ]
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        escalation().prop_map(|escalation| Event::CustomerMessage { escalation }),
        prop::sample::select(vec!["support", "billing"])
            .prop_map(|q| Event::Routed { queue: q.into() }),
        prop::sample::select(vec!["Ana", "Ben"])
            .prop_map(|a| Event::AgentClaimed { agent: a.into() }),
        Just(Event::Resolved),
        (0u32..5).prop_map(|turn| Event::Escalate {
            escalation: Escalation {
                trigger: "soft".into(),
                category: "general".into(),
                hard: false,
                turn
            }
        }),
        Just(Event::RoutedAsync {
            ticket: "T-1".into()
        }),
        prop::sample::select(vec!["support", "billing"])
            .prop_map(|q| Event::Transferred { queue: q.into() }),
        Just(Event::QueueTimeout {
            ticket: "T-2".into()
        }),
        Just(Event::AgentReleased),
        Just(Event::TicketLinked {
            ticket: "ZD-9".into()
        }),
    ]
}

proptest! {
    #[test]
    fn only_a_customer_message_leaves_resolved(events in prop::collection::vec(event(), 1..40)) {
        let mut s = ConversationState::default();
        for e in events {
            let before = s.clone();
            let is_customer = matches!(e, Event::CustomerMessage { .. });
            // A late ticket reference may still be recorded on a resolved conversation.
            let is_link = matches!(e, Event::TicketLinked { .. });
            let result = s.apply(e);
            if before.status == Status::Resolved {
                if is_customer {
                    prop_assert_eq!(s.status, Status::Reopened);
                    let effects = result.as_ref().unwrap();
                    prop_assert!(
                        effects.iter().any(|f| matches!(f, Effect::Enqueue { .. } | Effect::ReopenTicket { .. })),
                        "a follow-up reaches a queue or a ticket: {:?}", effects
                    );
                } else if is_link {
                    prop_assert_eq!(s.status, Status::Resolved);
                } else {
                    prop_assert!(result.is_err());
                    prop_assert_eq!(&s, &before);
                }
            }
            if result.is_err() {
                prop_assert_eq!(&s, &before, "a refused event changes nothing");
            }
            // Each status carries what the hosts need to act on it.
            match s.status {
                Status::Queued => prop_assert!(s.queue.is_some()),
                Status::WithAgent => prop_assert!(s.agent.is_some()),
                Status::Async => prop_assert!(s.ticket.is_some()),
                Status::Reopened => prop_assert!(s.queue.is_some() || s.ticket.is_some()),
                _ => {}
            }
            if s.status != Status::AiMode {
                prop_assert!(s.escalation.is_some(), "humans only after an escalation");
            }
        }
    }

    #[test]
    fn an_escalation_is_recorded_once(events in prop::collection::vec(event(), 1..60)) {
        let mut s = ConversationState::default();
        let mut routes = 0;
        let mut first = None;
        let mut customer = 0;
        for e in events {
            if matches!(e, Event::CustomerMessage { .. }) {
                customer += 1;
            }
            if let Ok(effects) = s.apply(e) {
                routes += effects.iter().filter(|f| matches!(f, Effect::Route(_))).count();
            }
            if first.is_none() {
                first.clone_from(&s.escalation);
            } else {
                prop_assert_eq!(&s.escalation, &first, "the escalation never changes once set");
            }
        }
        prop_assert!(routes <= 1, "routed {} times", routes);
        prop_assert_eq!(routes == 1, s.escalation.is_some());
        prop_assert_eq!(s.customer_turns, customer);
    }
}

fn config_strategy() -> impl Strategy<Value = SiteConfig> {
    (
        "[a-z][a-z0-9-]{0,20}",
        "[A-Za-z ]{1,30}",
        0.01f32..1.0,
        prop::collection::vec("[a-z]{1,8}", 1..4),
        0u8..=100,
        prop::bool::ANY,
    )
        .prop_map(|(id, name, threshold, queues, percent, shadow)| {
            let mut c = SiteConfig::default();
            c.site.id = id.as_str().into();
            c.site.name = name;
            c.triggers.soft.threshold = threshold;
            c.triggers.soft.shadow = shadow;
            let mut ids: Vec<String> = queues;
            ids.sort();
            ids.dedup();
            c.routing.queues = ids
                .iter()
                .map(|q| baton_shared::config::QueueConfig {
                    id: q.as_str().into(),
                    name: format!("{q} team"),
                    ..Default::default()
                })
                .collect();
            c.routing.default_queue = ids[0].as_str().into();
            c.rollout.percent = percent;
            c
        })
}

proptest! {
    #[test]
    fn configs_round_trip_through_json(c in config_strategy()) {
        let text = serde_json::to_string(&c).unwrap();
        let back = SiteConfig::from_json(&text);
        prop_assert!(back.is_ok(), "{:?}", back.err());
        prop_assert_eq!(back.unwrap(), c);
    }
}

proptest! {
    #[test]
    fn summaries_never_exceed_600_characters(parts in prop::collection::vec(".{0,400}", 6..7), answers in 0u32..5, misses in 0u32..5) {
        use baton_shared::summary::{summary, SummaryInput, MAX_CHARS};
        let msgs: Vec<&str> = parts.iter().map(String::as_str).collect();
        let s = summary(&SummaryInput {
            customer: Some(&parts[0]),
            plan: Some(&parts[1]),
            topic: Some(&parts[2]),
            customer_messages: &msgs[3..5],
            ai_answers: answers,
            ai_misses: misses.min(answers),
            last_ai_answer: Some(&parts[5]),
            reason: Some(&parts[4]),
            page: Some(&parts[3]),
        });
        prop_assert!(s.chars().count() <= MAX_CHARS);
        prop_assert!(!s.is_empty());
    }
}

proptest! {
    #[test]
    fn redaction_is_total_and_idempotent(text in "[ -~éü€]{0,80}|[0-9 +()./-]{0,40}|[a-z0-9.@ -]{0,40}") {
        use baton_shared::redact::{redact, Redact};
        let once = redact(&text, Redact::default());
        let twice = redact(&once, Redact::default());
        prop_assert_eq!(&once, &twice);
        let none = Redact { cards: false, emails: false, phones: false };
        prop_assert_eq!(redact(&text, none), text);
    }
}
