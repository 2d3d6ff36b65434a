//! The worker's one error type and how each case reads to an API client.
//! Internal details are logged, never returned.

use baton_shared::conversation::TransitionError;
use serde_json::json;
use worker::Response;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is malformed; `field` names the offending part when known.
    #[error("{message}")]
    BadRequest {
        /// Stable machine-readable code.
        code: &'static str,
        /// What is wrong and how to fix it.
        message: String,
        /// JSON field at fault.
        field: Option<&'static str>,
    },
    /// Missing or wrong credentials.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// Origin or token not allowed here.
    #[error("{0}")]
    Forbidden(String),
    /// No such site, conversation or route.
    #[error("{0}")]
    NotFound(String),
    /// The action does not fit the conversation's state.
    #[error(transparent)]
    Conflict(#[from] TransitionError),
    /// A site config was refused; every problem is listed.
    #[error("the config has {} problem(s)", .0.len())]
    InvalidConfig(Vec<String>),
    /// Another agent has the conversation; `take_over` takes it from them.
    #[error("{0} has this conversation: send \"take_over\": true to take it over")]
    Taken(String),
    /// Too many requests; try again after this many seconds.
    #[error("too many requests: try again in {0} s")]
    RateLimited(u32),
    /// A bug or a platform failure.
    #[error("internal: {0}")]
    Internal(String),
}

impl From<worker::Error> for AppError {
    fn from(e: worker::Error) -> Self {
        Self::Internal(e.to_string())
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        Self::Internal(format!("json: {e}"))
    }
}

impl From<worker::KvError> for AppError {
    fn from(e: worker::KvError) -> Self {
        Self::Internal(format!("kv: {e:?}"))
    }
}

impl AppError {
    /// A bad request about one JSON field.
    pub fn bad_field(field: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest {
            code: "invalid_request",
            message: message.into(),
            field: Some(field),
        }
    }

    /// The HTTP response for this error.
    pub fn into_response(self) -> worker::Result<Response> {
        let (status, code, field, details) = match &self {
            Self::BadRequest { code, field, .. } => (400, *code, *field, None),
            Self::Unauthorized(_) => (401, "unauthorized", None, None),
            Self::Forbidden(_) => (403, "forbidden", None, None),
            Self::NotFound(_) => (404, "not_found", None, None),
            Self::Conflict(_) => (409, "conflict", None, None),
            Self::Taken(_) => (409, "claimed_by_other", None, None),
            Self::InvalidConfig(list) => (422, "invalid_config", None, Some(list.clone())),
            Self::RateLimited(_) => (429, "rate_limited", None, None),
            Self::Internal(detail) => {
                worker::console_error!("internal error: {detail}");
                (500, "internal", None, None)
            }
        };
        let message = match &self {
            Self::Internal(_) => "something went wrong on our side; try again".to_owned(),
            other => other.to_string(),
        };
        let mut error = json!({ "code": code, "message": message });
        if let Some(field) = field {
            error["field"] = json!(field);
        }
        if let Some(details) = details {
            error["details"] = json!(details);
        }
        let resp = Response::from_json(&json!({ "error": error }))?.with_status(status);
        if let Self::RateLimited(secs) = self {
            let headers = worker::Headers::new();
            headers.set("Content-Type", "application/json")?;
            headers.set("Retry-After", &secs.to_string())?;
            return Ok(resp.with_headers(headers));
        }
        Ok(resp)
    }
}

/// Turn a handler's typed result into a response.
pub fn respond(result: Result<Response, AppError>) -> worker::Result<Response> {
    result.or_else(AppError::into_response)
}
