//! The live channel and reads: hibernatable WebSockets with an exact backlog, and snapshots.

use super::*;

impl Conversation {
    /// Accept a WebSocket (hibernatable) and replay what the client has not seen.
    pub(super) async fn accept_live(
        &self,
        req: &Request,
    ) -> std::result::Result<Response, AppError> {
        let role = crate::routes::query(req, "role").unwrap_or_else(|| "customer".into());
        let since: u64 = crate::routes::query(req, "since")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        self.load().await?;
        // Read the backlog first; from here to `accept` nothing awaits, so no commit can slip
        // between the backlog and the live broadcast: the client sees each event exactly once.
        let backlog = self.events_since(since).await?;
        let pair = WebSocketPair::new()?;
        self.state
            .accept_websocket_with_tags(&pair.server, &[role.as_str()]);
        pair.server.serialize_attachment(Peer {
            role,
            name: crate::routes::query(req, "name").unwrap_or_default(),
        })?;
        for event in &backlog {
            pair.server.send_with_str(crate::json::text(event)?)?;
        }
        Ok(Response::from_websocket(pair.client)?)
    }

    pub(super) async fn snapshot(&self) -> std::result::Result<Response, AppError> {
        let meta = self.load().await?;
        let events = self.events_since(0).await?;
        Ok(Response::from_json(&json!({
            "id": meta.id,
            "site": meta.site,
            "status": meta.state.status,
            "escalation": meta.state.escalation,
            "queue": meta.queue_name,
            "queue_id": meta.state.queue,
            "transfers": meta.transfers,
            "topic": meta.topic,
            "reason": meta.reason,
            "agent": meta.agent_name,
            "page": meta.page,
            "page_context": baton_shared::context::PageContext::from_value(&meta.page),
            "user": meta.user,
            "summary": summary(&meta),
            "csat": meta.csat,
            "priority": meta.priority,
            "segment": meta.segment,
            "ticket": meta.ticket,
            "expected": meta.expected,
            "contact": meta.contact,
            "awaiting_contact": meta.awaiting_contact,
            "decisions": meta.decisions,
            "delivery_failed": meta.delivery_failed,
            "helpdesk": meta.helpdesk.as_ref().map(|l| json!({
                "vendor": l.vendor, "ticket_id": l.ticket_id, "label": l.label(),
            })),
            "notices": self.notice_records().await?,
            "events": events,
        }))?)
    }

    pub(super) async fn events_since(
        &self,
        since: u64,
    ) -> std::result::Result<Vec<LiveEvent>, AppError> {
        let start = format!("e:{:012}", since + 1);
        durable::store::list(
            &self.state.storage(),
            ListOptions::new().start(&start).prefix("e:"),
        )
        .await
    }
}
