//! The console's line history, recalled with ↑ and ↓ like a shell.

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    lines: Vec<String>,
    /// Position while browsing; `lines.len()` = the empty new line.
    cursor: usize,
}

impl History {
    /// Remembers a submitted line (not a repeat of the last one).
    pub fn push(&mut self, line: &str) {
        if !line.trim().is_empty() && self.lines.last().map(String::as_str) != Some(line) {
            self.lines.push(line.to_string());
        }
        self.cursor = self.lines.len();
    }

    /// ↑: the previous line, if any.
    pub fn up(&mut self) -> Option<&str> {
        if self.cursor == 0 {
            return self.lines.first().map(String::as_str);
        }
        self.cursor -= 1;
        self.lines.get(self.cursor).map(String::as_str)
    }

    /// ↓: the next line, or "" past the newest.
    pub fn down(&mut self) -> &str {
        self.cursor = (self.cursor + 1).min(self.lines.len());
        self.lines.get(self.cursor).map_or("", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_and_down_walk_the_lines() {
        let mut h = History::default();
        assert_eq!(h.up(), None);
        h.push("a");
        h.push("b");
        h.push("b");
        h.push("  ");
        assert_eq!(h.up(), Some("b"));
        assert_eq!(h.up(), Some("a"));
        assert_eq!(h.up(), Some("a"));
        assert_eq!(h.down(), "b");
        assert_eq!(h.down(), "");
        assert_eq!(h.down(), "");
        h.push("c");
        assert_eq!(h.up(), Some("c"));
    }
}
