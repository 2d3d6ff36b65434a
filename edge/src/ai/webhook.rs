//! The `webhook` responder: the site's own bot gets the conversation by POST (signed the
//! Standard Webhooks way when the config names a secret) and answers `{answer, confidence}`.

use super::{AiError, Question, Responder};
use crate::connector;
use baton_shared::config::EndpointSettings;
use baton_shared::knowledge::AiAnswer;
use baton_shared::responder::{parse_structured, webhook_body};
use worker::Env;

/// The site's own bot.
#[derive(Debug)]
pub struct Webhook<'a> {
    pub(super) env: &'a Env,
    pub(super) settings: &'a EndpointSettings,
}

impl Responder for Webhook<'_> {
    async fn answer(&self, q: &Question<'_>) -> Result<AiAnswer, AiError> {
        let s = self.settings;
        let body = webhook_body(q.conversation_id, q.history, q.text).to_string();
        let headers: Vec<(&str, String)> = if s.secret_name.is_empty() {
            Vec::new()
        } else {
            let secret = crate::secrets::lookup(self.env, &s.secret_name)
                .ok_or_else(|| AiError::MissingSecret(s.secret_name.clone()))?;
            // One id per customer message: a receiver can tell a retry from a new question.
            let id = format!("{}-ai-{}", q.conversation_id, q.seq);
            connector::signature_headers(&secret, &id, crate::durable::now_ms(), &body).into()
        };
        let reply = connector::post(&s.url, &headers, &body, u64::from(s.timeout_ms)).await?;
        if !(200..300).contains(&reply.status) {
            return Err(AiError::status(reply.status, &reply.body));
        }
        Ok(parse_structured(&reply.body)?)
    }
}
