//! Small DOM helpers that keep widget code short and text-only.
//! Nothing here ever sets HTML from a string.

use web_sys::Element;

/// Set an attribute, ignoring the (impossible for valid names) error.
pub fn attr(e: &Element, name: &str, value: &str) {
    let _ = e.set_attribute(name, value);
}
