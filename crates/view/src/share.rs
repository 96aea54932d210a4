//! The shareable URL fragment: `#scenario=<base64url>&seed=N`.
//!
//! The fragment never reaches a server, and what it carries is untrusted
//! (someone else's link): every problem is an error message saying what and
//! where; the scenario text itself is checked later by the engine like any
//! typed line.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A shared scenario and its seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shared {
    pub scenario: String,
    /// `None` when the link has no `seed=` (the page keeps its own).
    pub seed: Option<u64>,
}

/// base64url (RFC 4648 §5) without padding.
pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes base64url; `=` padding is accepted at the end only.
pub fn base64url_decode(text: &str) -> Result<Vec<u8>, String> {
    let trimmed = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for (i, c) in trimmed.bytes().enumerate() {
        let v = ALPHABET.iter().position(|&a| a == c).ok_or_else(|| {
            format!(
                "character {} ({:?}) is not base64url",
                i + 1,
                trimmed[i..].chars().next().unwrap_or('?')
            )
        })? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if trimmed.len() % 4 == 1 {
        return Err(format!(
            "{} characters cannot be base64url (one too many or too few)",
            trimmed.len()
        ));
    }
    Ok(out)
}

/// The fragment for `scenario` and `seed` (without the `#`).
pub fn to_fragment(scenario: &str, seed: u64) -> String {
    format!(
        "scenario={}&seed={seed}",
        base64url_encode(scenario.as_bytes())
    )
}

/// Reads a location hash (with or without `#`). `Ok(None)`: no scenario
/// in it. Unknown keys are ignored, so later links can carry more.
pub fn from_fragment(hash: &str) -> Result<Option<Shared>, String> {
    let hash = hash.strip_prefix('#').unwrap_or(hash);
    let (mut scenario, mut seed) = (None, None);
    for part in hash.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        match key {
            "scenario" => {
                let bytes = base64url_decode(value)
                    .map_err(|e| format!("the link's scenario is damaged: {e}"))?;
                let text = String::from_utf8(bytes).map_err(|e| {
                    format!(
                        "the link's scenario is not UTF-8 text (byte {})",
                        e.utf8_error().valid_up_to() + 1
                    )
                })?;
                scenario = Some(text);
            }
            "seed" => {
                seed = Some(value.parse::<u64>().map_err(|_| {
                    format!(
                        "the link's seed {value:?} is not a number from 0 to {}",
                        u64::MAX
                    )
                })?);
            }
            _ => {}
        }
    }
    Ok(scenario.map(|scenario| Shared { scenario, seed }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_rfc_4648_vectors() {
        // RFC 4648 §10, padding dropped.
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64url_encode(plain.as_bytes()), enc);
            assert_eq!(base64url_decode(enc).unwrap(), plain.as_bytes());
        }
        // The URL-safe letters: 0xfb 0xff -> "-_8".
        assert_eq!(base64url_encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(base64url_decode("-_8=").unwrap(), [0xfb, 0xff]);
    }

    #[test]
    fn a_fragment_round_trips_with_any_text() {
        let script = "cluster brokers=3\nsay \"领导者崩溃\" & = # ?\n";
        let frag = to_fragment(script, 42);
        assert!(frag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_=&".contains(&b)));
        let shared = from_fragment(&format!("#{frag}")).unwrap().unwrap();
        assert_eq!(shared.scenario, script);
        assert_eq!(shared.seed, Some(42));
    }

    #[test]
    fn no_scenario_is_none_and_unknown_keys_are_ignored() {
        assert_eq!(from_fragment(""), Ok(None));
        assert_eq!(from_fragment("#seed=3&lang=zh"), Ok(None));
        let s = from_fragment("lang=zh&scenario=Zm9v").unwrap().unwrap();
        assert_eq!((s.scenario.as_str(), s.seed), ("foo", None));
    }

    #[test]
    fn damaged_links_say_what_and_where() {
        let e = from_fragment("#scenario=Zm9v*A&seed=1").unwrap_err();
        assert_eq!(
            e,
            "the link's scenario is damaged: character 5 ('*') is not base64url"
        );
        let e = from_fragment("#scenario=Zm9vY").unwrap_err();
        assert!(e.contains("5 characters cannot be base64url"), "{e}");
        let e = from_fragment("#scenario=Zm9v&seed=-1").unwrap_err();
        assert!(
            e.starts_with("the link's seed \"-1\" is not a number"),
            "{e}"
        );
        // 0xff is never UTF-8.
        let e = from_fragment(&format!("#scenario={}", base64url_encode(b"ok\xff"))).unwrap_err();
        assert_eq!(e, "the link's scenario is not UTF-8 text (byte 3)");
    }
}
