//! The `openai_compatible` responder: `POST {base_url}/chat/completions` in JSON mode, with the
//! key from the Worker secret the config names; the answer's content is the JSON we asked for.

use super::{AiError, Question, Responder};
use crate::connector;
use baton_shared::config::{FaqEntry, OpenAiSettings};
use baton_shared::knowledge::AiAnswer;
use baton_shared::responder::{openai_body, parse_openai};
use worker::Env;

/// An OpenAI-compatible chat completions endpoint.
#[derive(Debug)]
pub struct OpenAiCompatible<'a> {
    pub(super) env: &'a Env,
    pub(super) settings: &'a OpenAiSettings,
    pub(super) faq: &'a [FaqEntry],
}

/// `{base}/chat/completions`, whether or not the base ends in a slash.
pub fn completions_url(base_url: &str) -> String {
    format!("{}/chat/completions", base_url.trim_end_matches('/'))
}

impl Responder for OpenAiCompatible<'_> {
    async fn answer(&self, q: &Question<'_>) -> Result<AiAnswer, AiError> {
        let s = self.settings;
        let key = crate::secrets::lookup(self.env, &s.api_key_secret)
            .ok_or_else(|| AiError::MissingSecret(s.api_key_secret.clone()))?;
        let body = openai_body(&s.model, q.site_name, self.faq, q.history, q.text).to_string();
        let headers = [("Authorization", format!("Bearer {key}"))];
        let reply = connector::post(
            &completions_url(&s.base_url),
            &headers,
            &body,
            u64::from(s.timeout_ms),
        )
        .await?;
        if !(200..300).contains(&reply.status) {
            return Err(AiError::status(reply.status, &reply.body));
        }
        Ok(parse_openai(&reply.body)?)
    }
}
