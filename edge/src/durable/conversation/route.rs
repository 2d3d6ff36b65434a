//! Finishing an escalation: ask the router how busy the queues are, read the site's clock, let
//! the shared routing decide (queue, overflow, out of hours), and tell the customer.

use super::*;
use baton_shared::config::OutOfHours;
use baton_shared::order;
use baton_shared::routing::{self, route, QueueLoad, RouteDecision};
use std::collections::BTreeMap;

impl Conversation {
    /// Route a pending escalation. `Ok(true)` when there is nothing left to do.
    pub(super) async fn route_pending(&self) -> std::result::Result<bool, AppError> {
        let site = self.load().await?.site;
        let config = self.config(&site).await?;
        // Site ids are letters, digits and dashes: nothing to escape.
        let path = format!("/loads?site={site}");
        let mut resp =
            durable::call_router::<()>(&self.env, &site, Method::Get, &path, None).await?;
        if resp.status_code() >= 300 {
            return Err(AppError::Internal(format!(
                "router loads answered {}",
                resp.status_code()
            )));
        }
        let raw: BTreeMap<String, QueueLoad> = crate::json::parse(&resp.text().await?)?;
        let loads: BTreeMap<baton_shared::QueueId, QueueLoad> =
            order::map_from(raw.into_iter().map(|(k, v)| (k.into(), v)));
        let now = crate::clock::local_now(&config.site.time_zone);
        // Fresh state after the outside calls; nothing awaits between here and the commit.
        let meta = self.load().await?;
        if !meta.route_pending || meta.state.status != Status::Escalating {
            return Ok(true);
        }
        let mut change = Change::new(meta, true);
        change.meta.route_pending = false;
        let Some(escalation) = change.meta.state.escalation.clone() else {
            return Ok(true);
        };
        let category = effects::routed_category(&change.meta, &escalation);
        let templates = config.templates(&change.meta.locale);
        let decision = route(&config, &category, change.meta.priority, &now, &loads);
        let queue_id = decision.queue().clone();
        let queue_name = config
            .queue(queue_id.as_str())
            .map(|q| q.name.clone())
            .unwrap_or_else(|| "support team".into());
        change.meta.queue_name = Some(queue_name.clone());
        let topic = change.topic();
        let effects =
            match &decision {
                RouteDecision::Queue { .. }
                | RouteDecision::OutOfHours {
                    behaviour: OutOfHours::QueueWithEstimate,
                    ..
                } => {
                    let load = loads.get(&queue_id).copied().unwrap_or_default();
                    let position = load.waiting + 1;
                    let seconds = routing::wait_seconds(
                        f64::from(load.seconds_per_place),
                        position,
                        load.agents_online,
                    );
                    let wait =
                        match &decision {
                            RouteDecision::OutOfHours {
                                expected_phrase, ..
                            } => format!(
                        "The team is offline now and back {}; you'll keep your place in line.",
                        expected_phrase.as_deref().unwrap_or("soon").trim_start_matches("by ")
                    ),
                            _ => render(
                                &templates.wait,
                                &[
                                    ("position", &position.to_string()),
                                    ("time", &routing::wait_minutes(seconds).to_string()),
                                ],
                            ),
                        };
                    let message = render(
                        &templates.transition,
                        &[("topic", &topic), ("queue", &queue_name), ("wait", &wait)],
                    );
                    change.say(Author::System, message, None);
                    change.meta.state.apply(Event::Routed {
                        queue: queue_id.clone(),
                    })?
                }
                RouteDecision::OutOfHours {
                    behaviour,
                    expected_phrase,
                    ..
                } => {
                    let ticket = follow_up::ticket_ref(&change.meta.id);
                    let when = expected_phrase
                        .clone()
                        .unwrap_or_else(|| "as soon as we're back".into());
                    change.meta.ticket = Some(ticket.clone());
                    change.meta.expected = Some(when.clone());
                    change.meta.state.queue = Some(queue_id.clone());
                    let template = if *behaviour == OutOfHours::Callback {
                        &templates.callback
                    } else {
                        &templates.out_of_hours
                    };
                    let message = render(
                        template,
                        &[
                            ("topic", &topic),
                            ("queue", &queue_name),
                            ("ticket", &ticket),
                            ("time", &when),
                        ],
                    );
                    change.say(Author::System, message, None);
                    change.need_contact(
                        if *behaviour == OutOfHours::Callback {
                            follow_up::ContactKind::Phone
                        } else {
                            follow_up::ContactKind::Email
                        },
                        &templates,
                    );
                    change.meta.state.apply(Event::RoutedAsync { ticket })?
                }
            };
        if let RouteDecision::Queue {
            overflowed_from: Some(from),
            ..
        } = &decision
        {
            change.metric("overflowed", None);
            worker::console_log!(
                "conversation {} overflowed from {from} to {queue_id}",
                change.meta.id
            );
        }
        self.carry_out(&mut change, &config, effects, "")?;
        let notices = notify::escalation_entries(&config, &change.meta, now_ms());
        change.outbox.extend(notices);
        if config.handoff.connector != baton_shared::config::Connector::Builtin {
            change
                .outbox
                .push(delivery::helpdesk_entry(&config, now_ms()));
        }
        self.commit_only(change).await?;
        Ok(true)
    }
}
