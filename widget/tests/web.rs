//! Widget rendering tests in headless Chromium (wasm-bindgen-test): the panel, text-only
//! messages and the visible switch from AI mode to human mode.

use baton_shared::conversation::Status;
use baton_shared::wire::Author;
use baton_widget::view;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn shadow_root() -> web_sys::ShadowRoot {
    let doc = web_sys::window().unwrap().document().unwrap();
    let host = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&host).unwrap();
    host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        .unwrap()
}

#[wasm_bindgen_test]
fn messages_render_as_inert_text() {
    let root = shadow_root();
    let v = view::build(&root, "");
    let payload = r#"<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>"#;
    let item = view::append_message(&v.log, Author::Agent, Some("Ana"), payload);
    let body = item.query_selector(".text").unwrap().unwrap();
    assert_eq!(body.text_content().unwrap(), payload);
    assert_eq!(
        body.children().length(),
        0,
        "no element was created from the text"
    );
    assert!(root.query_selector("img").unwrap().is_none());
    let pwned = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__pwned".into()).unwrap();
    assert!(pwned.is_undefined());
    assert_eq!(
        item.query_selector(".who")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        "Ana"
    );
}

#[wasm_bindgen_test]
fn panel_is_an_accessible_dialog_with_a_polite_log() {
    let root = shadow_root();
    let v = view::build(&root, "");
    assert_eq!(v.panel.get_attribute("role").as_deref(), Some("dialog"));
    assert_eq!(v.log.get_attribute("role").as_deref(), Some("log"));
    assert_eq!(v.log.get_attribute("aria-live").as_deref(), Some("polite"));
    assert!(v.panel.hidden(), "hidden until opened");
    let input: &web_sys::Element = v.input.unchecked_ref();
    assert_eq!(
        input.get_attribute("aria-label").as_deref(),
        Some("Your message")
    );
}

#[wasm_bindgen_test]
fn human_mode_looks_different_from_ai_mode() {
    let root = shadow_root();
    let v = view::build(&root, baton_widget_css());
    view::set_mode(&v, Status::AiMode, None, None);
    assert_eq!(v.badge.text_content().unwrap(), "AI assistant");
    assert_eq!(v.panel.class_name(), "panel");
    view::set_mode(&v, Status::Queued, None, Some("billing team"));
    assert_eq!(
        v.badge.text_content().unwrap(),
        "Waiting for our billing team"
    );
    view::set_mode(&v, Status::WithAgent, Some("Ana"), None);
    assert_eq!(v.panel.class_name(), "panel human");
    assert_eq!(
        v.panel.get_attribute("data-status").as_deref(),
        Some("with_agent")
    );
    assert_eq!(v.avatar.text_content().unwrap(), "A");
    v.panel.set_hidden(false);
    let header = v.panel.query_selector("header").unwrap().unwrap();
    let bg_human = web_sys::window()
        .unwrap()
        .get_computed_style(&header)
        .unwrap()
        .unwrap()
        .get_property_value("background-color")
        .unwrap();
    view::set_mode(&v, Status::AiMode, None, None);
    let bg_ai = web_sys::window()
        .unwrap()
        .get_computed_style(&header)
        .unwrap()
        .unwrap()
        .get_property_value("background-color")
        .unwrap();
    assert_ne!(bg_human, bg_ai, "header colour changes between modes");
}

fn baton_widget_css() -> &'static str {
    baton_widget::CSS
}
