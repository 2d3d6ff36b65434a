//! Shortens the names a widget module's wasm imports from its JS glue (`./baton_widget_bg.js`,
//! `__wbg_createElement_de4a…`) to one or two letters, in the wasm and the glue alike.

/// What the module name wasm-bindgen gives the glue's imports becomes.
const SHORT_MODULE: &str = "a";

/// Rewrite `wasm` and `js` (the minified glue) with short import names; the number renamed.
/// `glue_module` is the name wasm-bindgen gives the glue's imports (`./baton_widget_bg.js`).
pub fn shorten(wasm: &mut Vec<u8>, js: &mut String, glue_module: &str) -> Result<usize, String> {
    let (start, end) = import_section(wasm)?;
    let mut body = &wasm[start..end];
    let count = leb(&mut body)?;
    let exports = export_names(wasm)?;
    let mut out = Vec::new();
    push_leb(&mut out, count);
    let mut renamed = Vec::new();
    for _ in 0..count {
        let module = name(&mut body)?;
        let field = name(&mut body)?;
        let kind = take(&mut body, 1)?[0];
        let desc_start = body;
        skip_desc(&mut body, kind)?;
        let desc = &desc_start[..desc_start.len() - body.len()];
        let (module, field) = if module == glue_module && !exports.iter().any(|e| e == field) {
            let short = short_name(renamed.len());
            renamed.push((field.to_owned(), short.clone()));
            (SHORT_MODULE.to_owned(), short)
        } else {
            (module.to_owned(), field.to_owned())
        };
        push_name(&mut out, &module);
        push_name(&mut out, &field);
        out.push(kind);
        out.extend_from_slice(desc);
    }
    if !body.is_empty() {
        return Err("wasm import section: bytes left after the last import".into());
    }
    // Longest names first, so no name is replaced inside a longer one.
    renamed.sort_by_key(|(long, _)| std::cmp::Reverse(long.len()));
    for (long, short) in &renamed {
        let hits = replace_word(js, long, short);
        if hits != 1 {
            return Err(format!(
                "{glue_module}: import {long} found {hits} times (expected once); \
                 wasm-bindgen's output changed, update xtask/src/imports.rs"
            ));
        }
    }
    let quoted = format!("\"{glue_module}\"");
    if replace_word(js, &quoted, SHORT_MODULE) != 1 {
        return Err(format!("glue of {glue_module}: {quoted} not found once"));
    }
    // The section: id, new length, new body.
    let mut section = vec![2u8];
    push_leb(&mut section, out.len() as u32);
    section.extend_from_slice(&out);
    let header_start = section_header_start(wasm, start)?;
    wasm.splice(header_start..end, section);
    Ok(renamed.len())
}

/// `a`, `b`, … `Z`, then `aa`, `ab`, …: valid JS property names.
fn short_name(mut i: usize) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut s = Vec::new();
    loop {
        s.push(LETTERS[i % LETTERS.len()]);
        i /= LETTERS.len();
        if i == 0 {
            break;
        }
        i -= 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// Replace whole-word occurrences of `from` (not inside a longer identifier); the count.
fn replace_word(text: &mut String, from: &str, to: &str) -> usize {
    let ident =
        |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    let mut hits = 0;
    while let Some(at) = rest.find(from) {
        let before = if at > 0 {
            rest[..at].chars().next_back()
        } else {
            out.chars().next_back()
        };
        let after = rest[at + from.len()..].chars().next();
        out.push_str(&rest[..at]);
        if ident(before) || ident(after) {
            out.push_str(from);
        } else {
            out.push_str(to);
            hits += 1;
        }
        rest = &rest[at + from.len()..];
    }
    out.push_str(rest);
    *text = out;
    hits
}

/// Byte range of the import section's body.
fn import_section(wasm: &[u8]) -> Result<(usize, usize), String> {
    section(wasm, 2)?.ok_or_else(|| "wasm has no import section".into())
}

fn export_names(wasm: &[u8]) -> Result<Vec<String>, String> {
    let Some((start, end)) = section(wasm, 7)? else {
        return Ok(Vec::new());
    };
    let mut body = &wasm[start..end];
    let mut names = Vec::new();
    for _ in 0..leb(&mut body)? {
        names.push(name(&mut body)?.to_owned());
        take(&mut body, 1)?;
        leb(&mut body)?;
    }
    Ok(names)
}

/// Body range of the first section with `id`.
fn section(wasm: &[u8], id: u8) -> Result<Option<(usize, usize)>, String> {
    if wasm.get(..8) != Some(b"\0asm\x01\0\0\0".as_slice()) {
        return Err("not a wasm module (version 1)".into());
    }
    let mut rest = &wasm[8..];
    while let Some((&sid, tail)) = rest.split_first() {
        rest = tail;
        let len = leb(&mut rest)? as usize;
        let start = wasm.len() - rest.len();
        take(&mut rest, len)?;
        if sid == id {
            return Ok(Some((start, start + len)));
        }
    }
    Ok(None)
}

/// Where the header (id byte and length) of the section whose body starts at `body` begins.
fn section_header_start(wasm: &[u8], body: usize) -> Result<usize, String> {
    // The length is a LEB128 ending right before the body; the id byte comes before it.
    let mut at = body - 1;
    while at > 0 && wasm[at - 1] & 0x80 != 0 {
        at -= 1;
    }
    at.checked_sub(1)
        .ok_or_else(|| "wasm: malformed section header".into())
}

fn skip_desc(body: &mut &[u8], kind: u8) -> Result<(), String> {
    match kind {
        0 => {
            leb(body)?; // function: type index
        }
        1 => {
            take(body, 1)?; // table: element type, then limits
            limits(body)?;
        }
        2 => limits(body)?, // memory
        3 => {
            take(body, 2)?; // global: value type, mutability
        }
        4 => {
            take(body, 1)?; // tag: attribute, type index
            leb(body)?;
        }
        other => return Err(format!("wasm import of unknown kind {other}")),
    }
    Ok(())
}

fn limits(body: &mut &[u8]) -> Result<(), String> {
    let flags = take(body, 1)?[0];
    leb(body)?;
    if flags & 1 != 0 {
        leb(body)?;
    }
    Ok(())
}

fn take<'a>(body: &mut &'a [u8], n: usize) -> Result<&'a [u8], String> {
    if body.len() < n {
        return Err("wasm: unexpected end of section".into());
    }
    let (head, tail) = body.split_at(n);
    *body = tail;
    Ok(head)
}

