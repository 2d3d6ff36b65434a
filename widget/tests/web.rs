//! Widget tests in headless Chromium (wasm-bindgen-test): rendering (text-only messages,
//! links, modes, queue progress, CSAT, right-to-left), page-context capture and reading JS input.

use baton_shared::config::ContextCapture;
use baton_shared::conversation::Status;
use baton_shared::redact::{redact, Redact};
use baton_shared::wire::{Author, EventBody, LiveEvent};
use baton_widget::context::Capture;
use baton_widget::strings::Strings;
use baton_widget::{view, wire_js};
use js_sys::Reflect;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn doc() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn shadow_root() -> web_sys::ShadowRoot {
    let host = doc().create_element("div").unwrap();
    doc().body().unwrap().append_child(&host).unwrap();
    host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        .unwrap()
}

fn en() -> Strings {
    Strings::choose(&["en-GB".into()], "en", &[])
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap()
}

fn strings_of(v: &JsValue) -> Vec<String> {
    js_sys::Array::from(v)
        .iter()
        .map(|x| x.as_string().unwrap())
        .collect()
}

#[wasm_bindgen_test]
fn messages_render_as_inert_text() {
    let root = shadow_root();
    let v = view::build(&root, "", &en());
    let payload = r#"<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>"#;
    for author in [Author::Agent, Author::Customer, Author::Ai] {
        let item = view::append_message(&v.log, &en(), author, Some("Ana"), payload);
        let body = item.query_selector(".text").unwrap().unwrap();
        assert_eq!(body.text_content().unwrap(), payload);
        assert_eq!(body.children().length(), 0, "no element was created");
    }
    assert!(root.query_selector("img, script").unwrap().is_none());
    let pwned = get(&web_sys::window().unwrap(), "__pwned");
    assert!(pwned.is_undefined());
}

