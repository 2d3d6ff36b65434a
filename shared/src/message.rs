//! Customer-facing text rendered from the config's per-locale templates.
//! Placeholders are `{name}`; unknown ones are left as written so a typo is visible, not silent.

/// Fill `{name}` placeholders in `template` from `values`.
pub fn render(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match values.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    // Templates may leave an empty placeholder between sentences; keep spacing tidy.
    let mut tidy = String::with_capacity(out.len());
    for word in out.split_whitespace() {
        if !tidy.is_empty() {
            tidy.push(' ');
        }
        tidy.push_str(word);
    }
    tidy
}

/// How a category reads to a customer in a sentence ("about {topic}").
pub fn topic_label(category: &str) -> String {
    match category {
        "billing" => "your billing question".into(),
        "sales" => "plans and pricing".into(),
        "account" => "your account".into(),
        "legal" => "your legal or privacy request".into(),
        "technical" | "bug" => "the technical problem".into(),
        "general" | "" => "your question".into(),
        other => format!("your {} question", other.replace(['_', '-'], " ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_known_placeholders_and_keeps_unknown_ones() {
        let s = render(
            "About {topic}: {wait} {oops}",
            &[("topic", "billing"), ("wait", "")],
        );
        assert_eq!(s, "About billing: {oops}");
    }

    #[test]
    fn unclosed_brace_is_kept() {
        assert_eq!(render("a {b", &[]), "a {b");
    }
}
