//! Builds what the worker serves: the wasm widget and loader, the static pages, and the worker.
//! Output: `dist/www/` (static assets) and `edge/build/` (the worker bundle wrangler runs).

use crate::setup::Tools;
use crate::{root, run, step};
use std::path::Path;
use std::process::Command;

/// Build everything.
pub fn all(tools: &Tools) -> Result<(), String> {
    let root = root();
    let www = root.join("dist/www");
    if www.exists() {
        std::fs::remove_dir_all(&www).map_err(|e| format!("clean dist/www: {e}"))?;
    }
    std::fs::create_dir_all(www.join("widget")).map_err(|e| e.to_string())?;
    static_pages(&root.join("www"), &www)?;
    widget(tools, &www)?;
    worker(tools)
}

fn static_pages(src: &Path, dst: &Path) -> Result<(), String> {
    for entry in std::fs::read_dir(src).map_err(|e| format!("{}: {e}", src.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        if entry.file_type().map_err(|e| e.to_string())?.is_file() {
            std::fs::copy(entry.path(), dst.join(entry.file_name())).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

fn widget(tools: &Tools, www: &Path) -> Result<(), String> {
    step("building the widget (wasm)");
    run(Command::new("cargo").args([
        "build",
        "--release",
        "--package",
        "baton-widget",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    let out = www.join("widget");
    run(Command::new(&tools.wasm_bindgen)
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(&out)
        .arg(root().join("target/wasm32-unknown-unknown/release/baton_widget.wasm")))?;
    // The JS glue is loaded on first open too: minified, it is a quarter smaller (gzip).
    let glue = out.join("baton_widget.js");
    run(Command::new(&tools.esbuild)
        .arg(&glue)
        .args(["--minify", "--format=esm", "--allow-overwrite", "--log-level=warning"])
        .arg(format!("--outfile={}", glue.display())))?;
    let wasm = out.join("baton_widget_bg.wasm");
    run(Command::new(&tools.wasm_opt)
        .args(["-Oz", "--strip-debug", "--strip-producers"])
        .args([
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-mutable-globals",
        ])
        .arg(&wasm)
        .arg("-o")
        .arg(&wasm))?;
    run(Command::new(&tools.esbuild)
        .arg(root().join("widget/js/loader.js"))
        .args(["--minify", "--log-level=warning"])
        .arg(format!("--outfile={}", www.join("widget.js").display())))?;
    Ok(())
}

fn worker(tools: &Tools) -> Result<(), String> {
    step("building the worker (worker-build --release)");
    run(Command::new(&tools.worker_build)
        .arg("--release")
        .current_dir(root().join("edge"))
        .env("WASM_BINDGEN_BIN", &tools.wasm_bindgen)
        .env("WASM_OPT_BIN", &tools.wasm_opt)
        .env("ESBUILD_BIN", &tools.esbuild))?;
    // worker-build optimises for speed; the worker ships over the network and has a size
    // budget, so squeeze it once more for size (about 10 % smaller gzip).
    step("optimising the worker's wasm for size (wasm-opt -Oz)");
    let wasm = root().join("edge/build/index_bg.wasm");
    run(Command::new(&tools.wasm_opt)
        .args(["-Oz", "--strip-debug", "--strip-producers"])
        .args([
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
        ])
        .args([
            "--enable-mutable-globals",
            "--enable-reference-types",
            "--enable-multivalue",
        ])
        .arg(&wasm)
        .arg("-o")
        .arg(&wasm))
}
