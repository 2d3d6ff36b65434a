//! The widget's second wasm module, fetched when the composer is first used: the built-in hard
//! triggers (instant feedback) and the PII masking of page context, both from `baton-shared`.

use baton_shared::redact::{redact, Redact};
use wasm_bindgen::prelude::*;

/// The widget's allocator, for the same reasons (`widget/src/lib.rs`): smaller than dlmalloc.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::cell::TalcSyncCell<talc::wasm::WasmGrowAndClaim, talc::wasm::WasmBinning> =
    talc::cell::TalcSyncCell::new_wasm(talc::wasm::WasmGrowAndClaim);

/// Whether a built-in hard trigger fires on `text` in `locale`: the edge's answer before the
/// edge gives it (site phrases and overrides are the edge's alone).
#[wasm_bindgen]
pub fn fires(text: &str, locale: &str) -> bool {
    baton_shared::trigger::fires_builtin(text, locale)
}

/// `text` with emails, card and phone numbers masked by the shared redaction rule.
#[wasm_bindgen]
pub fn mask(text: &str) -> String {
    redact(text, Redact::default())
}
