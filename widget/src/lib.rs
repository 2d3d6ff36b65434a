//! Baton's chat widget: mounted by the loader into its shadow root, it talks to the edge and
//! renders the AI-to-human transition. Trigger logic comes from `baton-shared`.

mod app;
pub mod context;
mod dom;
mod sense;
pub mod strings;
mod style;
pub mod view;
pub mod wire_js;

pub use style::CSS;

/// Talc instead of Rust's default dlmalloc: 3.7 KB smaller (gzip) for the same job, a
/// single-threaded heap that frees and coalesces for as long as the page lives. `GrowAndClaim`
/// adds each `memory.grow` as its own heap (smaller code than extending the last one) and the
/// `disable-realloc-in-place` feature trades in-place resizing for size; the widget's
/// allocations are small. `tests/web.rs` checks that churn does not grow memory.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::cell::TalcSyncCell<talc::wasm::WasmGrowAndClaim, talc::wasm::WasmBinning> =
    talc::cell::TalcSyncCell::new_wasm(talc::wasm::WasmGrowAndClaim);

use app::{App, AppRef};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::ShadowRoot;

/// The handle the loader holds; every method is safe to call in any state.
#[wasm_bindgen]
pub struct Widget {
    app: AppRef,
}

/// Mount the widget into the loader's shadow root.
/// `options`: `{site, api, user?, context?, config?, recorded?, emit?(name, detail)}`; the
/// widget sets `options.onchange`, which the loader calls when the page changes.
#[wasm_bindgen]
pub fn mount(root: ShadowRoot, options: JsValue) -> Result<Widget, JsError> {
    let parsed = wire_js::options(&options).map_err(JsError::new)?;
    if parsed.site.is_empty() {
        return Err(JsError::new(
            "Baton: the script tag needs data-site=\"YOUR_SITE_ID\"",
        ));
    }
    let get = |k: &str| wire_js::get(&options, k);
    let emit = get("emit").dyn_into::<js_sys::Function>().ok();
    let app = Rc::new(RefCell::new(App::new(
        parsed,
        emit,
        get("user"),
        get("context"),
        get("recorded"),
        root,
    )));
    app::start(&app, &options, get("config"));
    Ok(Widget { app })
}

#[wasm_bindgen]
impl Widget {
    /// Show the chat panel.
    pub fn open(&self) {
        self.app.borrow().open();
    }

    /// Hide the chat panel.
    pub fn close(&self) {
        self.app.borrow().close();
    }

    /// Identify the customer (`{user_id, email, name, plan, account_id, user_hash}`).
    pub fn identify(&self, user: JsValue) {
        self.app.borrow_mut().set_user(user);
    }

    /// Replace the host-page context sent with the conversation.
    #[wasm_bindgen(js_name = setContext)]
    pub fn set_context(&self, context: JsValue) {
        self.app.borrow_mut().set_context(context);
        app::schedule_context(&self.app);
    }

    /// Remove the widget and everything it installed.
    pub fn destroy(&self) {
        self.app.borrow_mut().destroy();
    }
}
