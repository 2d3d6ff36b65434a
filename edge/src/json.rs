//! JSON in and out of the worker, always by way of `serde_json::Value`: bodies, answers,
//! storage and WebSocket frames. One (de)serialiser per type keeps the worker's wasm small.

use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;
use worker::Response;

/// A value as JSON text.
pub fn text<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    serde_json::to_value(value).map(|v| v.to_string())
}

/// A value read from JSON text.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    let value: Value = serde_json::from_str(text)?;
    from(&value)
}

/// A value read from a JSON tree.
pub fn from<T: DeserializeOwned>(value: &Value) -> Result<T, serde_json::Error> {
    T::deserialize(value)
}

/// A 200 answer with `value` as its JSON body.
pub fn response<T: Serialize + ?Sized>(value: &T) -> worker::Result<Response> {
    Response::from_json(&serde_json::to_value(value)?)
}
