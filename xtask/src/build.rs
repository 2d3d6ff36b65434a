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

/// Build only the widget (both wasm modules, their glue and the loader) into `dist/www/`, for
/// measuring it.
pub fn widget_only(tools: &Tools) -> Result<(), String> {
    let www = root().join("dist/www");
    std::fs::create_dir_all(www.join("widget")).map_err(|e| e.to_string())?;
    widget(tools, &www)
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

/// The widget's two wasm modules: `baton_widget` (loaded on first open) and `baton_sense`
/// (hard triggers and PII masking, fetched by the widget when the composer is first used).
const WIDGET_MODULES: [&str; 2] = ["baton_widget", "baton_sense"];

fn widget(tools: &Tools, www: &Path) -> Result<(), String> {
    step("building the widget (two wasm modules)");
    run(Command::new("cargo").args([
        "build",
        "--release",
        "--package",
        "baton-widget",
        "--package",
        "baton-sense",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    let out = www.join("widget");
    for name in WIDGET_MODULES {
        wasm_module(tools, &out, name)?;
    }
    let snippets = out.join("snippets");
    if snippets.exists() {
        std::fs::remove_dir_all(&snippets).map_err(|e| format!("{}: {e}", snippets.display()))?;
    }
    run(Command::new(&tools.esbuild)
        .arg(root().join("widget/js/loader.js"))
        .args(["--minify", "--log-level=warning"])
        .arg(format!("--outfile={}", www.join("widget.js").display())))?;
    Ok(())
}

/// `out/{name}.js` (the glue) and `out/{name}_bg.wasm` from the release build of `name`.
fn wasm_module(tools: &Tools, out: &Path, name: &str) -> Result<(), String> {
    run(Command::new(&tools.wasm_bindgen)
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(out)
        .arg(root().join(format!("target/wasm32-unknown-unknown/release/{name}.wasm"))))?;
    // The JS glue is loaded on first open too: minified, it is a quarter smaller (gzip). The
    // widget's own JS modules (`widget/js/*.js`, wasm-bindgen snippets) are bundled into it.
    let glue = out.join(format!("{name}.js"));
    run(Command::new(&tools.esbuild)
        .arg(&glue)
        .args([
            "--bundle",
            "--minify",
            "--format=esm",
            "--allow-overwrite",
            "--log-level=warning",
        ])
        .arg(format!("--outfile={}", glue.display())))?;
    let wasm = out.join(format!("{name}_bg.wasm"));
    // Flattening and re-looping before two -Oz rounds: 0.5 % smaller than -Oz alone (gzip);
    // merging similar functions (one body with a parameter for what differs) 0.3 % more.
    run(Command::new(&tools.wasm_opt)
        .args([
            "--flatten",
            "--rereloop",
            "--merge-similar-functions",
            "-Oz",
            "-Oz",
        ])
        .args(["--strip-debug", "--strip-producers"])
        .args([
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-mutable-globals",
        ])
        .arg(&wasm)
        .arg("-o")
        .arg(&wasm))?;
    shorten_imports(&wasm, &glue, &format!("./{name}_bg.js"))
}

/// The imports between a module's wasm and its glue get one- or two-letter names.
fn shorten_imports(wasm: &Path, glue: &Path, glue_module: &str) -> Result<(), String> {
    let read_err = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    let mut bytes = std::fs::read(wasm).map_err(|e| read_err(wasm, e))?;
    let mut js = std::fs::read_to_string(glue).map_err(|e| read_err(glue, e))?;
    let n = crate::imports::shorten(&mut bytes, &mut js, glue_module)?;
    std::fs::write(wasm, bytes).map_err(|e| read_err(wasm, e))?;
    std::fs::write(glue, js).map_err(|e| read_err(glue, e))?;
    let file = wasm.file_name().unwrap_or_default().to_string_lossy();
    step(&format!("shortened {n} import name(s) of {file}"));
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
