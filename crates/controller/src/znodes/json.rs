//! Writing JSON the way Kafka's `Json.encodeAsBytes` (a default Jackson
//! `ObjectMapper`) does: compact, keys in the order given, strings escaped
//! as Jackson escapes them; and reading it back with clear errors.

use serde_json::{Map, Value};

use super::ZnodeDecodeError;

/// A JSON string literal, Jackson style: `"` and `\` escaped, control
/// characters as `\n`-style or `\u00XX` (upper-case hex), nothing else
/// (no `\/`, non-ASCII as raw UTF-8).
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `null` or a string.
pub fn opt_string(s: Option<&str>) -> String {
    s.map(string).unwrap_or_else(|| "null".to_string())
}

/// An array of ints: `[1,2,3]`.
pub fn int_array(items: &[i32]) -> String {
    let inner: Vec<String> = items.iter().map(|i| i.to_string()).collect();
    format!("[{}]", inner.join(","))
}

/// An array of already-encoded values.
pub fn array<I: IntoIterator<Item = String>>(items: I) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(","))
}

/// An object from `(key, encoded value)` pairs, in exactly this order.
pub fn object<'a, I: IntoIterator<Item = (&'a str, String)>>(entries: I) -> String {
    let inner: Vec<String> = entries
        .into_iter()
        .map(|(k, v)| format!("{}:{}", string(k), v))
        .collect();
    format!("{{{}}}", inner.join(","))
}

/// An object whose entries are emitted in `order` (keys of `entries`).
pub fn object_in_order(order: &[&str], entries: &[(&str, String)]) -> String {
    object(order.iter().filter_map(|k| {
        entries
            .iter()
            .find(|(key, _)| key == k)
            .map(|(key, v)| (*key, v.clone()))
    }))
}

/// Reading: a parsed JSON object plus the znode kind for error messages.
pub struct Reader<'a> {
    pub znode: &'static str,
    pub obj: &'a Map<String, Value>,
}

pub fn parse(znode: &'static str, bytes: &[u8]) -> Result<Value, ZnodeDecodeError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ZnodeDecodeError::new(znode, format!("invalid JSON: {e}")))
}

pub fn as_object<'a>(znode: &'static str, v: &'a Value) -> Result<Reader<'a>, ZnodeDecodeError> {
    v.as_object()
        .map(|obj| Reader { znode, obj })
        .ok_or_else(|| ZnodeDecodeError::new(znode, "expected a JSON object".to_string()))
}

impl<'a> Reader<'a> {
    fn err(&self, msg: String) -> ZnodeDecodeError {
        ZnodeDecodeError::new(self.znode, msg)
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    pub fn required(&self, key: &str) -> Result<&'a Value, ZnodeDecodeError> {
        self.get(key)
            .ok_or_else(|| self.err(format!("missing field \"{key}\"")))
    }

    pub fn int(&self, key: &str) -> Result<i32, ZnodeDecodeError> {
        self.int_value(key, self.required(key)?)
    }

    pub fn int_value(&self, what: &str, v: &Value) -> Result<i32, ZnodeDecodeError> {
        v.as_i64()
            .and_then(|i| i32::try_from(i).ok())
            .ok_or_else(|| self.err(format!("\"{what}\" is not a 32-bit integer: {v}")))
    }

    pub fn str(&self, key: &str) -> Result<&'a str, ZnodeDecodeError> {
        let v = self.required(key)?;
        v.as_str()
            .ok_or_else(|| self.err(format!("\"{key}\" is not a string: {v}")))
    }

    pub fn opt_str(&self, key: &str) -> Result<Option<&'a str>, ZnodeDecodeError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_str()
                .map(Some)
                .ok_or_else(|| self.err(format!("\"{key}\" is not a string: {v}"))),
        }
    }

    pub fn int_list(&self, key: &str) -> Result<Vec<i32>, ZnodeDecodeError> {
        self.int_list_value(key, self.required(key)?)
    }

    pub fn int_list_value(&self, what: &str, v: &Value) -> Result<Vec<i32>, ZnodeDecodeError> {
        let arr = v
            .as_array()
            .ok_or_else(|| self.err(format!("\"{what}\" is not an array: {v}")))?;
        arr.iter().map(|x| self.int_value(what, x)).collect()
    }

    pub fn object(&self, key: &str) -> Result<Reader<'a>, ZnodeDecodeError> {
        let v = self.required(key)?;
        v.as_object()
            .map(|obj| Reader {
                znode: self.znode,
                obj,
            })
            .ok_or_else(|| self.err(format!("\"{key}\" is not an object: {v}")))
    }

    pub fn opt_object(&self, key: &str) -> Result<Option<Reader<'a>>, ZnodeDecodeError> {
        match self.get(key) {
            None => Ok(None),
            Some(_) => self.object(key).map(Some),
        }
    }

    pub fn array(&self, key: &str) -> Result<&'a Vec<Value>, ZnodeDecodeError> {
        let v = self.required(key)?;
        v.as_array()
            .ok_or_else(|| self.err(format!("\"{key}\" is not an array: {v}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_like_jackson() {
        assert_eq!(string("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(string("x/y"), r#""x/y""#);
        assert_eq!(string("\n\t\u{1}"), r#""\n\t\u0001""#);
        assert_eq!(string("\u{1f}"), r#""\u001F""#);
        assert_eq!(string("é"), "\"é\"");
    }

    #[test]
    fn objects_and_arrays_are_compact() {
        assert_eq!(
            object([("a", int_array(&[1, 2])), ("b", opt_string(None))]),
            r#"{"a":[1,2],"b":null}"#
        );
        assert_eq!(int_array(&[]), "[]");
        assert_eq!(object(std::iter::empty()), "{}");
    }
}
