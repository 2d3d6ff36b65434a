//! The `baton` command line: runs the shared decision core over files and standard input, so a
//! support lead can check a config, classify messages and replay transcripts before going live.

mod classify;
mod replay;

use std::process::ExitCode;

const USAGE: &str = "usage: baton <command>

commands:
  classify [--config FILE]            JSON lines {\"id\", \"text\"} on stdin -> one decision per line
  replay --config FILE FILE.jsonl     evaluate recorded conversations turn by turn [--json]
  check-config FILE                   list every problem in a site config (exit 1 if any)
  schema                              print the site config's JSON Schema";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("classify") => classify::run(&args[1..]),
        Some("replay") => replay::run(&args[1..]),
        Some("check-config") => check_config(&args[1..]),
        Some("schema") => {
            println!("{}", schema());
            Ok(())
        }
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// The site config's JSON Schema, pretty-printed.
fn schema() -> String {
    let schema = schemars::schema_for!(baton_shared::SiteConfig);
    serde_json::to_string_pretty(&schema).unwrap_or_default()
}

/// Read a config file or fail with a message naming it.
pub fn load_config(path: &str) -> Result<baton_shared::SiteConfig, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    baton_shared::SiteConfig::from_json(&text)
        .map_err(|e| format!("{path}: {e}\nrun `baton check-config {path}` for the list"))
}

fn check_config(args: &[String]) -> Result<(), String> {
    let [path] = args else {
        return Err("usage: baton check-config FILE".into());
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    match baton_shared::config::validate(&text) {
        Ok(c) => {
            println!(
                "{path}: ok (site {}, {} queue(s), {} segment(s), {} FAQ entries, connector {:?})",
                c.site.id,
                c.routing.queues.len(),
                c.segments.len(),
                c.ai.faq.len(),
                c.handoff.connector
            );
            Ok(())
        }
        Err(issues) => {
            for i in &issues {
                println!("{i}");
            }
            Err(format!(
                "{path}: {} problem(s); nothing was changed",
                issues.len()
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    /// The schema checked into www/ for editors must match the types; BATON_UPDATE_SCHEMA=1 rewrites it.
    #[test]
    fn checked_in_schema_matches_the_types() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../www/baton-config.schema.json");
        let generated = format!("{}\n", super::schema());
        if std::env::var_os("BATON_UPDATE_SCHEMA").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == generated,
            "www/baton-config.schema.json is out of date: run BATON_UPDATE_SCHEMA=1 cargo test -p baton-cli"
        );
    }

    #[test]
    fn examples_and_the_demo_config_are_valid() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for f in [
            "config/examples/b2b-saas.json",
            "config/examples/ecommerce.json",
            "config/sites/demo.json",
        ] {
            let text = std::fs::read_to_string(root.join(f)).unwrap();
            if let Err(issues) = baton_shared::config::validate(&text) {
                panic!("{f}: {issues:#?}");
            }
        }
    }
}
