//! Durable Object storage as JSON text: every value is kept as its JSON string, written and
//! read through `crate::json` like every other JSON of the worker.

use crate::error::AppError;
use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::JsValue;
use worker::{wasm_bindgen_futures::JsFuture, ListOptions, Storage};

/// A value as stored: its JSON text.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, AppError> {
    crate::json::text(value)
        .map(|text| JsValue::from_str(&text))
        .map_err(|e| AppError::Internal(format!("serialise for storage: {e}")))
}

/// A stored value read back. Values written before storage held JSON text still read: plain
/// JS objects go through `JSON.stringify`, and a plain string is read as the JSON string it was.
pub fn decode<T: DeserializeOwned>(value: &JsValue) -> Result<T, AppError> {
    let text = match value.as_string() {
        Some(text) => text,
        None => js_sys::JSON::stringify(value)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| AppError::Internal("stored value is not JSON".into()))?,
    };
    let value =
        serde_json::from_str::<serde_json::Value>(&text).unwrap_or(serde_json::Value::String(text));
    crate::json::from(&value).map_err(|e| AppError::Internal(format!("stored value: {e}")))
}

/// The value under `key`, if there is one.
pub async fn get<T: DeserializeOwned>(storage: &Storage, key: &str) -> Result<Option<T>, AppError> {
    let promise = storage.as_raw().get(key).map_err(worker::Error::from)?;
    let value = JsFuture::from(promise).await.map_err(worker::Error::from)?;
    if value.is_undefined() {
        return Ok(None);
    }
    decode(&value).map(Some)
}

/// Store `value` under `key`.
pub async fn put<T: Serialize + ?Sized>(
    storage: &Storage,
    key: &str,
    value: &T,
) -> Result<(), AppError> {
    Ok(storage.put_raw(key, encode(value)?).await?)
}

/// Every value the listing finds, in key order. An entry that no longer reads is logged and
/// left in storage (nothing is deleted), so one bad value cannot stall the rest.
pub async fn list<T: DeserializeOwned>(
    storage: &Storage,
    options: ListOptions<'_>,
) -> Result<Vec<T>, AppError> {
    let map = storage.list_with_options(options).await?;
    let mut out = Vec::new();
    for entry in map.entries() {
        let pair = js_sys::Array::from(&entry.map_err(worker::Error::from)?);
        match decode(&pair.get(1)) {
            Ok(value) => out.push(value),
            Err(e) => {
                worker::console_error!("{}: {e}", pair.get(0).as_string().unwrap_or_default())
            }
        }
    }
    Ok(out)
}
