//! Baton's task runner: `cargo xtask dev` runs Baton locally, `cargo xtask test` runs every test.
//! Both install what is missing (wasm target, wasm-bindgen-cli, worker-build, npm tools, Chromium).

mod build;
mod dev;
mod imports;
mod setup;
mod size;
mod test;

use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!(
        "usage: cargo xtask <command>\n\n\
         commands:\n  \
         dev [--port N]   build widget and worker, start Baton on 127.0.0.1 (default port 8787)\n  \
         test             run every test: Rust unit tests, widget tests in Chromium, end-to-end\n  \
         build            build widget, worker and static pages into dist/ and edge/build/\n  \
         size             build, then print gzip sizes of the loader, the widget and the worker\n  \
         size --widget    build only the widget, then print its gzip sizes (for size work on it)\n  \
         budgets          build, then measure worker size, CPU per message and 200-conversation load\n  \
         lighthouse       build, then Lighthouse on the demo page with and without the widget\n  \
         setup            only install the tools the other commands need"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("dev") => dev::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("build") => setup::ensure_all(false).and_then(|t| build::all(&t)),
        Some("size") if args.get(1).is_some_and(|a| a == "--widget") => setup::ensure_all(false)
            .and_then(|t| build::widget_only(&t).and_then(|_| size::report(false))),
        Some("size") => {
            setup::ensure_all(false).and_then(|t| build::all(&t).and_then(|_| size::report(true)))
        }
        Some("budgets") => setup::ensure_all(false).and_then(|t| {
            build::all(&t)?;
            run(std::process::Command::new("node").arg("scripts/budgets.mjs"))
        }),
        Some("lighthouse") => setup::ensure_all(true).and_then(|t| {
            build::all(&t)?;
            run(std::process::Command::new("node").args(["scripts/lighthouse.mjs", "5"]))
        }),
        Some("setup") => setup::ensure_all(true).map(|_| ()),
        _ => return usage(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (xtask lives one level below it).
pub fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits inside the workspace")
        .to_path_buf()
}

/// Print a progress line that stands out from tool output.
pub fn step(msg: &str) {
    eprintln!("\n==> {msg}");
}

/// Run a command in the workspace root; fail with the command line if it fails.
pub fn run(cmd: &mut std::process::Command) -> Result<(), String> {
    if cmd.get_current_dir().is_none() {
        cmd.current_dir(root());
    }
    let shown = format!("{cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed with {status}"))
    }
}
