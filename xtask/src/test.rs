//! `cargo xtask test`: every test, in order of cost: lints, Rust unit tests, the widget's tests
//! in headless Chromium, then the end-to-end suite on workerd with two Chromium contexts.

use crate::run as sh;
use crate::{build, root, setup, step};
use std::process::Command;

/// Run the whole suite; the first failure stops it.
pub fn run_all() -> Result<(), String> {
    let tools = setup::ensure_all(true)?;

    step("cargo fmt --check");
    sh(Command::new("cargo").args(["fmt", "--all", "--", "--check"]))?;

    step("cargo clippy (native crates, then the wasm crates)");
    sh(Command::new("cargo").args([
        "clippy",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ]))?;
    sh(Command::new("cargo").args([
        "clippy",
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        "baton-widget",
        "-p",
        "baton-sense",
        "-p",
        "baton-edge",
        "--",
        "-D",
        "warnings",
    ]))?;

    step("Rust unit, property and evaluation tests (cargo test)");
    sh(Command::new("cargo").args(["test", "--all-features"]))?;
    // The worker's pure helpers (query decoding) run natively too.
    sh(Command::new("cargo").args(["test", "-p", "baton-edge", "--lib"]))?;

    step("the config-parsing fuzz target builds (cargo check; run it with cargo fuzz on nightly)");
    sh(Command::new("cargo").args(["check", "--quiet", "--manifest-path", "fuzz/Cargo.toml"]))?;

    step("widget tests in headless Chromium (wasm-bindgen-test)");
    let runner = tools
        .wasm_bindgen
        .with_file_name("wasm-bindgen-test-runner");
    sh(Command::new("cargo")
        .args(["test", "--target", "wasm32-unknown-unknown"])
        .current_dir(root().join("widget"))
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", &runner)
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120"))?;

    build::all(&tools)?;

    step("end-to-end on workerd with headless Chromium (node --test tests/e2e)");
    let mut files: Vec<_> = std::fs::read_dir(root().join("tests/e2e"))
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err("no end-to-end tests found in tests/e2e".into());
    }
    sh(Command::new("node")
        .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
        .args(&files))?;
    Ok(())
}

/// Entry point for `cargo xtask test`.
pub fn run(args: &[String]) -> Result<(), String> {
    if let Some(extra) = args.first() {
        return Err(format!("cargo xtask test takes no options (got {extra})"));
    }
    run_all()?;
    println!("\nall test stages passed");
    Ok(())
}
