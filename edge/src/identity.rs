//! Verifies the host site's claim about who the customer is: an HMAC `user_hash` of the user id
//! (as Chatwoot does) or a signed HS256 JWT (as Intercom now prefers), with the site's secret.

use crate::error::AppError;
use crate::token::constant_time_eq;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use worker::Env;

type HmacSha256 = Hmac<Sha256>;

/// The Worker secret holding a site's identity key: `IDENTITY_SECRET_<SITE>` (site id upper-cased,
/// `-` as `_`), else `IDENTITY_SECRET` for every site.
fn secret(env: &Env, site: &str) -> Option<String> {
    let per_site = format!("IDENTITY_SECRET_{}", site.to_uppercase().replace('-', "_"));
    [per_site.as_str(), "IDENTITY_SECRET"]
        .iter()
        .find_map(|name| {
            env.secret(name)
                .map(|s| s.to_string())
                .or_else(|_| env.var(name).map(|v| v.to_string()))
                .ok()
        })
}

fn mac(key: &str, data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut m = HmacSha256::new_from_slice(key.as_bytes()).expect("hmac takes any key length");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// The identity fields a JWT vouches for; segments match on some of them.
const IDENTITY_CLAIMS: [&str; 7] = [
    "user_id",
    "email",
    "name",
    "plan",
    "account_id",
    "account_value",
    "tier",
];

/// Check `user.user_hash` or `user.jwt`; on success mark `user.verified = true`. A JWT's claims
/// are the whole identity: the same fields sent beside it by the page are dropped, so a page
/// cannot lift its own plan or account value. A `user_hash` proves the `user_id` only. A proof
/// that does not verify is refused, never dropped silently; a user with neither is kept as
/// unverified, unless the site's `identity.require_verification` asks for a proof.
pub fn verify(
    env: &Env,
    site: &str,
    user: &mut Value,
    now_ms: f64,
    required: bool,
) -> Result<bool, AppError> {
    if user.is_null() && !required {
        return Ok(false);
    }
    if user.is_null() {
        *user = Value::Object(Default::default());
    }
    let Some(obj) = user.as_object_mut() else {
        return Err(AppError::bad_field(
            "user",
            "user is an object like {\"user_id\": \"u_42\", \"email\": \"…\"}",
        ));
    };
    let hash = obj.remove("user_hash");
    let jwt = obj.remove("jwt");
    if hash.is_none() && jwt.is_none() {
        if required {
            return Err(AppError::BadRequest {
                code: "identity_required",
                message: "this site accepts only verified customers: send user.jwt (an HS256 JWT signed with the site's identity secret) or user.user_id with user.user_hash (HMAC-SHA256 of user_id), computed on your server".into(),
                field: Some("user"),
            });
        }
        obj.insert("verified".into(), Value::Bool(false));
        return Ok(false);
    }
    let key = secret(env, site).ok_or_else(|| AppError::BadRequest {
        code: "identity_not_configured",
        message: format!(
            "this site sends identity proofs but no IDENTITY_SECRET_{} (or IDENTITY_SECRET) Worker secret is set",
            site.to_uppercase()
        ),
        field: Some("user"),
    })?;
    if let Some(hash) = hash {
        let user_id = obj.get("user_id").and_then(Value::as_str).ok_or_else(|| {
            AppError::bad_field(
                "user.user_id",
                "user_hash needs the user_id it was computed from",
            )
        })?;
        let expected = hex::encode(mac(&key, user_id.as_bytes()));
        let given = hash.as_str().unwrap_or_default().to_ascii_lowercase();
        if !constant_time_eq(expected.as_bytes(), given.as_bytes()) {
            return Err(AppError::Unauthorized(
                "user_hash does not match user_id: compute HMAC-SHA256(user_id) with the site's identity secret on your server",
            ));
        }
    }
    if let Some(jwt) = jwt {
        let claims = verify_jwt(&key, jwt.as_str().unwrap_or_default(), now_ms)?;
        for k in IDENTITY_CLAIMS {
            obj.remove(k);
        }
        for (k, v) in claims {
            let k = if k == "sub" { "user_id".to_owned() } else { k };
            if IDENTITY_CLAIMS.contains(&k.as_str()) {
                obj.insert(k, v);
            }
        }
    }
    obj.insert("verified".into(), Value::Bool(true));
    Ok(true)
}

/// Verify an HS256 JWT and return its claims.
fn verify_jwt(
    key: &str,
    jwt: &str,
    now_ms: f64,
) -> Result<serde_json::Map<String, Value>, AppError> {
    let bad = |why: &str| AppError::BadRequest {
        code: "invalid_identity_token",
        message: format!("user.jwt {why}"),
        field: Some("user.jwt"),
    };
    let mut parts = jwt.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("is not a JWT (header.payload.signature)"));
    };
    let header: Value = URL_SAFE_NO_PAD
        .decode(h)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|t| serde_json::from_str(&t).ok())
        .ok_or_else(|| bad("has an unreadable header"))?;
    if header["alg"] != "HS256" {
        return Err(bad("must be signed with HS256"));
    }
    let signature = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| bad("has an unreadable signature"))?;
    let expected = mac(key, format!("{h}.{p}").as_bytes());
    if !constant_time_eq(&expected, &signature) {
        return Err(AppError::Unauthorized(
            "user.jwt is not signed with this site's identity secret",
        ));
    }
    let Some(Value::Object(claims)) = URL_SAFE_NO_PAD
        .decode(p)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|t| serde_json::from_str(&t).ok())
    else {
        return Err(bad("has an unreadable payload"));
    };
    if let Some(exp) = claims.get("exp").and_then(Value::as_f64) {
        if exp * 1000.0 < now_ms {
            return Err(AppError::Unauthorized(
                "user.jwt has expired: issue a fresh one",
            ));
        }
    }
    Ok(claims)
}
