//! The site's helpdesk links: which conversation a vendor's ticket belongs to, for inbound
//! webhooks (the helpdesks' rate budgets are `budget.rs`'s, like every vendor's).

use super::*;

fn link_key(vendor: &str, ticket: &str) -> String {
    format!("hl:{vendor}:{ticket}")
}

impl SiteRouter {
    /// The helpdesk routes (`/helpdesk/...`).
    pub(super) async fn helpdesk(
        &self,
        method: Method,
        path: &str,
        req: &mut Request,
    ) -> std::result::Result<Response, AppError> {
        match (method, path) {
            // `{"vendor", "ticket", "conversation"}`: a ticket Baton created for a conversation.
            (Method::Post, "/helpdesk/link") => {
                let body: serde_json::Value = crate::routes::json_body(req, "JSON").await?;
                let s = |k: &str| body[k].as_str().unwrap_or_default();
                if s("ticket").is_empty() || s("conversation").is_empty() {
                    return Err(AppError::bad_field(
                        "ticket",
                        "ticket and conversation are required",
                    ));
                }
                durable::store::put(
                    &self.state.storage(),
                    &link_key(s("vendor"), s("ticket")),
                    &s("conversation").to_owned(),
                )
                .await?;
                Ok(Response::empty()?.with_status(204))
            }
            (Method::Get, "/helpdesk/link") => {
                let key = link_key(
                    &crate::routes::query(req, "vendor").unwrap_or_default(),
                    &crate::routes::query(req, "ticket").unwrap_or_default(),
                );
                match durable::store::get::<String>(&self.state.storage(), &key).await? {
                    Some(conversation) => Ok(Response::from_json(
                        &json!({ "conversation": conversation }),
                    )?),
                    None => Err(AppError::NotFound("no conversation for that ticket".into())),
                }
            }
            (m, p) => Err(AppError::NotFound(format!("router has no {m} {p}"))),
        }
    }
}
