//! Installs the tools the build and tests need, each only when missing or at the wrong version.
//! Nothing here downloads a prebuilt binary from outside the package registries.

use crate::{root, run, step};
use std::path::PathBuf;
use std::process::Command;

/// Where the tools are, once installed.
pub struct Tools {
    /// wasm-bindgen CLI at the Cargo.lock version.
    pub wasm_bindgen: PathBuf,
    /// worker-build.
    pub worker_build: PathBuf,
    /// binaryen's wasm-opt from npm.
    pub wasm_opt: PathBuf,
    /// esbuild from npm.
    pub esbuild: PathBuf,
}

const WORKER_BUILD_VERSION: &str = "0.8.7";

fn cargo_bin(name: &str) -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo"));
    home.join("bin").join(name)
}

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The version of a package in Cargo.lock.
pub fn locked_version(package: &str) -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{package}\"") {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_owned());
            }
        }
    }
    Err(format!("{package} is not in Cargo.lock"))
}

fn ensure_cargo_tool(crate_name: &str, bin: &str, version: &str) -> Result<PathBuf, String> {
    let path = cargo_bin(bin);
    let have = output(path.to_str().unwrap_or(bin), &["--version"]).unwrap_or_default();
    if have.split_whitespace().any(|w| w == version) {
        return Ok(path);
    }
    step(&format!(
        "installing {crate_name} {version} (cargo install; several minutes on a cold machine)"
    ));
    // No --locked: the registry mirror may lack the newest patch of a transitive dependency.
    run(Command::new("cargo").args(["install", crate_name, "--version", version]))?;
    Ok(path)
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    step("adding the wasm32-unknown-unknown target");
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

fn ensure_npm() -> Result<(), String> {
    let root = root();
    let stamp = root.join("node_modules/.baton-installed");
    let lock = root.join("package-lock.json");
    let fresh = match (std::fs::metadata(&stamp), std::fs::metadata(&lock)) {
        (Ok(s), Ok(l)) => s.modified().ok() >= l.modified().ok(),
        _ => false,
    };
    if fresh && root.join("node_modules/.bin/wrangler").exists() {
        return Ok(());
    }
    step("installing npm tools (wrangler, esbuild, binaryen, playwright-core)");
    run(Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]))?;
    std::fs::write(&stamp, b"").map_err(|e| e.to_string())
}

/// Debian's Chromium and ChromeDriver, for the widget's browser tests and the end-to-end test.
pub fn ensure_chromium() -> Result<(), String> {
    if PathBuf::from("/usr/bin/chromium").exists()
        && PathBuf::from("/usr/bin/chromedriver").exists()
    {
        return Ok(());
    }
    step("installing Debian chromium and chromium-driver (apt-get)");
    let sudo = if output("id", &["-u"])
        .map(|s| s.trim() == "0")
        .unwrap_or(false)
    {
        None
    } else {
        Some("sudo")
    };
    let apt = |args: &[&str]| {
        let mut c = match sudo {
            Some(s) => {
                let mut c = Command::new(s);
                c.arg("apt-get");
                c
            }
            None => Command::new("apt-get"),
        };
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run(&mut c)
    };
    apt(&["update", "-q"])?;
    apt(&["install", "-y", "-q", "chromium", "chromium-driver"])
}

/// Install everything; `browser` also installs Chromium (needed by tests, not by dev).
pub fn ensure_all(browser: bool) -> Result<Tools, String> {
    ensure_wasm_target()?;
    let wb_version = locked_version("wasm-bindgen")?;
    let wasm_bindgen = ensure_cargo_tool("wasm-bindgen-cli", "wasm-bindgen", &wb_version)?;
    let worker_build = ensure_cargo_tool("worker-build", "worker-build", WORKER_BUILD_VERSION)?;
    ensure_npm()?;
    if browser {
        ensure_chromium()?;
    }
    let root = root();
    Ok(Tools {
        wasm_bindgen,
        worker_build,
        wasm_opt: root.join("node_modules/.bin/wasm-opt"),
        esbuild: root.join("node_modules/@esbuild/linux-x64/bin/esbuild"),
    })
}
