//! ZooKeeper path rules (`PathUtils.validatePath`) and path arithmetic.

/// Why a path is not a valid znode path. The server reports all of these
/// as `BADARGUMENTS`, as ZooKeeper's client would refuse them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidPath {
    pub path: String,
    pub reason: &'static str,
}

impl std::fmt::Display for InvalidPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Invalid path string \"{}\" caused by {}",
            self.path, self.reason
        )
    }
}

/// Checks `path` as ZooKeeper does. A sequential create may end in `/`
/// (the sequence number becomes the whole name), so `sequential` allows it.
pub fn validate(path: &str, sequential: bool) -> Result<(), InvalidPath> {
    let bad = |reason| {
        Err(InvalidPath {
            path: path.to_string(),
            reason,
        })
    };
    if path.is_empty() {
        return bad("empty path");
    }
    if !path.starts_with('/') {
        return bad("path must start with / character");
    }
    if path.len() == 1 {
        return Ok(());
    }
    if path.ends_with('/') && !sequential {
        return bad("path must not end with / character");
    }
    let body = if sequential {
        path.strip_suffix('/').unwrap_or(path)
    } else {
        path
    };
    for name in body[1..].split('/') {
        if name.is_empty() {
            return bad("empty node name specified");
        }
        if name == "." || name == ".." {
            return bad("relative paths not allowed");
        }
        if name.chars().any(|c| {
            c == '\0'
                || ('\u{1}'..='\u{1f}').contains(&c)
                || ('\u{7f}'..='\u{9f}').contains(&c)
                // (Surrogates, banned too, cannot occur in a Rust str.)
                || ('\u{e000}'..='\u{f8ff}').contains(&c)
                || ('\u{fff0}'..='\u{ffff}').contains(&c)
        }) {
            return bad("invalid character");
        }
    }
    Ok(())
}

/// The parent of a non-root path (`"/a/b"` → `"/a"`, `"/a"` → `"/"`).
pub fn parent(path: &str) -> Option<&str> {
    if path == "/" {
        return None;
    }
    match path.rfind('/') {
        Some(0) => Some("/"),
        Some(i) => Some(&path[..i]),
        None => None,
    }
}

/// The last component of a path (`"/a/b"` → `"b"`).
pub fn name(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => &path[i + 1..],
        None => path,
    }
}

/// `parent` joined with a child `name`.
pub fn join(parent: &str, name: &str) -> String {
    if parent == "/" {
        format!("/{name}")
    } else {
        format!("{parent}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_like_zookeeper() {
        assert!(validate("/", false).is_ok());
        assert!(validate("/brokers/ids/1", false).is_ok());
        assert!(validate("", false).is_err());
        assert!(validate("brokers", false).is_err());
        assert!(validate("/brokers/", false).is_err());
        assert!(validate("/brokers//ids", false).is_err());
        assert!(validate("/a/./b", false).is_err());
        assert!(validate("/a/../b", false).is_err());
        assert!(validate("/a\u{0}b", false).is_err());
        // A sequential create may end in '/': the name is the sequence number.
        assert!(validate("/seq/", true).is_ok());
        assert!(validate("/seq//", true).is_err());
    }

    #[test]
    fn parent_name_join() {
        assert_eq!(parent("/"), None);
        assert_eq!(parent("/a"), Some("/"));
        assert_eq!(parent("/a/b/c"), Some("/a/b"));
        assert_eq!(name("/a/b"), "b");
        assert_eq!(name("/"), "");
        assert_eq!(join("/", "a"), "/a");
        assert_eq!(join("/a", "b"), "/a/b");
    }
}
