//! `cargo xtask size`: gzip sizes of what a host page downloads before the chat opens (the
//! loader), on first open (widget JS + wasm), when the composer is first used, and the worker.

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

/// When a host page pays for a file.
#[derive(Clone, Copy, PartialEq)]
enum When {
    BeforeOpen,
    FirstOpen,
    /// The second module, fetched when the composer is first focused or typed in.
    Composer,
    Worker,
}

impl When {
    fn label(self) -> &'static str {
        match self {
            Self::BeforeOpen => "before the chat opens",
            Self::FirstOpen => "on first open",
            Self::Composer => "when the composer is first used",
            Self::Worker => "worker",
        }
    }
}

/// Print the size table (after a build); `worker: false` leaves the worker's rows out.
pub fn report(worker: bool) -> Result<(), String> {
    use When::*;
    let root = root();
    let rows = [
        (BeforeOpen, "loader", "dist/www/widget.js"),
        (
            FirstOpen,
            "widget JS glue",
            "dist/www/widget/baton_widget.js",
        ),
        (
            FirstOpen,
            "widget wasm",
            "dist/www/widget/baton_widget_bg.wasm",
        ),
        (Composer, "sense JS glue", "dist/www/widget/baton_sense.js"),
        (
            Composer,
            "sense wasm",
            "dist/www/widget/baton_sense_bg.wasm",
        ),
        (Worker, "worker JS", "edge/build/index.js"),
        (Worker, "worker wasm", "edge/build/index_bg.wasm"),
    ];
    println!("\n| when | file | bytes | gzip -9 bytes |\n|---|---|---:|---:|");
    let mut totals = [(FirstOpen, 0), (Composer, 0), (Worker, 0)];
    for (when, name, path) in rows {
        if when == Worker && !worker {
            continue;
        }
        let (raw, gz) = gzip_len(&root.join(path))?;
        for (w, total) in &mut totals {
            if *w == when {
                *total += gz;
            }
        }
        println!("| {} | {name} ({path}) | {raw} | {gz} |", when.label());
    }
    let [(_, open), (_, composer), (_, worker_total)] = totals;
    println!("| on first open | total (goal ≤ 51200) | | {open} |");
    println!("| when the composer is first used | total | | {composer} |");
    println!("| widget, both modules | total | | {} |", open + composer);
    if worker {
        println!("| worker | total | | {worker_total} |");
    }
    Ok(())
}
