//! The site's local time, from the runtime's clock and the platform's time zone data (Intl),
//! so the worker carries no time zone tables of its own.

use baton_shared::routing::LocalTime;
use wasm_bindgen::JsValue;

/// Now, in the IANA time zone `tz` (UTC if the zone is unknown to the runtime).
pub fn local_now(tz: &str) -> LocalTime {
    let now = js_sys::Date::new_0();
    local_time(&now, tz).unwrap_or_else(|| {
        local_time(&now, "UTC").unwrap_or(LocalTime {
            year: 1970,
            month: 1,
            day: 1,
            minutes: 0,
        })
    })
}

fn local_time(date: &js_sys::Date, tz: &str) -> Option<LocalTime> {
    let options = js_sys::Object::new();
    let set = |k: &str, v: &str| {
        js_sys::Reflect::set(&options, &JsValue::from_str(k), &JsValue::from_str(v))
    };
    set("timeZone", tz).ok()?;
    set("hourCycle", "h23").ok()?;
    for k in ["year", "month", "day", "hour", "minute"] {
        set(k, "numeric").ok()?;
    }
    let locales = js_sys::Array::of1(&JsValue::from_str("en-US"));
    let format = js_sys::Intl::DateTimeFormat::new(&locales, &options);
    let parts = format.format_to_parts(date);
    let mut t = LocalTime {
        year: 0,
        month: 0,
        day: 0,
        minutes: 0,
    };
    for part in parts.iter() {
        let kind = js_sys::Reflect::get(&part, &JsValue::from_str("type"))
            .ok()?
            .as_string()?;
        let value: u32 = js_sys::Reflect::get(&part, &JsValue::from_str("value"))
            .ok()?
            .as_string()?
            .parse()
            .unwrap_or(0);
        match kind.as_str() {
            "year" => t.year = value as i32,
            "month" => t.month = value,
            "day" => t.day = value,
            "hour" => t.minutes += (value % 24) * 60,
            "minute" => t.minutes += value,
            _ => {}
        }
    }
    (t.year > 0 && t.month > 0).then_some(t)
}