fn leb(body: &mut &[u8]) -> Result<u32, String> {
    let mut value: u32 = 0;
    for shift in (0..35).step_by(7) {
        let b = take(body, 1)?[0];
        value |= u32::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("wasm: LEB128 number too long".into())
}

fn name<'a>(body: &mut &'a [u8]) -> Result<&'a str, String> {
    let len = leb(body)? as usize;
    std::str::from_utf8(take(body, len)?).map_err(|_| "wasm: a name is not UTF-8".into())
}

fn push_leb(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn push_name(out: &mut Vec<u8>, s: &str) {
    push_leb(out, s.len() as u32);
    out.extend_from_slice(s.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_unique_identifiers() {
        let names: Vec<String> = (0..3000).map(short_name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        assert_eq!(names[0], "a");
        assert_eq!(names[52], "aa");
        assert!(names
            .iter()
            .all(|n| n.bytes().all(|b| b.is_ascii_alphabetic())));
    }

    #[test]
    fn replaces_whole_words_only() {
        let mut js = String::from("{__wbg_x_1:function(){},__wbg_x_12:1,a.__wbg_x_1}");
        assert_eq!(replace_word(&mut js, "__wbg_x_1", "b"), 2);
        assert_eq!(js, "{b:function(){},__wbg_x_12:1,a.b}");
    }

    #[test]
    fn rewrites_a_module_and_its_glue() {
        // (module (import "./baton_widget_bg.js" "__wbg_f_1" (func)) (import "env" "g" (func)))
        let mut wasm = b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0".to_vec();
        let mut imports = vec![2u8];
        push_name(&mut imports, "./baton_widget_bg.js");
        push_name(&mut imports, "__wbg_f_1");
        imports.extend_from_slice(&[0, 0]);
        push_name(&mut imports, "env");
        push_name(&mut imports, "g");
        imports.extend_from_slice(&[0, 0]);
        wasm.push(2);
        push_leb(&mut wasm, imports.len() as u32);
        wasm.extend_from_slice(&imports);
        let mut js =
            String::from("const i={__wbg_f_1:function(){}};x={\"./baton_widget_bg.js\":i}");
        assert_eq!(
            shorten(&mut wasm, &mut js, "./baton_widget_bg.js").unwrap(),
            1
        );
        assert_eq!(js, "const i={a:function(){}};x={a:i}");
        let (start, end) = import_section(&wasm).unwrap();
        let mut body = &wasm[start..end];
        assert_eq!(leb(&mut body).unwrap(), 2);
        assert_eq!(name(&mut body).unwrap(), "a");
        assert_eq!(name(&mut body).unwrap(), "a");
        take(&mut body, 2).unwrap();
        assert_eq!(name(&mut body).unwrap(), "env");
        assert_eq!(name(&mut body).unwrap(), "g");
    }
}
