//! The agents' side of a conversation: claim, reply, resolve, transfer to another queue, and
//! queue updates from the router.

use super::*;

/// How an agent comes to act on a conversation someone else may have.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Claim {
    /// Their own action: a conversation another agent has is refused.
    Own,
    /// They asked to take it over from whoever has it.
    TakeOver,
    /// The router assigned it: only while it waits, never from an agent who has it.
    Assigned,
}

impl Conversation {
    pub(super) async fn agent_action(
        &self,
        action: &str,
        agent: String,
        text: Option<String>,
        how: Claim,
    ) -> std::result::Result<(), AppError> {
        let config = self.config(&self.load().await?.site).await?;
        let meta = self.load().await?;
        let mut change = Change::new(meta, true);
        let status = change.meta.state.status;
        let waiting = matches!(status, Status::Queued | Status::Reopened);
        let someone_else = status == Status::WithAgent
            && change.meta.agent_name.as_deref() != Some(agent.as_str());
        if how == Claim::Assigned && !waiting {
            // Claimed (or resolved) since the router looked: the commit's inbox copy tells the
            // router who really has it, so its count of the agent's load is put right.
            return self.commit(change).await;
        }
        if someone_else && how == Claim::Own && action != "/resolve" {
            let owner = change.meta.agent_name.clone().unwrap_or_default();
            return Err(AppError::Taken(owner));
        }
        let needs_claim = waiting || someone_else;
        if needs_claim && action != "/resolve" {
            let effects = change.meta.state.apply(Event::AgentClaimed {
                agent: agent.as_str().into(),
            })?;
            change.meta.agent_name = Some(agent.clone());
            change.meta.transferred_by = None;
            change.meta.first_agent_at.get_or_insert_with(now_ms);
            self.carry_out(&mut change, &config, effects, "")?;
        }
        match action {
            "/reply" => {
                let text = text.unwrap_or_default().trim().to_owned();
                if text.is_empty() {
                    return Err(AppError::bad_field("text", "the reply is empty"));
                }
                if text.chars().count() > MAX_TEXT {
                    return Err(AppError::bad_field(
                        "text",
                        format!("replies are at most {MAX_TEXT} characters"),
                    ));
                }
                if !change.meta.state.status.is_human() {
                    return Err(AppError::BadRequest {
                        code: "not_with_agent",
                        message: "this conversation is not with a human: claim it first".into(),
                        field: None,
                    });
                }
                change.say(Author::Agent, text, Some(agent));
            }
            "/resolve" => {
                if change.meta.agent_name.is_none() {
                    change.meta.agent_name = Some(agent);
                }
                let effects = change.meta.state.apply(Event::Resolved)?;
                self.carry_out(&mut change, &config, effects, "")?;
            }
            _ => {}
        }
        self.commit(change).await
    }

    /// Move a waiting or claimed conversation to another of the site's queues. The agent lets
    /// go, the customer is told who takes over, and the router queues it by the new queue's
    /// skills (keeping its priority and its place by original wait).
    pub(super) async fn transfer(
        &self,
        agent: String,
        queue: String,
    ) -> std::result::Result<(), AppError> {
        let config = self.config(&self.load().await?.site).await?;
        let meta = self.load().await?;
        let Some(target) = config.queue(&queue) else {
            let known: Vec<&str> = config
                .routing
                .queues
                .iter()
                .map(|q| q.id.as_str())
                .collect();
            return Err(AppError::bad_field(
                "queue",
                format!(
                    "this site has no queue `{queue}`; use one of: {}",
                    known.join(", ")
                ),
            ));
        };
        let waiting_there = matches!(meta.state.status, Status::Queued | Status::Reopened)
            && meta.state.queue.as_ref().map(|q| q.as_str()) == Some(queue.as_str());
        if waiting_there {
            return Err(AppError::BadRequest {
                code: "same_queue",
                message: format!(
                    "the conversation is already waiting for the {}",
                    target.name
                ),
                field: Some("queue"),
            });
        }
        let mut change = Change::new(meta, true);
        let effects = change.meta.state.apply(Event::Transferred {
            queue: target.id.clone(),
        })?;
        let from = change.meta.queue_name.replace(target.name.clone());
        change.meta.agent_name = None;
        change.meta.transferred_by = Some(agent.clone());
        change.meta.transfers.push(Transfer {
            from,
            to: target.name.clone(),
            agent,
            at: now_ms(),
        });
        self.carry_out(&mut change, &config, effects, "")?;
        let templates = config.templates(&change.meta.locale);
        let topic = change.topic();
        change.say(
            Author::System,
            render(
                &templates.transferred,
                &[("queue", &target.name), ("topic", &topic)],
            ),
            None,
        );
        self.commit(change).await
    }

    /// The router's latest queue position and wait estimate, pushed to the customer.
    pub(super) async fn queue_position(&self, body: &Value) -> std::result::Result<(), AppError> {
        let meta = self.load().await?;
        if !matches!(meta.state.status, Status::Queued | Status::Reopened) {
            return Ok(());
        }
        let mut change = Change::new(meta, false);
        let status = change.meta.state.status;
        change.meta.last_seq += 1;
        change.events.push(LiveEvent {
            seq: change.meta.last_seq,
            at: now_ms(),
            body: EventBody::Status {
                status,
                topic: change.meta.topic.clone(),
                queue: change.meta.queue_name.clone(),
                agent: None,
                position: body["position"].as_u64().map(|p| p as u32),
                wait_seconds: body["wait_seconds"].as_u64().map(|w| w as u32),
                ticket: None,
                expected_by: None,
            },
        });
        self.commit(change).await
    }
}
