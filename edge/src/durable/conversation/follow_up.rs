//! When the live path fails the customer: the queue's wait limit passes (a ticket instead), the
//! agent's inbox goes quiet (back in the queue), and the phone number or email a follow-up needs.

use super::*;
use baton_shared::config::MessageTemplates;
use baton_shared::redact::{first_email, first_phone};
use baton_shared::routing::{follow_up_by, when_phrase};

/// What a promised follow-up still needs from the customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum ContactKind {
    /// A callback: a phone number.
    Phone,
    /// An answer by email, when the host page did not identify the customer.
    Email,
}

/// Times the customer is asked for a missing phone number or email before Baton stops asking.
const MAX_CONTACT_ASKS: u8 = 2;

/// The reference a ticket made by Baton itself carries (`BT-` and the id's first 8 characters).
pub(super) fn ticket_ref(id: &str) -> String {
    format!(
        "BT-{}",
        id.chars().take(8).collect::<String>().to_uppercase()
    )
}

impl Change {
    /// A follow-up was promised: ask for what it needs if the customer has not given it.
    pub(super) fn need_contact(&mut self, kind: ContactKind, templates: &MessageTemplates) {
        let known = match kind {
            ContactKind::Phone => self.meta.contact.is_some(),
            ContactKind::Email => {
                self.meta.contact.is_some()
                    || self.meta.user["email"]
                        .as_str()
                        .is_some_and(|e| !e.is_empty())
            }
        };
        if known {
            return;
        }
        self.meta.awaiting_contact = Some(kind);
        self.meta.contact_asks = 1;
        // The callback template already asks for a number; only email needs its own question.
        if kind == ContactKind::Email {
            self.say(Author::System, templates.ask_email.clone(), None);
        }
    }

    /// The customer wrote while a follow-up waits for their phone number or email: keep it if
    /// the message holds one, or ask again (twice at most).
    pub(super) fn take_contact(&mut self, text: &str, templates: &MessageTemplates) {
        let Some(kind) = self.meta.awaiting_contact else {
            return;
        };
        let found = match kind {
            ContactKind::Phone => first_phone(text),
            ContactKind::Email => first_email(text),
        };
        match found {
            Some(value) => {
                self.meta.awaiting_contact = None;
                self.meta.contact = Some(value.clone());
                self.router_dirty = true;
                self.say(
                    Author::System,
                    render(&templates.contact_saved, &[("contact", &value)]),
                    None,
                );
            }
            None if self.meta.contact_asks < MAX_CONTACT_ASKS => {
                self.meta.contact_asks += 1;
                let ask = match kind {
                    ContactKind::Phone => &templates.ask_phone,
                    ContactKind::Email => &templates.ask_email,
                };
                self.say(Author::System, ask.clone(), None);
            }
            None => {}
        }
    }
}

impl Conversation {
    /// `POST /timeout` from the router: nobody took the conversation within its priority's
    /// wait limit, so it becomes a ticket with a concrete time for the answer.
    pub(super) async fn queue_timeout(&self) -> std::result::Result<(), AppError> {
        let config = self.config(&self.load().await?.site).await?;
        let now = crate::clock::local_now(&config.site.time_zone);
        let meta = self.load().await?;
        if !matches!(meta.state.status, Status::Queued | Status::Reopened) {
            return Ok(()); // taken (or resolved) since the router looked
        }
        let mut change = Change::new(meta, true);
        let ticket = change
            .meta
            .ticket
            .clone()
            .unwrap_or_else(|| ticket_ref(&change.meta.id));
        let when = follow_up_by(&config, &now, change.meta.priority)
            .map(|at| when_phrase(&now, &at))
            .unwrap_or_else(|| "as soon as someone is free".into());
        change.meta.ticket = Some(ticket.clone());
        change.meta.expected = Some(when.clone());
        let templates = config.templates(&change.meta.locale);
        let topic = change.topic();
        let queue = change
            .meta
            .queue_name
            .clone()
            .unwrap_or_else(|| "support team".into());
        let effects = change.meta.state.apply(Event::QueueTimeout {
            ticket: ticket.clone(),
        })?;
        change.say(
            Author::System,
            render(
                &templates.queue_timeout,
                &[
                    ("topic", &topic),
                    ("queue", &queue),
                    ("ticket", &ticket),
                    ("time", &when),
                ],
            ),
            None,
        );
        self.carry_out(&mut change, &config, effects, "")?;
        change.need_contact(ContactKind::Email, &templates);
        self.commit(change).await
    }

    /// `POST /release` from the router: `agent`'s inbox stopped answering while they had this
    /// conversation, so it goes back to its queue (and to the next free agent).
    pub(super) async fn release(&self, agent: &str) -> std::result::Result<(), AppError> {
        let config = self.config(&self.load().await?.site).await?;
        let meta = self.load().await?;
        if meta.state.status != Status::WithAgent || meta.agent_name.as_deref() != Some(agent) {
            return Ok(()); // someone else has it now, or it is over
        }
        let mut change = Change::new(meta, true);
        let templates = config.templates(&change.meta.locale);
        let queue = change
            .meta
            .queue_name
            .clone()
            .unwrap_or_else(|| "support team".into());
        let effects = change.meta.state.apply(Event::AgentReleased)?;
        change.meta.agent_name = None;
        change.say(
            Author::System,
            render(
                &templates.agent_away,
                &[("agent", agent), ("queue", &queue)],
            ),
            None,
        );
        self.carry_out(&mut change, &config, effects, "")?;
        self.commit(change).await
    }
}
