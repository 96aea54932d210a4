//! Translation coverage: every English key the page passes to `Lang::t` or
//! `Lang::f` as a literal, in any file under `web/src/`, has a Chinese
//! entry in one of the tables. The sources are read at test time, so a new
//! file or panel is covered without editing this test.

use std::path::{Path, PathBuf};

/// A key found in the sources, with where it was found.
#[derive(Debug, PartialEq)]
pub(crate) struct Key {
    pub text: String,
    pub line: usize,
}

/// The source with every comment blanked out (newlines kept, so line
/// numbers stay), string and char literals untouched.
fn without_comments(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    out.push(b' ');
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    out.push(if b[i] == b'\n' { b'\n' } else { b' ' });
                    i += 1;
                }
                out.extend_from_slice(b"  ");
                i += 2;
            }
            b'"' => {
                let end = literal_end(b, i);
                out.extend_from_slice(&b[i..end]);
                i = end;
            }
            // A char literal ('"', '\'', '/'), not a lifetime ('static).
            b'\'' if b.get(i + 2) == Some(&b'\'') || b.get(i + 1) == Some(&b'\\') => {
                let mut j = i + 1;
                if b[j] == b'\\' {
                    j += 1;
                }
                j += 1;
                while j < b.len() && b[j] != b'\'' {
                    j += 1;
                }
                out.extend_from_slice(&b[i..=j.min(b.len() - 1)]);
                i = j + 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).expect("blanking keeps UTF-8: only ASCII is replaced")
}

/// The index just past the string literal that starts at `b[start] == '"'`.
fn literal_end(b: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// The value of the string literal `lit` (quotes included): escapes
/// decoded, a `\` at the end of a line skips the next line's indentation.
fn literal_value(lit: &str) -> String {
    let inner = &lit[1..lit.len() - 1];
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('\n') => {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// Every literal key of a `lang.t(...)` / `lang.f(...)` call (any receiver
/// whose name has `lang` in it): the literal itself, or each literal of an
/// `if` that picks one (`lang.t(if up { "up" } else { "down" })`). Calls
/// with a computed key (`lang.t(label)`) are counted in `dynamic`.
pub(crate) fn keys_in(src: &str, dynamic: &mut usize) -> Vec<Key> {
    let code = without_comments(src);
    let b = code.as_bytes();
    let line_of = |i: usize| code[..i].matches('\n').count() + 1;
    let mut keys = Vec::new();
    for pat in [".t(", ".f("] {
        for (at, _) in code.match_indices(pat) {
            let receiver: String = code[..at]
                .chars()
                .rev()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !receiver.contains("gnal") {
                continue; // reversed: the receiver's name has no "lang"
            }
            let mut i = at + pat.len();
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if b.get(i) == Some(&b'"') {
                let end = literal_end(b, i);
                keys.push(Key {
                    text: literal_value(&code[i..end]),
                    line: line_of(i),
                });
            } else if code[i..].starts_with("if ") {
                // Up to the argument's end: a `,` or `)` outside brackets.
                let mut depth = 0i32;
                while i < b.len() {
                    match b[i] {
                        b'"' => {
                            let end = literal_end(b, i);
                            keys.push(Key {
                                text: literal_value(&code[i..end]),
                                line: line_of(i),
                            });
                            i = end;
                            continue;
                        }
                        b'(' | b'[' | b'{' => depth += 1,
                        b')' | b']' | b'}' if depth == 0 => break,
                        b')' | b']' | b'}' => depth -= 1,
                        b',' if depth == 0 => break,
                        _ => {}
                    }
                    i += 1;
                }
            } else {
                *dynamic += 1;
            }
        }
    }
    keys
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("web/src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_literal_key_in_the_page_sources_has_chinese() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        files.sort();
        let (mut found, mut dynamic, mut missing) = (0, 0, Vec::new());
        // This file's own fixture keys are not the page's.
        files.retain(|f| !f.ends_with("i18n_coverage.rs"));
        for file in &files {
            let text = std::fs::read_to_string(file).expect("a source file");
            for k in keys_in(&text, &mut dynamic) {
                found += 1;
                if !crate::i18n::has_entry(&k.text) {
                    let rel = file.strip_prefix(&src).unwrap_or(file).display();
                    missing.push(format!("web/src/{rel}:{}: {:?}", k.line, k.text));
                }
            }
        }
        // The scan must see the page's strings, not silently nothing.
        assert!(
            found > 400,
            "only {found} keys found in {} files",
            files.len()
        );
        assert!(
            missing.is_empty(),
            "{} keys without Chinese ({found} checked, {dynamic} computed keys not checkable):\n{}",
            missing.len(),
            missing.join("\n")
        );
    }

    #[test]
    fn the_scan_reads_literals_ifs_and_multi_line_calls_and_skips_comments() {
        let src = r#"
            // lang.t("in a comment")
            /* lang.t("in a block comment") */
            let a = lang.t("plain \"quoted\" {}");
            let b = lang_v.f(
                "two \
                 lines {}",
                &[&x],
            );
            let c = lang.t(if up { "up" } else { "down" });
            let d = lang.f(if u { "x {}" } else { "y {}" }, &[&"not a key"]);
            let e = lang.t(label);
            let f = other.t("not the language");
            let g = '"'; let h = lang.t("after a quote char");
        "#;
        let mut dynamic = 0;
        let keys: Vec<String> = keys_in(src, &mut dynamic)
            .into_iter()
            .map(|k| k.text)
            .collect();
        assert_eq!(
            keys,
            [
                "plain \"quoted\" {}",
                "up",
                "down",
                "after a quote char",
                "two lines {}",
                "x {}",
                "y {}"
            ]
        );
        assert_eq!(dynamic, 1);
        let line = keys_in(src, &mut 0)[0].line;
        assert_eq!(line, 4);
    }
}
