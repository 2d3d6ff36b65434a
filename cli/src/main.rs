//! The `baton` command line: runs the shared decision core over files and stdin.
//! Subcommands are added by the decision-core work (classify, replay, check-config, schema).

fn main() {
    eprintln!("baton: no subcommand yet");
    std::process::exit(2);
}
