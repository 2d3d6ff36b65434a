//! The customer's side of a conversation: start, messages (with trigger evaluation), CSAT
//! and erasure.

use super::*;
use baton_shared::trigger::HardTriggers;

/// Largest page context a widget may store (JSON bytes); the capture is clipped far below it.
const MAX_PAGE_BYTES: usize = 16 * 1024;

impl Conversation {
    pub(super) async fn init(&self, init: InitRequest) -> std::result::Result<Response, AppError> {
        if durable::store::get::<Meta>(&self.state.storage(), "meta")
            .await?
            .is_none()
        {
            let meta = Meta {
                id: init.id,
                site: init.site,
                locale: init.locale,
                created_at: now_ms(),
                page: init.page,
                user: init.user,
                state: ConversationState::default(),
                last_seq: 0,
                topic: None,
                queue_name: None,
                last_intent: None,
                ai_answers: 0,
                ai_misses: 0,
                reason: None,
                enqueued_at: None,
                agent_name: None,
                recent_client_ids: Vec::new(),
                csat: None,
                recent_message_times: Vec::new(),
                segment: None,
                last_message: None,
                signals: Default::default(),
                decisions: Vec::new(),
                priority: Default::default(),
                route_pending: false,
                ticket: None,
                expected: None,
                first_messages: Vec::new(),
                resolution_counted: false,
                delivery_failed: None,
                last_ai_answer: None,
                ai_pending: Vec::new(),
                first_agent_at: None,
                transferred_by: None,
                transfers: Vec::new(),
                helpdesk: None,
                awaiting_contact: None,
                contact_asks: 0,
                contact: None,
            };
            durable::store::put(&self.state.storage(), "meta", &meta).await?;
            let body = json!({ "events": [{ "name": "conversation_started" }] });
            durable::call_router(&self.env, &meta.site, Method::Post, "/metrics", Some(&body))
                .await?;
        }
        Ok(Response::empty()?.with_status(204))
    }

    /// Store the customer's rating of a conversation a human handled.
    pub(super) async fn csat(&self, body: CsatBody) -> std::result::Result<Response, AppError> {
        if !(1..=5).contains(&body.score) {
            return Err(AppError::bad_field(
                "score",
                "score is a whole number from 1 to 5",
            ));
        }
        let comment = body.comment.unwrap_or_default().trim().to_owned();
        if comment.chars().count() > 1000 {
            return Err(AppError::bad_field(
                "comment",
                "comments are at most 1000 characters",
            ));
        }
        let mut meta = self.load().await?;
        if meta.state.escalation.is_none() {
            return Err(AppError::BadRequest {
                code: "no_handoff",
                message:
                    "ratings are for conversations a person handled; this one never left the AI"
                        .into(),
                field: None,
            });
        }
        if let Some(given) = &meta.csat {
            // One rating per conversation (the widget asks once), so the metrics count each once.
            return Err(AppError::BadRequest {
                code: "already_rated",
                message: format!(
                    "this conversation was already rated ({} of 5); a conversation is rated once",
                    given.score
                ),
                field: None,
            });
        }
        let metric = json!({ "events": [{
            "name": "csat", "value": body.score, "segment": meta.segment,
            "trigger": meta.state.escalation.as_ref().map(|e| e.trigger.to_string()),
        }] });
        meta.csat = Some(Csat {
            score: body.score,
            comment,
            at: now_ms(),
        });
        durable::store::put(&self.state.storage(), "meta", &meta).await?;
        durable::call_router(
            &self.env,
            &meta.site,
            Method::Post,
            "/metrics",
            Some(&metric),
        )
        .await?;
        Ok(Response::from_json(&json!({ "ok": true }))?)
    }

    /// Replace the stored page context with the widget's newest capture (route changes, clicks).
    pub(super) async fn update_page(&self, page: Value) -> std::result::Result<(), AppError> {
        if !page.is_object() {
            return Err(AppError::bad_field(
                "page",
                "page context must be a JSON object",
            ));
        }
        if page.to_string().len() > MAX_PAGE_BYTES {
            return Err(AppError::bad_field(
                "page",
                format!("page context is at most {MAX_PAGE_BYTES} bytes of JSON"),
            ));
        }
        let mut meta = self.load().await?;
        meta.page = page;
        durable::store::put(&self.state.storage(), "meta", &meta).await?;
        Ok(())
    }

