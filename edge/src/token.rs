//! Conversation tokens: an HMAC-SHA256 of the conversation id with a Worker secret.
//! The widget holds its token; only its holder can read or write that conversation.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The token for a conversation id.
pub fn sign(secret: &str, conversation_id: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("hmac takes any key length");
    mac.update(b"conversation:");
    mac.update(conversation_id.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `token` was issued for `conversation_id`.
pub fn verify(secret: &str, conversation_id: &str, token: &str) -> bool {
    constant_time_eq(sign(secret, conversation_id).as_bytes(), token.as_bytes())
}

/// Compare without leaking where the first difference is.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A fresh random id (128 bits, hex).
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    // getrandom on workers uses crypto.getRandomValues, which does not fail.
    getrandom::fill(&mut bytes).expect("crypto.getRandomValues");
    hex::encode(bytes)
}
