//! Splits one scenario line into words.
//!
//! A word is a run of non-blank characters; a double-quoted segment inside it
//! may hold blanks, `#`, `,`, `=` and the other separators, which then lose
//! their meaning (so `value="a, b"` is one value, `"none"` is the string
//! `none`, not the empty set). Escapes inside quotes: `\"`, `\\`, `\n`, `\t`.
//! `#` outside quotes starts a comment that runs to the end of the line.

/// One piece of a word: either bare text or the contents of a quoted segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    pub quoted: bool,
}

/// One blank-separated word of a line, kept as segments so that separators
/// (`=`, `,`, `:`, `|`) are only recognised outside quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub segments: Vec<Segment>,
}

impl Word {
    /// The word's text with quotes removed and escapes resolved.
    pub fn text(&self) -> String {
        self.segments.iter().map(|s| s.text.as_str()).collect()
    }

    /// The word as it was written (quotes and escapes restored), for messages.
    pub fn source(&self) -> String {
        self.segments
            .iter()
            .map(|s| {
                if s.quoted {
                    quote(&s.text)
                } else {
                    s.text.clone()
                }
            })
            .collect()
    }

    /// True if any part of the word was quoted.
    pub fn is_quoted(&self) -> bool {
        self.segments.iter().any(|s| s.quoted)
    }

    /// The word's text if it has no quoted part (keywords, names, numbers).
    pub fn bare(&self) -> Option<String> {
        if self.is_quoted() {
            None
        } else {
            Some(self.text())
        }
    }

    /// Splits at the first `sep` outside quotes: `acks=all` -> (`acks`, `all`).
    pub fn split_once(&self, sep: char) -> Option<(Word, Word)> {
        for (i, seg) in self.segments.iter().enumerate() {
            if seg.quoted {
                continue;
            }
            if let Some(pos) = seg.text.find(sep) {
                let mut left: Vec<Segment> = self.segments[..i].to_vec();
                let mut right = Vec::new();
                push(&mut left, &seg.text[..pos], false);
                push(&mut right, &seg.text[pos + sep.len_utf8()..], false);
                right.extend(self.segments[i + 1..].iter().cloned());
                return Some((Word { segments: left }, Word { segments: right }));
            }
        }
        None
    }

    /// Splits at every `sep` outside quotes: `a,"b,c",d` -> `a`, `b,c`, `d`.
    pub fn split_all(&self, sep: char) -> Vec<Word> {
        let mut parts = Vec::new();
        let mut rest = self.clone();
        while let Some((left, right)) = rest.split_once(sep) {
            parts.push(left);
            rest = right;
        }
        parts.push(rest);
        parts
    }

    /// True for a word with no text at all (for example after `key=`),
    /// but not for `""`, which is an explicit empty string.
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }
}

fn push(segments: &mut Vec<Segment>, text: &str, quoted: bool) {
    // Empty bare pieces carry nothing; an empty quoted piece is a real "".
    if text.is_empty() && !quoted {
        return;
    }
    segments.push(Segment {
        text: text.to_string(),
        quoted,
    });
}

/// Removes a trailing `#` comment (outside quotes). Quoting errors are left
/// for [`words`] to report.
pub fn strip_comment(line: &str) -> &str {
    let mut in_quotes = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if in_quotes {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_quotes = false;
            }
        } else if c == '"' {
            in_quotes = true;
        } else if c == '#' {
            return &line[..i];
        }
    }
    line
}

/// Splits a line (comment included or not) into words.
pub fn words(line: &str) -> Result<Vec<Word>, String> {
    let line = strip_comment(line);
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(out);
        }
        let mut segments = Vec::new();
        let mut bare = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            if c != '"' {
                bare.push(c);
                continue;
            }
            push(&mut segments, &bare, false);
            bare.clear();
            let mut quoted = String::new();
            let mut closed = false;
            while let Some(q) = chars.next() {
                match q {
                    '"' => {
                        closed = true;
                        break;
                    }
                    '\\' => match chars.next() {
                        Some('"') => quoted.push('"'),
                        Some('\\') => quoted.push('\\'),
                        Some('n') => quoted.push('\n'),
                        Some('t') => quoted.push('\t'),
                        Some(other) => {
                            return Err(format!(
                                "unknown escape \\{other} in a quoted string (use \\\" \\\\ \\n or \\t)"
                            ))
                        }
                        None => break,
                    },
                    other => quoted.push(other),
                }
            }
            if !closed {
                return Err("unterminated quoted string (a closing \" is missing)".to_string());
            }
            push(&mut segments, &quoted, true);
        }
        push(&mut segments, &bare, false);
        out.push(Word { segments });
    }
}

/// Quotes `text` if it could not be read back bare as one list element
/// (blank, separator, quote, backslash, `#`, empty, or the word `none`).
pub fn quote_if_needed(text: &str) -> String {
    let plain = !text.is_empty()
        && text != "none"
        && !text.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '"' | '\\' | '#' | ',' | '=' | ':' | '|')
        });
    if plain {
        return text.to_string();
    }
    quote(text)
}

/// `text` in double quotes, with `"`, `\\`, newline and tab escaped.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            other => out.push(other),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        words(line).unwrap().iter().map(Word::text).collect()
    }

    #[test]
    fn splits_on_blanks_and_drops_comments() {
        assert_eq!(texts("  crash   1  # kill -9"), ["crash", "1"]);
        assert_eq!(texts("# only a comment"), Vec::<String>::new());
        assert_eq!(texts(""), Vec::<String>::new());
    }

    #[test]
    fn quotes_keep_blanks_and_hashes() {
        assert_eq!(
            texts(r#"send p t value="a # b" key=k"#),
            ["send", "p", "t", "value=a # b", "key=k"]
        );
        assert_eq!(texts(r#"say "x \"y\" \\ z""#), ["say", r#"x "y" \ z"#]);
    }

    #[test]
    fn reports_quoting_errors() {
        assert_eq!(
            words(r#"say "open"#).unwrap_err(),
            "unterminated quoted string (a closing \" is missing)"
        );
        assert_eq!(
            words(r#"say "a\qb""#).unwrap_err(),
            "unknown escape \\q in a quoted string (use \\\" \\\\ \\n or \\t)"
        );
    }

    #[test]
    fn separators_inside_quotes_do_not_split() {
        let w = &words(r#"value="a=b",c"#).unwrap()[0];
        let (k, v) = w.split_once('=').unwrap();
        assert_eq!(k.text(), "value");
        let parts: Vec<String> = v.split_all(',').iter().map(Word::text).collect();
        assert_eq!(parts, ["a=b", "c"]);
    }

    #[test]
    fn quote_if_needed_round_trips() {
        for s in ["v1", "a b", "none", "", "x\"y", "a,b", "tab\there", "k:v"] {
            let quoted = quote_if_needed(s);
            let w = &words(&quoted).unwrap()[0];
            assert_eq!(w.text(), s, "{quoted}");
            assert_eq!(w.split_all(',').len(), 1);
        }
    }
}
