//! The request descriptors Baton's connectors build, written to
//! `tests/fakes/fixtures/descriptors.json` so the Node fake servers can replay them and check
//! each against the vendor's own API description (`tests/e2e/fakes.test.mjs`). This test fails
//! when the file is stale; `BATON_UPDATE_FIXTURES=1 cargo test -p baton-shared --features edge
//! --test connector_descriptors` rewrites it.
#![cfg(feature = "edge")]

use baton_shared::connector::{
    freshdesk::Freshdesk,
    hubspot::Hubspot,
    intercom::Intercom,
    linear::{Linear, LinearAuth},
    slack::Slack,
    zendesk::{Zendesk, ZendeskAuth},
    FieldValue, HttpRequest, Notice, Priority, Requester, Speaker, TicketRequest, TranscriptLine,
};
use serde_json::{json, Value};
use std::path::PathBuf;

/// The fakes' base URL is substituted for this.
const BASE: &str = "http://FAKE";
/// An Intercom contact id the replay replaces with the fake's.
const CONTACT: &str = "000000000000000000000000";

fn ticket(fields: Vec<FieldValue>) -> TicketRequest {
    TicketRequest {
        external_id: "esc:c1:1".into(),
        subject: "Billing dispute: refund not received".into(),
        summary: "Customer was charged twice for order 1042.\nThe AI explained the refund policy; the customer asked for a person.".into(),
        transcript: vec![
            TranscriptLine { speaker: Speaker::Customer, text: "I was charged twice <b>again</b>".into() },
            TranscriptLine { speaker: Speaker::Ai, text: "Refunds take 5 days.".into() },
            TranscriptLine { speaker: Speaker::Customer, text: "I want a human".into() },
        ],
        context: vec![("Page".into(), "https://shop.example/billing".into()), ("Segment".into(), "enterprise".into())],
        priority: Priority::High,
        tags: vec!["baton".into(), "billing".into()],
        fields,
        requester: Requester {
            email: Some("ada@example.com".into()),
            name: Some("Ada Lovelace".into()),
            external_id: Some("u-42".into()),
        },
        conversation_url: Some("http://127.0.0.1:8787/inbox#c1".into()),
    }
}

fn notice() -> Notice {
    Notice {
        key: "esc:c1:1".into(),
        title: "Billing dispute: refund not received".into(),
        summary: "Customer was charged twice & wants a person.".into(),
        priority: Priority::Urgent,
        category: Some("billing".into()),
        segment: Some("enterprise".into()),
        customer: Some("Ada Lovelace <ada@example.com>".into()),
        page_url: Some("https://shop.example/billing".into()),
        link: Some("http://127.0.0.1:8787/inbox#c1".into()),
        ticket_ref: Some("Zendesk #5001".into()),
    }
}

fn entry(vendor: &str, name: &str, r: HttpRequest) -> Value {
    json!({
        "vendor": vendor,
        "name": name,
        "method": r.method.as_str(),
        "path": r.path(),
        "headers": r.headers.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
        "body": r.body,
    })
}