#[wasm_bindgen_test]
fn agent_links_are_clickable_only_for_http_and_open_safely() {
    let root = shadow_root();
    let v = view::build(&root, "", &en());
    let text =
        "See https://help.example.com/refunds?x=1. Not javascript:alert(1) or data:text/html,hi";
    let item = view::append_message(&v.log, &en(), Author::Agent, Some("Ana"), text);
    let links = item.query_selector_all("a").unwrap();
    assert_eq!(links.length(), 1);
    let a: web_sys::Element = links.item(0).unwrap().unchecked_into();
    assert_eq!(
        a.get_attribute("href").as_deref(),
        Some("https://help.example.com/refunds?x=1"),
        "trailing full stop left out"
    );
    assert_eq!(
        a.get_attribute("rel").as_deref(),
        Some("noopener noreferrer")
    );
    assert_eq!(a.get_attribute("target").as_deref(), Some("_blank"));
    let body = item.query_selector(".text").unwrap().unwrap();
    assert_eq!(
        body.text_content().unwrap(),
        text,
        "the text reads the same"
    );
    // Customer messages never get links.
    let mine = view::append_message(&v.log, &en(), Author::Customer, None, text);
    assert_eq!(mine.query_selector_all("a").unwrap().length(), 0);
    // A quoted link cannot break out of the attribute.
    let parts = view::linkify(r#"go "https://a.example/x"onmouseover=alert(1)"#);
    assert!(parts.contains(&("https://a.example/x", true)), "{parts:?}");
    assert_eq!(
        view::linkify("https:// nothing"),
        vec![("https://", false), (" nothing", false)]
    );
}

#[wasm_bindgen_test]
fn panel_is_an_accessible_dialog_with_a_polite_log() {
    let root = shadow_root();
    let v = view::build(&root, "", &en());
    assert_eq!(v.panel.get_attribute("role").as_deref(), Some("dialog"));
    assert_eq!(v.log.get_attribute("role").as_deref(), Some("log"));
    assert_eq!(v.log.get_attribute("aria-live").as_deref(), Some("polite"));
    assert!(v.panel.hidden(), "hidden until opened");
    let input: &web_sys::Element = v.input.unchecked_ref();
    assert_eq!(
        input.get_attribute("aria-label").as_deref(),
        Some("Your message")
    );
    assert_eq!(v.panel.get_attribute("dir").as_deref(), Some("ltr"));
}

#[wasm_bindgen_test]
fn human_mode_looks_different_from_ai_mode_and_queue_progress_is_concrete() {
    let root = shadow_root();
    let s = en();
    let v = view::build(&root, baton_widget::CSS, &s);
    view::set_mode(&v, &s, Status::AiMode, None, None);
    assert_eq!(v.badge.text_content().unwrap(), "AI assistant");
    assert_eq!(v.panel.class_name(), "panel");
    view::set_mode(&v, &s, Status::Queued, None, Some("billing team"));
    assert_eq!(
        v.badge.text_content().unwrap(),
        "Waiting for our billing team"
    );
    view::set_progress(&v, &s, Status::Queued, Some(2), Some(250), None, None);
    assert_eq!(
        v.progress.text_content().unwrap(),
        "You're number 2 in line. Estimated wait: about 5 min."
    );
    assert!(!v.progress.hidden());
    view::set_mode(&v, &s, Status::WithAgent, Some("Ana"), None);
    view::set_progress(&v, &s, Status::WithAgent, None, None, None, None);
    assert!(v.progress.hidden(), "no queue line once a person has it");
    assert_eq!(v.panel.class_name(), "panel human");
    assert_eq!(
        v.panel.get_attribute("data-status").as_deref(),
        Some("with_agent")
    );
    assert_eq!(v.avatar.text_content().unwrap(), "A");
    assert_eq!(v.badge.text_content().unwrap(), "Ana · human agent");
    v.panel.set_hidden(false);
    let header = v.panel.query_selector(".head").unwrap().unwrap();
    let bg = |h: &web_sys::Element| {
        web_sys::window()
            .unwrap()
            .get_computed_style(h)
            .unwrap()
            .unwrap()
            .get_property_value("background-color")
            .unwrap()
    };
    let bg_human = bg(&header);
    view::set_mode(&v, &s, Status::AiMode, None, None);
    assert_ne!(bg_human, bg(&header), "header colour changes between modes");
    view::set_progress(
        &v,
        &s,
        Status::Async,
        None,
        None,
        Some("BAT-1234"),
        Some("by 10:00 tomorrow"),
    );
    assert_eq!(
        v.progress.text_content().unwrap(),
        "Ticket BAT-1234: we'll reply by 10:00 tomorrow. You can close this window."
    );
}

#[wasm_bindgen_test]
fn the_stylesheet_is_adopted_not_inline() {
    let root = shadow_root();
    let _v = view::build(&root, baton_widget::CSS, &en());
    assert!(root.query_selector("style").unwrap().is_none());
    let sheets = js_sys::Array::from(&get(&root, "adoptedStyleSheets"));
    assert_eq!(sheets.length(), 1);
}

#[wasm_bindgen_test]
fn csat_form_has_five_labelled_choices_and_reads_the_choice() {
    let root = shadow_root();
    let s = en();
    let v = view::build(&root, "", &s);
    view::build_csat(&v, &s);
    let radios = v.csat.query_selector_all("input[type=radio]").unwrap();
    assert_eq!(radios.length(), 5);
    let fourth: web_sys::HtmlInputElement = radios.item(3).unwrap().unchecked_into();
    assert_eq!(
        fourth.get_attribute("aria-label").as_deref(),
        Some("4 out of 5")
    );
    assert_eq!(view::csat_values(&v), None, "nothing chosen yet");
    fourth.set_checked(true);
    let comment: web_sys::HtmlTextAreaElement = v
        .csat
        .query_selector("textarea")
        .unwrap()
        .unwrap()
        .unchecked_into();
    comment.set_value("  quick and kind ");
    assert_eq!(view::csat_values(&v), Some((4, "quick and kind".into())));
    view::csat_done(&v, "Thank you for your feedback.", false);
    assert!(v.csat.query_selector("fieldset").unwrap().is_none());
    assert!(v.csat.text_content().unwrap().contains("Thank you"));
}

#[wasm_bindgen_test]
fn locale_comes_from_the_browser_when_the_site_speaks_it_and_rtl_is_set() {
    let site = [(
        "ar".to_string(),
        vec![("send".to_string(), "إرسال".to_string())],
    )];
    let s = Strings::choose(&["ar-EG".into(), "en".into()], "en", &site);
    assert_eq!(s.locale(), "ar-EG");
    assert!(s.rtl());
    assert_eq!(s.get("send"), "إرسال");
    assert_eq!(
        s.get("typing"),
        "The assistant is typing…",
        "English fills the gaps"
    );
    let root = shadow_root();
    let v = view::build(&root, baton_widget::CSS, &s);
    assert_eq!(v.panel.get_attribute("dir").as_deref(), Some("rtl"));
    assert_eq!(v.send.text_content().unwrap(), "إرسال");
    // A language neither the site nor the built-ins speak falls back to the site's locale.
    let s = Strings::choose(&["ja-JP".into()], "es", &[]);
    assert_eq!(s.locale(), "es");
    assert_eq!(s.get("send"), "Enviar");
    // Messages pick their own direction.
    let item = view::append_message(&v.log, &s, Author::Agent, None, "مرحبا");
    let body = item.query_selector(".text").unwrap().unwrap();
    assert_eq!(body.get_attribute("dir").as_deref(), Some("auto"));
}

/// The masking the second module (`widget/sense`) exports: the shared redaction rule, as a JS
/// function like the one the widget gets from that module.
fn shared_mask() -> js_sys::Function {
    Closure::<dyn Fn(String) -> String>::new(|text: String| redact(&text, Redact::default()))
        .into_js_value()
        .unchecked_into()
}

/// A fixture page region with the attributes a site uses to expose its state.
fn fixture(html: &str) -> web_sys::Element {
    let region = doc().create_element("div").unwrap();
    // Test fixture markup written by the test itself, not message content.
    region.set_inner_html(html);
    doc().body().unwrap().append_child(&region).unwrap();
    region
}

/// What the loader records, as it passes it: `{routes, clicks: [{label, el}], errors}`.
fn recorded(
    routes: &[&str],
    clicks: &[(&str, Option<web_sys::Element>)],
    errors: &[&str],
) -> JsValue {
    let strings =
        |list: &[&str]| -> js_sys::Array { list.iter().map(|s| JsValue::from(*s)).collect() };
    let clicks: js_sys::Array = clicks
        .iter()
        .map(|(label, el)| {
            let click = js_sys::Object::new();
            Reflect::set(&click, &"label".into(), &(*label).into()).unwrap();
            if let Some(el) = el {
                Reflect::set(&click, &"el".into(), el).unwrap();
            }
            JsValue::from(click)
        })
        .collect();
    let rec = js_sys::Object::new();
    Reflect::set(&rec, &"routes".into(), &strings(routes)).unwrap();
    Reflect::set(&rec, &"clicks".into(), &clicks).unwrap();
    Reflect::set(&rec, &"errors".into(), &strings(errors)).unwrap();
    rec.into()
}

#[wasm_bindgen_test]
fn context_reads_attributes_meta_form_step_clicks_and_device() {
    let meta = doc().create_element("meta").unwrap();
    meta.set_attribute("name", "baton:product-area").unwrap();
    meta.set_attribute("content", "billing").unwrap();
    doc().head().unwrap().append_child(&meta).unwrap();
    let region = fixture(
        r#"<div data-baton-plan="pro" data-baton-workflow="upgrade">
             <ol><li>Plan</li><li aria-current="step">Payment details</li><li>Confirm</li></ol>
             <input name="card" value="4242 4242 4242 4242">
             <button id="pay">Pay now</button>
             <div class="secret" data-baton-account-number="12345"><button id="hidden">Reveal</button></div>
           </div>"#,
    );
    let pay = region.query_selector("#pay").unwrap();
    let hidden = region.query_selector("#hidden").unwrap();
    let settings = ContextCapture {
        deny_selectors: vec![".secret".into()],
        ..ContextCapture::default()
    };
    let mask = shared_mask();
    let capture = Capture {
        settings: &settings,
        mask: Some(&mask),
    };
    let rec = recorded(
        &["https://shop.example/", "https://shop.example/checkout"],
        &[("Pay now", pay), ("Reveal", hidden)],
        &["TypeError: x is undefined"],
    );
    let host = js_sys::Object::new();
    Reflect::set(&host, &"cart_items".into(), &3.into()).unwrap();
    let page = capture.page(&rec, &host).unwrap();

    assert_eq!(
        strings_of(&get(&page, "route_history")),
        vec!["https://shop.example/", "https://shop.example/checkout"]
    );
    assert_eq!(
        get(&page, "form_step").as_string().as_deref(),
        Some("Payment details")
    );
    assert_eq!(
        strings_of(&get(&page, "recent_actions")),
        vec!["clicked Pay now"],
        "denied click left out"
    );
    assert!(get(&page, "js_errors").is_undefined(), "errors are opt-in");
    let ctx = get(&page, "context");
    assert_eq!(
        get(&ctx, "product_area").as_string().as_deref(),
        Some("billing")
    );
    assert_eq!(get(&ctx, "plan").as_string().as_deref(), Some("pro"));
    assert_eq!(
        get(&ctx, "workflow").as_string().as_deref(),
        Some("upgrade")
    );
    assert!(
        get(&ctx, "account_number").is_undefined(),
        "deny-listed element not read"
    );
    assert_eq!(
        get(&ctx, "cart_items").as_f64(),
        Some(3.0),
        "host context kept"
    );
    let text = js_sys::JSON::stringify(&page).unwrap().as_string().unwrap();
    assert!(
        !text.contains("4242"),
        "input values are never read: {text}"
    );
    let vp = get(&page, "viewport");
    assert!(get(&vp, "width").as_f64().unwrap() > 0.0);
    assert!(get(&page, "time_zone").as_string().is_some());
    assert!(get(&page, "url").as_string().unwrap().starts_with("http"));
    region.remove();
    meta.remove();
}

#[wasm_bindgen_test]
fn context_switches_turn_sources_off_and_pii_is_masked() {
    let region = fixture(
        r#"<span data-baton-contact="write to ana@example.com or +44 20 7946 0958"></span>"#,
    );
    let off = ContextCapture {
        route_history: false,
        clicks: false,
        device: false,
        js_errors: true,
        ..ContextCapture::default()
    };
    let rec = recorded(
        &["https://a.example/1", "https://a.example/2"],
        &[("Email ana@example.com", None)],
        &["Failed for ana@example.com"],
    );
    let mask = shared_mask();
    let page = Capture {
        settings: &off,
        mask: Some(&mask),
    }
    .page(&rec, &JsValue::UNDEFINED)
    .unwrap();
    assert!(get(&page, "route_history").is_undefined());
    assert!(get(&page, "recent_actions").is_undefined());
    assert!(get(&page, "viewport").is_undefined());
    assert_eq!(
        strings_of(&get(&page, "js_errors")),
        vec!["Failed for [email]"]
    );
    let contact = get(&get(&page, "context"), "contact").as_string().unwrap();
    assert_eq!(contact, "write to [email] or [phone]");
    let unmasked = ContextCapture {
        mask_pii: false,
        ..ContextCapture::default()
    };
    let page = Capture {
        settings: &unmasked,
        mask: None,
    }
    .page(&rec, &JsValue::UNDEFINED)
    .unwrap();
    let contact = get(&get(&page, "context"), "contact").as_string().unwrap();
    assert!(contact.contains("ana@example.com"));
    region.remove();
}

#[wasm_bindgen_test]
fn a_site_that_masks_gets_no_page_before_the_masking_module_is_here() {
    let region = fixture(r#"<span data-baton-contact="ana@example.com"></span>"#);
    let masks = ContextCapture::default();
    assert!(masks.mask_pii, "masking is the default");
    let waiting = Capture {
        settings: &masks,
        mask: None,
    };
    let rec = recorded(&["https://a.example/?u=ana@example.com"], &[], &[]);
    assert!(waiting.page(&rec, &JsValue::UNDEFINED).is_none());
    assert_eq!(
        waiting.clean("write to ana@example.com"),
        "",
        "never unmasked"
    );
    // A mask that fails (throws) gives empty text too.
    let throws: js_sys::Function =
        Closure::<dyn Fn(String) -> Result<String, JsValue>>::new(|_: String| {
            Err(JsValue::from_str("boom"))
        })
        .into_js_value()
        .unchecked_into();
    let failing = Capture {
        settings: &masks,
        mask: Some(&throws),
    };
    assert_eq!(failing.clean("ana@example.com"), "");
    region.remove();
}

// ---- Reading what the widget receives (wire_js) ----

fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

/// The shared serde shape, as the edge sends it, parsed back by the widget's reader.
fn through_the_wire(e: &LiveEvent) -> Option<LiveEvent> {
    wire_js::live_event(&json(&serde_json::to_string(e).unwrap()))
}

#[wasm_bindgen_test]
fn live_events_read_back_exactly_what_the_edge_serialises() {
    for author in view::AUTHORS {
        let e = LiveEvent {
            seq: 7,
            at: 1_700_000_000_123.0,
            body: EventBody::Message {
                author,
                text: "hi <b>there</b>".into(),
                name: Some("Ana".into()),
                client_id: Some("c1-1".into()),
            },
        };
        assert_eq!(through_the_wire(&e), Some(e));
    }
    for status in view::STATUSES {
        let e = LiveEvent {
            seq: 9_007_199_254_740_991,
            at: 2.5,
            body: EventBody::Status {
                status,
                topic: Some("billing".into()),
                queue: Some("Billing".into()),
                agent: Some("Ana".into()),
                position: Some(3),
                wait_seconds: Some(240),
                ticket: Some("#123".into()),
                expected_by: Some("by 10:00 tomorrow".into()),
            },
        };
        assert_eq!(through_the_wire(&e), Some(e));
        let bare = LiveEvent {
            seq: 1,
            at: 0.0,
            body: EventBody::Status {
                status,
                topic: None,
                queue: None,
                agent: None,
                position: None,
                wait_seconds: None,
                ticket: None,
                expected_by: None,
            },
        };
        assert_eq!(through_the_wire(&bare), Some(bare));
    }
}

#[wasm_bindgen_test]
fn live_events_the_widget_does_not_know_are_skipped_not_fatal() {
    let skipped = [
        r#"{"seq":3,"at":1,"kind":"typing"}"#,
        r#"{"seq":3,"at":1,"kind":"message","author":"robot","text":"x"}"#,
        r#"{"seq":3,"at":1,"kind":"status","status":"on_hold"}"#,
        r#"{"seq":3,"at":1,"kind":"message","author":"ai"}"#,
        r#"{"at":1,"kind":"status","status":"queued"}"#,
        r#"{"seq":-1,"at":1,"kind":"status","status":"queued"}"#,
        r#"{"seq":1.5,"at":1,"kind":"status","status":"queued"}"#,
        r#"{"seq":"4","at":1,"kind":"status","status":"queued"}"#,
        r#"{"seq":3,"at":1}"#,
        r#"[1,2]"#,
        r#""status""#,
        r#"null"#,
        r#"42"#,
    ];
    for text in skipped {
        assert_eq!(wire_js::live_event(&json(text)), None, "{text}");
    }
    // Extra keys are ignored; a mistyped optional field counts as absent.
    let e = wire_js::live_event(&json(
        r#"{"seq":4,"kind":"status","status":"queued","position":2.5,"wait_seconds":-1,
            "queue":7,"agent":null,"future_field":{"a":1}}"#,
    ))
    .unwrap();
    assert_eq!(e.seq, 4);
    assert_eq!(e.at, 0.0, "an event without `at` still applies");
    let EventBody::Status {
        status,
        position,
        wait_seconds,
        queue,
        agent,
        ..
    } = e.body
    else {
        panic!("a status event");
    };
    assert_eq!(status, Status::Queued);
    assert_eq!((position, wait_seconds), (None, None));
    assert_eq!((queue, agent), (None, None));
}

#[wasm_bindgen_test]
fn site_config_keeps_defaults_for_missing_keys() {
    let c = wire_js::widget_config(&json("{}"));
    assert_eq!(c.title, "");
    assert_eq!(c.locale, "");
    assert!(c.strings.is_empty());
    assert_eq!(c.context, ContextCapture::default());
    for odd in ["null", "[]", "\"x\"", "3"] {
        assert_eq!(
            wire_js::widget_config(&json(odd)).context,
            ContextCapture::default()
        );
    }
    // Only the keys given change; the others keep `ContextCapture::default()`.
    let c = wire_js::widget_config(&json(
        r#"{"context":{"js_errors":true,"clicks":false,"mask_pii":"no","deny_selectors":[".ssn",3]}}"#,
    ));
    assert_eq!(
        c.context,
        ContextCapture {
            js_errors: true,
            clicks: false,
            deny_selectors: vec![".ssn".into()],
            ..ContextCapture::default()
        }
    );
}

#[wasm_bindgen_test]
fn site_config_reads_what_the_edge_serves() {
    let context = ContextCapture {
        page: false,
        route_history: false,
        attributes: false,
        form_step: false,
        clicks: false,
        js_errors: true,
        device: false,
        deny_selectors: vec!["#card".into(), ".account".into()],
        mask_pii: false,
    };
    // The shape of edge/src/routes/sites.rs, with keys the widget does not use.
    let served = serde_json::json!({
        "site": "acme", "name": "Acme", "locale": "es-MX", "title": "Ayuda",
        "launcher_label": "Chat", "greeting": "¡Hola!", "accent_color": "#0a0",
        "position": "bottom_left",
        "strings": {"es": {"send": "Mandar", "title": "Soporte"}, "es-MX": {"send": "Enviar ya"}},
        "context": context,
    });
    let c = wire_js::widget_config(&json(&served.to_string()));
    assert_eq!(c.title, "Ayuda");
    assert_eq!(c.greeting, "¡Hola!");
    assert_eq!(c.accent_color, "#0a0");
    assert_eq!(c.locale, "es-MX");
    assert_eq!(c.context, context);
    // The exact tag's words win over the language's, which win over the built-ins.
    let s = Strings::choose(&["es-MX".into()], &c.locale, &c.strings);
    assert_eq!(s.get("send"), "Enviar ya");
    assert_eq!(s.get("title"), "Soporte");
    assert_eq!(s.get("close"), "Cerrar el chat");
}

#[wasm_bindgen_test]
fn sessions_and_mount_options_are_read_strictly() {
    let s = wire_js::session(&json(r#"{"id":"conv_1","token":"t0k","extra":1}"#)).unwrap();
    assert_eq!(
        s,
        wire_js::Session {
            id: "conv_1".into(),
            token: "t0k".into()
        }
    );
    assert_eq!(wire_js::session(&wire_js::session_value(&s)), Some(s));
    for bad in [
        r#"{"id":"conv_1"}"#,
        r#"{"id":1,"token":"t"}"#,
        "null",
        "\"x\"",
    ] {
        assert_eq!(wire_js::session(&json(bad)), None, "{bad}");
    }
    let o = wire_js::options(&json(r#"{"site":"acme","api":"https://edge.example"}"#)).unwrap();
    assert_eq!(
        (o.site.as_str(), o.api.as_str()),
        ("acme", "https://edge.example")
    );
    assert_eq!(wire_js::options(&json(r#"{"api":"x"}"#)).unwrap().site, "");
    assert!(wire_js::options(&json(r#"{"site":"acme"}"#)).is_err());
    assert!(wire_js::options(&JsValue::UNDEFINED).is_err());
}

#[wasm_bindgen_test]
fn captured_text_is_one_line_and_clipped_to_200_characters() {
    let settings = ContextCapture {
        mask_pii: false,
        ..ContextCapture::default()
    };
    let c = Capture {
        settings: &settings,
        mask: None,
    };
    assert_eq!(
        c.clean("  Plan:\n\t Pro   annual \u{3000}"),
        "Plan: Pro annual"
    );
    assert_eq!(c.clean(" \n "), "");
    // The reference rule: words joined by one space, then the first 200 characters.
    let long = "ñandú  añil\n".repeat(40);
    let joined = long.split_whitespace().collect::<Vec<_>>().join(" ");
    let expected: String = joined.chars().take(200).collect();
    assert_eq!(c.clean(&long), expected);
    assert_eq!(c.clean(&long).chars().count(), 200);
    let exact = "a".repeat(199) + " b";
    assert_eq!(c.clean(&exact), exact.chars().take(200).collect::<String>());
}

#[wasm_bindgen_test]
fn numbers_are_written_as_plain_decimals() {
    assert_eq!(wire_js::number_text(0.0), "0");
    assert_eq!(wire_js::number_text(42.0), "42");
    assert_eq!(wire_js::number_text(1_764_619_837_123.0), "1764619837123");
    assert_eq!(
        wire_js::number_text(9_007_199_254_740_991.0),
        "9007199254740991"
    );
    for n in [0, 7, 10, 99, 1000, 65_536, u32::MAX] {
        assert_eq!(baton_widget::strings::decimal(n), n.to_string());
    }
}

#[wasm_bindgen_test]
fn placeholders_are_filled_once_and_unknown_ones_stay() {
    let s = en();
    assert_eq!(
        s.fill("position", &[("position", "3"), ("wait", "about 4 min")]),
        "You're number 3 in line. Estimated wait: about 4 min."
    );
    // A value is not scanned again: a queue named like a placeholder stays as named.
    assert_eq!(
        s.fill("with_agent", &[("agent", "{agent} {x}")]),
        "{agent} {x} · human agent"
    );
    assert_eq!(
        s.fill("with_agent", &[]),
        "{agent} · human agent",
        "unknown placeholders stay"
    );
    let site = [(
        "en".to_string(),
        vec![("title".to_string(), "{a{b}} {} {b".to_string())],
    )];
    let s = Strings::choose(&["en".into()], "en", &site);
    assert_eq!(s.fill("title", &[("b", "B")]), "{aB} {} {b");
}

/// The link rule as first written (with `match_indices`), to check the rewrite against.
fn linkify_reference(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = ["https://", "http://"]
        .iter()
        .filter_map(|p| {
            rest.match_indices(p)
                .map(|(i, _)| i)
                .find(|&i| i == 0 || !rest[..i].ends_with(|c: char| c.is_alphanumeric()))
        })
        .min()
    {
        let tail = &rest[start..];
        let mut end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`'))
            .unwrap_or(tail.len());
        while end > 0 && tail[..end].ends_with(['.', ',', ';', ':', '!', '?', ')', ']', '\'']) {
            end -= 1;
        }
        let scheme = if tail.starts_with("https://") { 8 } else { 7 };
        if end <= scheme {
            out.push((&rest[..start + scheme], false));
            rest = &rest[start + scheme..];
            continue;
        }
        if start > 0 {
            out.push((&rest[..start], false));
        }
        out.push((&tail[..end], true));
        rest = &tail[end..];
    }
    if !rest.is_empty() {
        out.push((rest, false));
    }
    out
}

#[wasm_bindgen_test]
fn links_are_found_exactly_as_before() {
    for text in [
        "",
        "no links here",
        "see https://a.example/x, then http://b.example/y.",
        "xhttps://glued.example and (https://paren.example/a)",
        "ñhttps://glued.example ¡https://ok.example!",
        "https:// http:// https://x",
        "http://a.example/https://b.example",
        "two:https://a.example\thttps://b.example\n\"https://c.example\"",
        "https://ünï.example/päth?q=1#f'",
        "ahttp://x http://y",
    ] {
        assert_eq!(view::linkify(text), linkify_reference(text), "{text}");
    }
}

/// Bytes of wasm memory the page holds right now.
fn memory_bytes() -> u32 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length()
}

/// Work like a long chat's: many small strings of mixed sizes, some kept a while, a few big
/// buffers, strings grown by pushing. About 2.4 MB allocated and freed per round.
fn churn(round: usize) -> usize {
    let mut kept: Vec<String> = (0..3000)
        .map(|i| "x".repeat((i * 7 + round) % 900))
        .collect();
    kept.retain(|s| s.len() % 3 == 0);
    let big = vec![round as u8; 1 << 20];
    let mut grown = String::new();
    for i in 0..20_000 {
        grown.push(char::from(b'a' + (i % 26) as u8));
    }
    kept.len() + big.len() + grown.len()
}

#[wasm_bindgen_test]
fn the_heap_is_reused_on_a_long_lived_page() {
    assert!(churn(0) > 0);
    let settled = memory_bytes();
    for round in 1..200 {
        assert!(churn(round) > 0);
    }
    // About 480 MB allocated and freed in all; the heap must stay about where it settled.
    assert!(
        memory_bytes() <= settled + (2 << 20),
        "memory grew from {settled} to {} bytes",
        memory_bytes()
    );
}

#[wasm_bindgen_test]
fn built_in_strings_are_found_by_whole_key_and_spanish_falls_back_to_english() {
    let en = en();
    let es = Strings::choose(&["es-ES".into()], "en", &[]);
    // Keys that begin with another key are found whole.
    for (key, english, spanish) in [
        ("waiting", "Waiting for a person", "Esperando a una persona"),
        (
            "waiting_queue",
            "Waiting for our {queue}",
            "Esperando a nuestro equipo: {queue}",
        ),
        ("agent", "Agent", "Agente"),
        (
            "position_only",
            "You're number {position} in line.",
            "Eres el número {position} en la cola.",
        ),
        (
            "ticket_only",
            "Ticket {ticket}: we'll reply by email. You can close this window.",
            "Ticket {ticket}: te responderemos por correo. Puedes cerrar esta ventana.",
        ),
    ] {
        assert_eq!(en.get(key), english, "{key}");
        assert_eq!(es.get(key), spanish, "{key}");
    }
    // Spanish lacks these; English fills in. Unknown keys are empty.
    assert_eq!(
        es.get("csat_failed"),
        "Your rating could not be sent. Please try again."
    );
    assert_eq!(en.get("no_such_key"), "");
    assert_eq!(en.get("wait"), "");
}
