//! Fuzz target: any bytes given to config validation must produce a config or a list of
//! issues, never a panic; and message text must never panic the trigger rules.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match baton_shared::config::validate(text) {
            Ok(config) => {
                let again = serde_json::to_string(&config).expect("a valid config serialises");
                assert!(baton_shared::config::validate(&again).is_ok(), "a valid config stays valid");
            }
            Err(issues) => assert!(!issues.is_empty()),
        }
        let _ = baton_shared::trigger::detect_hard(text, "en");
        let _ = baton_shared::signal::sentiment::sentiment(text);
    }
});
