//! The second wasm module (`widget/sense`), fetched when the composer is first used or a page
//! context must leave: the built-in hard triggers and PII masking, run only once it is here.

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/js/sense.js")]
extern "C" {
    #[wasm_bindgen(js_name = loadSense)]
    fn load_module() -> js_sys::Promise;
}

/// The module's functions.
#[derive(Clone)]
pub struct Sense {
    fires: Function,
    /// `mask(text) -> text` with emails, cards and phone numbers masked.
    pub mask: Function,
}

impl Sense {
    /// Fetch (once) and instantiate the module.
    pub async fn load() -> Result<Self, JsValue> {
        let module = JsFuture::from(load_module()).await?;
        let function = |name: &str| -> Result<Function, JsValue> {
            Reflect::get(&module, &JsValue::from_str(name))?.dyn_into()
        };
        Ok(Self {
            fires: function("fires")?,
            mask: function("mask")?,
        })
    }

    /// Whether a built-in hard trigger fires on `text` in `locale` (`false` if the call fails).
    pub fn fires(&self, text: &str, locale: &str) -> bool {
        self.fires
            .call2(&JsValue::NULL, &text.into(), &locale.into())
            .is_ok_and(|v| v.as_bool() == Some(true))
    }
}
