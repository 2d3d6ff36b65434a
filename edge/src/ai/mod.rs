//! The AI responder: answers the customer before a human takes over, with a confidence.
//! One trait, three providers: `knowledge_base` (embedded default), `openai_compatible`, `webhook`.

mod openai;
mod webhook;

use baton_shared::config::{AiProvider, AiSection};
use baton_shared::knowledge::AiAnswer;
use baton_shared::responder::{ParseError, Turn};
use worker::Env;

pub use openai::OpenAiCompatible;
pub use webhook::Webhook;

/// What a responder is asked.
#[derive(Debug)]
pub struct Question<'a> {
    /// The conversation, for the site's own bot and for signing.
    pub conversation_id: &'a str,
    /// Sequence number of the customer's message (makes each webhook call's id unique).
    pub seq: u64,
    /// The site's display name, for the model's instructions.
    pub site_name: &'a str,
    /// Earlier customer and AI turns, oldest first.
    pub history: &'a [Turn],
    /// The customer's message to answer.
    pub text: &'a str,
}

/// Why a responder gave no usable answer. The customer is told honestly, and the turn counts
/// as a failed AI attempt for the soft triggers.
#[derive(Debug, thiserror::Error)]
pub enum AiError {
    /// The config names a secret that is not set.
    #[error("Worker secret {0} is not set (wrangler secret put {0})")]
    MissingSecret(String),
    /// The call failed or timed out.
    #[error(transparent)]
    Fetch(#[from] crate::connector::FetchError),
    /// The provider answered with an error status.
    #[error("answered HTTP {status}: {body}")]
    Status {
        /// HTTP status.
        status: u16,
        /// The start of the body, for the log.
        body: String,
    },
    /// The answer could not be read.
    #[error(transparent)]
    Malformed(#[from] ParseError),
    /// The config lacks the provider's settings (validation refuses this; kept for old configs).
    #[error("ai.{0} is not configured")]
    NotConfigured(&'static str),
}

impl AiError {
    /// A non-2xx answer, with a bounded excerpt of its body.
    fn status(status: u16, body: &str) -> Self {
        Self::Status {
            status,
            body: body.chars().take(200).collect(),
        }
    }
}

/// Anything that can answer a customer.
pub trait Responder {
    /// Answer the customer's latest message. The caller applies the confidence floor.
    async fn answer(&self, question: &Question<'_>) -> Result<AiAnswer, AiError>;
}

/// Retrieval over the config's FAQ (no IO).
#[derive(Debug)]
pub struct KnowledgeBase<'a>(pub &'a AiSection);

impl Responder for KnowledgeBase<'_> {
    async fn answer(&self, question: &Question<'_>) -> Result<AiAnswer, AiError> {
        Ok(knowledge_base(self.0, question.text))
    }
}

/// The knowledge base's answer, synchronously: it needs no IO, so it answers within the
/// customer's own change.
pub fn knowledge_base(ai: &AiSection, text: &str) -> AiAnswer {
    baton_shared::knowledge::answer(ai, text)
}

/// The responder a site's config chooses.
#[derive(Debug)]
pub enum SiteResponder<'a> {
    /// `knowledge_base`.
    KnowledgeBase(KnowledgeBase<'a>),
    /// `openai_compatible`.
    OpenAi(OpenAiCompatible<'a>),
    /// `webhook`.
    Webhook(Webhook<'a>),
}

impl<'a> SiteResponder<'a> {
    /// The configured provider, or the error a half-configured one gets.
    pub fn for_site(env: &'a Env, ai: &'a AiSection) -> Result<Self, AiError> {
        Ok(match ai.provider {
            AiProvider::KnowledgeBase => Self::KnowledgeBase(KnowledgeBase(ai)),
            AiProvider::OpenaiCompatible => Self::OpenAi(OpenAiCompatible {
                env,
                settings: ai.openai.as_ref().ok_or(AiError::NotConfigured("openai"))?,
                faq: &ai.faq,
            }),
            AiProvider::Webhook => Self::Webhook(Webhook {
                env,
                settings: ai
                    .webhook
                    .as_ref()
                    .ok_or(AiError::NotConfigured("webhook"))?,
            }),
        })
    }
}

/// Whether the provider answers over the network (and so outside the customer's change).
pub fn is_remote(ai: &AiSection) -> bool {
    ai.provider != AiProvider::KnowledgeBase
}

impl Responder for SiteResponder<'_> {
    async fn answer(&self, question: &Question<'_>) -> Result<AiAnswer, AiError> {
        match self {
            Self::KnowledgeBase(r) => r.answer(question).await,
            Self::OpenAi(r) => r.answer(question).await,
            Self::Webhook(r) => r.answer(question).await,
        }
    }
}