fn descriptors() -> Value {
    let z = Zendesk {
        base_url: BASE.into(),
        auth: ZendeskAuth::ApiToken {
            email: "baton@example.com".into(),
            token: "zd-test-token".into(),
        },
    };
    let zt = ticket(vec![FieldValue {
        name: "360000111".into(),
        value: json!("enterprise"),
    }]);
    let f = Freshdesk {
        base_url: BASE.into(),
        api_key: "fd-test-key".into(),
        escalation_field: Some("cf_escalation_id".into()),
        ticket_type: None,
    };
    let ft = ticket(vec![FieldValue {
        name: "cf_tier".into(),
        value: json!("gold"),
    }]);
    let i = Intercom {
        base_url: BASE.into(),
        token: "ic-test-token".into(),
        admin_id: "991267628".into(),
    };
    let it = ticket(vec![
        FieldValue {
            name: "baton_escalation".into(),
            value: json!("esc:c1:1"),
        },
        FieldValue {
            name: "ai_confidence".into(),
            value: json!(42),
        },
    ]);
    let s = Slack {
        base_url: BASE.into(),
        token: "xoxb-test-token".into(),
        channel: "C123ABC456".into(),
    };
    let l = Linear {
        base_url: BASE.into(),
        auth: LinearAuth::ApiKey("lin_api_test".into()),
        team_id: "9cfb482a-81e3-4154-b5b9-2c805e70a02d".into(),
        label_ids: vec![],
    };
    let h = Hubspot {
        base_url: BASE.into(),
        token: "pat-test-token".into(),
    };
    // Replayed in this order against fresh fakes, whose first ids are: Zendesk user 9001 and
    // ticket 5001, Freshdesk ticket 77 and contact 5001, Intercom conversation 499, HubSpot
    // contact 51.
    json!([
        entry(
            "zendesk",
            "create_or_update_user",
            z.create_or_update_user(&zt.requester).unwrap()
        ),
        entry(
            "zendesk",
            "create_ticket",
            z.create_ticket(&zt, Some("9001")).unwrap()
        ),
        entry("zendesk", "add_note", z.add_note("5001", &zt.note_text())),
        entry(
            "zendesk",
            "search_by_external_id",
            z.search_by_external_id("esc:c1:1")
        ),
        entry(
            "zendesk",
            "customer_follow_up",
            z.customer_follow_up("5001", Some("9001"), "Any news?")
        ),
        entry(
            "zendesk",
            "follow_up_ticket",
            z.follow_up_ticket(
                "5001",
                Some("9001"),
                "Follow-up to #5001: it broke again",
                "It broke again",
                "esc:c1:1:msg:7"
            )
        ),
        entry(
            "zendesk",
            "create_ticket_without_user",
            z.create_ticket(
                &TicketRequest {
                    external_id: "esc:c2:1".into(),
                    ..zt.clone()
                },
                None
            )
            .unwrap()
        ),
        entry("freshdesk", "create_ticket", f.create_ticket(&ft).unwrap()),
        entry("freshdesk", "add_note", f.add_note("77", &ft.note_html())),
        entry(
            "freshdesk",
            "customer_message",
            f.customer_message("77", Some("5001"), "Any news?")
        ),
        entry("freshdesk", "reopen", f.reopen("77")),
        entry(
            "intercom",
            "search_contact",
            i.search_contact("ada@example.com")
        ),
        entry(
            "intercom",
            "create_contact",
            i.create_contact(&Requester {
                email: Some("grace@example.com".into()),
                ..it.requester.clone()
            })
            .unwrap()
        ),
        entry(
            "intercom",
            "create_conversation",
            i.create_conversation(CONTACT, &it)
        ),
        entry(
            "intercom",
            "add_note",
            i.add_note("499", &Intercom::note_html(&it))
        ),
        entry("intercom", "assign_team", i.assign_team("499", "5017691")),
        entry("intercom", "set_attributes", i.set_attributes("499", &it)),
        entry(
            "intercom",
            "customer_reply",
            i.customer_reply("499", CONTACT, "Any news?")
        ),
        entry("slack", "post_message", s.post_message(&notice())),
        entry(
            "linear",
            "issue_create",
            l.issue_create(&Notice {
                category: Some("bug".into()),
                ..notice()
            })
        ),
        entry(
            "hubspot",
            "search_contact",
            h.search_contact("ada@example.com")
        ),
        entry(
            "hubspot",
            "create_note",
            h.create_note(
                "51",
                &notice(),
                "Escalated to Zendesk #5001",
                1_736_354_720_000
            )
            .unwrap()
        ),
    ])
}

#[test]
fn descriptors_fixture_is_current() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fakes/fixtures/descriptors.json");
    let fresh = serde_json::to_string_pretty(&descriptors()).unwrap() + "\n";
    if std::env::var_os("BATON_UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == fresh,
        "{} is stale: run BATON_UPDATE_FIXTURES=1 cargo test -p baton-shared --features edge --test connector_descriptors",
        path.display()
    );
}
