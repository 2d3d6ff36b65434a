//! Small DOM helpers that keep widget code short and text-only.
//! Nothing here ever sets HTML from a string.

use wasm_bindgen::{JsCast, UnwrapThrowExt};
use web_sys::{Document, Element, HtmlElement};

/// The page's document.
pub fn document() -> Document {
    // The widget only ever runs in a page, which always has a window and a document.
    web_sys::window()
        .and_then(|w| w.document())
        .expect_throw("widget runs in a document")
}

/// Create an element with a class list.
pub fn el(tag: &str, class: &str) -> HtmlElement {
    let e = document()
        .create_element(tag)
        .expect_throw("valid tag name")
        .unchecked_into::<HtmlElement>();
    if !class.is_empty() {
        e.set_class_name(class);
    }
    e
}

/// Create an element holding plain text.
pub fn text_el(tag: &str, class: &str, text: &str) -> HtmlElement {
    let e = el(tag, class);
    e.set_text_content(Some(text));
    e
}

/// Set an attribute, ignoring the (impossible for valid names) error.
pub fn attr(e: &Element, name: &str, value: &str) {
    let _ = e.set_attribute(name, value);
}
