//! The Content-Security-Policy is written twice: in `web/index.html`'s
//! `<meta>` (any static host) and in `Trunk.toml`'s `[serve.headers]`
//! (`cargo xtask serve` sends it on every response, workers included, and
//! `tests/e2e/harness.mjs` sends the `<meta>` one). These tests keep the
//! two equal and strict.

/// The `content` of `<meta http-equiv="Content-Security-Policy">` in `html`.
pub fn meta_csp(html: &str) -> Option<String> {
    let at = html.find("http-equiv=\"Content-Security-Policy\"")?;
    let rest = &html[at..];
    let start = rest.find("content=\"")? + "content=\"".len();
    let end = rest[start..].find('"')?;
    Some(rest[start..start + end].to_string())
}

/// The value of `"Content-Security-Policy" = "..."` in a Trunk.toml.
pub fn trunk_csp(toml: &str) -> Option<String> {
    let line = toml
        .lines()
        .find(|l| l.trim_start().starts_with("\"Content-Security-Policy\""))?;
    let value = line.split_once('=')?.1.trim();
    Some(value.strip_prefix('"')?.strip_suffix('"')?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = include_str!("../../web/index.html");
    const TRUNK: &str = include_str!("../../Trunk.toml");

    #[test]
    fn the_served_header_is_the_pages_meta_policy() {
        let meta = meta_csp(INDEX).expect("web/index.html has a CSP <meta>");
        let header = trunk_csp(TRUNK).expect("Trunk.toml [serve.headers] sends the CSP");
        assert_eq!(header, meta);
    }

    #[test]
    fn the_policy_allows_no_inline_script_and_no_remote_origin() {
        let csp = meta_csp(INDEX).unwrap();
        assert!(csp.starts_with("default-src 'none';"), "{csp}");
        for bad in [
            "'unsafe-inline'",
            "'unsafe-eval'",
            "*",
            "http:",
            "https:",
            "data:",
            "blob:",
        ] {
            assert!(!csp.contains(bad), "{bad} in {csp}");
        }
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
            "{csp}"
        );
    }

    #[test]
    fn cross_origin_isolation_is_kept() {
        assert!(TRUNK.contains("\"Cross-Origin-Opener-Policy\" = \"same-origin\""));
        assert!(TRUNK.contains("\"Cross-Origin-Embedder-Policy\" = \"require-corp\""));
    }
}
