//! Build step: VADER's word list (`lexicon/vader_lexicon.tsv`, kept as published) regrouped by
//! valence for embedding, which makes the compiled word list about 4.6 KB smaller gzipped.
//!
//! Output (`$OUT_DIR/vader_by_valence.txt`): a line `\t<valence>` starts a group, then one word
//! per line. A word listed twice keeps its last valence, as a map filled in file order would.

use std::collections::BTreeMap;
use std::fmt::Write as _;

fn main() {
    let source = "lexicon/vader_lexicon.tsv";
    println!("cargo:rerun-if-changed={source}");
    let text = std::fs::read_to_string(source).expect("read the sentiment word list");
    let mut last: BTreeMap<&str, &str> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for line in text.lines() {
        let Some((word, valence)) = line.split_once('\t') else {
            continue;
        };
        if last.insert(word, valence.trim()).is_none() {
            order.push(word);
        }
    }
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for word in order {
        groups.entry(last[word]).or_default().push(word);
    }
    let mut out = String::new();
    for (valence, words) in groups {
        let _ = writeln!(out, "\t{valence}");
        for word in words {
            let _ = writeln!(out, "{word}");
        }
    }
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR"))
        .join("vader_by_valence.txt");
    std::fs::write(dest, out).expect("write the regrouped word list");
}