    /// Delete everything this conversation holds (the customer's right to erasure).
    pub(super) async fn erase(&self) -> std::result::Result<Response, AppError> {
        let meta = self.load().await?;
        for ws in self.state.get_websockets() {
            let _ = ws.close(Some(1000), Some("conversation deleted"));
        }
        self.state.storage().delete_all().await?;
        let body = json!({ "id": meta.id });
        durable::call_router(&self.env, &meta.site, Method::Post, "/remove", Some(&body)).await?;
        Ok(Response::empty()?.with_status(204))
    }

    pub(super) async fn customer_message(
        &self,
        text: String,
        client_id: Option<String>,
    ) -> std::result::Result<(), AppError> {
        let text = text.trim().to_owned();
        if text.is_empty() {
            return Err(AppError::bad_field("text", "the message is empty"));
        }
        if text.chars().count() > MAX_TEXT {
            return Err(AppError::bad_field(
                "text",
                format!("messages are at most {MAX_TEXT} characters"),
            ));
        }
        // Config first (KV is outside I/O, during which other events may run); then the state,
        // with no outside I/O between reading it and committing the change.
        let config = self.config(&self.load().await?.site).await?;
        let meta = self.load().await?;
        if let Some(id) = &client_id {
            if meta.recent_client_ids.contains(id) {
                return Ok(()); // a resend of something already stored
            }
        }
        let mut meta = meta;
        let limit = crate::limits::Limit::from_env(
            &self.env,
            "RATE_LIMIT_MESSAGES",
            crate::limits::MESSAGES,
        );
        if let Some(secs) = crate::limits::over(&mut meta.recent_message_times, now_ms(), limit) {
            return Err(AppError::RateLimited(secs));
        }
        let mut change = Change::new(meta, false);
        if let Some(id) = client_id.clone() {
            let ids = &mut change.meta.recent_client_ids;
            ids.push(id);
            if ids.len() > CLIENT_IDS_KEPT {
                ids.remove(0);
            }
        }
        change.push(EventBody::Message {
            author: Author::Customer,
            text: text.clone(),
            name: None,
            client_id,
        });

        let status_before = change.meta.state.status;
        let sentiment = change.meta.signals.observe_customer(&text);
        let hard = HardTriggers::from_config(&config.triggers);
        let mut escalation = None;
        if change.meta.state.status == Status::AiMode {
            let d = decide(&change.meta, &config, &hard, &text, sentiment, false);
            escalation = change.record(d);
        }
        let effects = change
            .meta
            .state
            .apply(Event::CustomerMessage { escalation })?;
        self.carry_out(&mut change, &config, effects, &text)?;
        helpdesk::queue_follow_up(&mut change, &config, status_before, &text);
        if change.meta.state.status == Status::Async {
            change.take_contact(&text, &config.templates(&change.meta.locale));
        }
        // The AI has answered: now the soft signals can decide.
        ask::soft_check(self, &mut change, &config, &hard, &text, sentiment)?;
        if change.meta.state.status.is_human() {
            change.router_dirty = true;
        }
        self.commit(change).await
    }
}

/// One evaluation of this conversation's turn with the shared decision core.
pub(super) fn decide(
    meta: &Meta,
    config: &SiteConfig,
    hard: &HardTriggers,
    text: &str,
    sentiment: f64,
    soft: bool,
) -> baton_shared::decision::Decision {
    baton_shared::decision::evaluate(&baton_shared::decision::TurnInput {
        config,
        hard,
        text,
        locale: &meta.locale,
        user: &meta.user,
        conversation_id: &meta.id,
        signals: &meta.signals,
        sentiment,
        intent: meta.last_intent.as_ref(),
        soft,
    })
}
