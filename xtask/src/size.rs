//! `cargo xtask size`: gzip sizes of what a host page downloads before the chat opens (the
//! loader), what opening the chat adds (widget JS + wasm), and the worker bundle.

use crate::root;
use std::path::Path;
use std::process::Command;

fn gzip_len(path: &Path) -> Result<(u64, u64), String> {
    let raw = std::fs::metadata(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len();
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .map_err(|e| format!("gzip: {e}"))?;
    Ok((raw, out.stdout.len() as u64))
}

/// Print the size table (after a build); `worker: false` leaves the worker's rows out.
pub fn report(worker: bool) -> Result<(), String> {
    let root = root();
    let rows = [
        (
            "before the chat opens",
            "loader dist/www/widget.js",
            "dist/www/widget.js",
        ),
        (
            "on first open",
            "widget JS glue",
            "dist/www/widget/baton_widget.js",
        ),
        (
            "on first open",
            "widget wasm",
            "dist/www/widget/baton_widget_bg.wasm",
        ),
        ("worker", "edge/build/index.js", "edge/build/index.js"),
        (
            "worker",
            "edge/build/index_bg.wasm",
            "edge/build/index_bg.wasm",
        ),
    ];
    println!("\n| when | file | bytes | gzip -9 bytes |\n|---|---|---:|---:|");
    let mut open_total = 0;
    let mut worker_total = 0;
    for (when, name, path) in rows {
        if when == "worker" && !worker {
            continue;
        }
        let (raw, gz) = gzip_len(&root.join(path))?;
        match when {
            "on first open" => open_total += gz,
            "worker" => worker_total += gz,
            _ => {}
        }
        println!("| {when} | {name} | {raw} | {gz} |");
    }
    println!("| on first open | total | | {open_total} |");
    if worker {
        println!("| worker | total | | {worker_total} |");
    }
    Ok(())
}
