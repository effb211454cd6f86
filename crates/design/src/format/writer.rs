//! JSON text written byte for byte as `serde_json` writes it, compact
//! (`to_string`) or indented (`to_string_pretty`), without its serializer.
//!
//! The page writes JSON as it is edited (the autosave, its requests to the
//! grading worker, its messages to a course page), so whatever writes it
//! is in the page's first download. `serde_json`'s serializer writes to an
//! `io::Write`, which brings the standard library's I/O errors and their
//! words with it; this writer appends to a `String` and cannot fail. The
//! numbers are `serde_json`'s own (`serde_json::Number`'s `Display`), and
//! strings are escaped as it escapes them, so the text is the same: the
//! tests compare the two on random values.

use serde_json::{Number, Value};

/// Builds one JSON value's text: call the value methods in document order
/// (a key before each member of an object), then [`JsonWriter::finish`].
///
/// ```
/// use design::format::writer::JsonWriter;
///
/// let mut w = JsonWriter::new(false);
/// w.begin_object();
/// w.key("name");
/// w.string("Café \"A\"");
/// w.key("sizes");
/// w.begin_array();
/// w.u64(3);
/// w.f64(0.5);
/// w.end_array();
/// w.end_object();
/// assert_eq!(w.finish(), r#"{"name":"Café \"A\"","sizes":[3,0.5]}"#);
/// ```
#[derive(Debug)]
pub struct JsonWriter {
    out: String,
    pretty: bool,
    /// The lists and objects open, innermost last.
    open: Vec<Open>,
}

/// A list or object being written.
#[derive(Debug, Clone, Copy)]
struct Open {
    /// A list (else an object).
    list: bool,
    /// Whether it has a member yet.
    has_member: bool,
}

impl JsonWriter {
    /// An empty text, indented by two spaces per level as
    /// `serde_json::to_string_pretty` writes if `pretty`, else compact.
    pub fn new(pretty: bool) -> Self {
        JsonWriter {
            out: String::new(),
            pretty,
            open: Vec::new(),
        }
    }

    /// The text written.
    pub fn finish(self) -> String {
        self.out
    }

    /// Starts an object: then [`key`](Self::key) and a value for each
    /// member, and [`end_object`](Self::end_object).
    pub fn begin_object(&mut self) {
        self.begin(false);
    }

    /// Ends the innermost object.
    pub fn end_object(&mut self) {
        self.end(false);
    }

    /// Starts a list: then its values, and [`end_array`](Self::end_array).
    pub fn begin_array(&mut self) {
        self.begin(true);
    }

    /// Ends the innermost list.
    pub fn end_array(&mut self) {
        self.end(true);
    }

    /// The key of the next member of the innermost object.
    pub fn key(&mut self, key: &str) {
        debug_assert!(
            matches!(self.open.last(), Some(o) if !o.list),
            "a key outside an object"
        );
        self.next_member();
        push_string(&mut self.out, key);
        self.out.push_str(if self.pretty { ": " } else { ":" });
    }

    /// A string value.
    pub fn string(&mut self, value: &str) {
        self.before_value();
        push_string(&mut self.out, value);
    }

    /// A whole number.
    pub fn u64(&mut self, value: u64) {
        self.number(&Number::from(value));
    }

    /// A whole number that may be negative.
    pub fn i64(&mut self, value: i64) {
        self.number(&Number::from(value));
    }

    /// A number with `serde_json`'s shortest digits (`300.0`, `1e+16`), or
    /// `null` if it is not finite, as `serde_json` writes an `f64`.
    pub fn f64(&mut self, value: f64) {
        match Number::from_f64(value) {
            Some(number) => self.number(&number),
            None => self.null(),
        }
    }

    /// `true` or `false`.
    pub fn bool(&mut self, value: bool) {
        self.before_value();
        self.out.push_str(if value { "true" } else { "false" });
    }

    /// `null`.
    pub fn null(&mut self) {
        self.before_value();
        self.out.push_str("null");
    }

    /// Any JSON value, as `serde_json` writes a `Value` (an object's
    /// members in the map's order).
    pub fn value(&mut self, value: &Value) {
        match value {
            Value::Null => self.null(),
            Value::Bool(b) => self.bool(*b),
            Value::Number(n) => self.number(n),
            Value::String(s) => self.string(s),
            Value::Array(items) => {
                self.begin_array();
                for item in items {
                    self.value(item);
                }
                self.end_array();
            }
            Value::Object(members) => {
                self.begin_object();
                for (key, member) in members {
                    self.key(key);
                    self.value(member);
                }
                self.end_object();
            }
        }
    }

    fn number(&mut self, number: &Number) {
        use std::fmt::Write as _;
        self.before_value();
        // Writing to a String cannot fail.
        let _ = write!(self.out, "{number}");
    }

    /// Before a value: in a list, the separator from the member before.
    /// (In an object, `key` has written it.)
    fn before_value(&mut self) {
        if let Some(Open { list: true, .. }) = self.open.last() {
            self.next_member();
        }
    }

    fn next_member(&mut self) {
        let depth = self.open.len();
        let Some(open) = self.open.last_mut() else {
            return;
        };
        if open.has_member {
            self.out.push(',');
        }
        open.has_member = true;
        if self.pretty {
            self.out.push('\n');
            self.indent(depth);
        }
    }

    /// Opens a list (`list`) or an object.
    fn begin(&mut self, list: bool) {
        self.before_value();
        self.out.push(if list { '[' } else { '{' });
        self.open.push(Open {
            list,
            has_member: false,
        });
    }

    /// Closes the innermost list (`list`) or object: on a line of its own
    /// when indented and it has members.
    fn end(&mut self, list: bool) {
        debug_assert!(
            matches!(self.open.last(), Some(o) if o.list == list),
            "no {} to end",
            if list { "list" } else { "object" }
        );
        if let Some(open) = self.open.pop() {
            if self.pretty && open.has_member {
                self.out.push('\n');
                self.indent(self.open.len());
            }
        }
        self.out.push(if list { ']' } else { '}' });
    }

    fn indent(&mut self, depth: usize) {
        for _ in 0..depth {
            self.out.push_str("  ");
        }
    }
}

/// A JSON value as compact text, what `value.to_string()` writes.
pub fn compact(value: &Value) -> String {
    let mut w = JsonWriter::new(false);
    w.value(value);
    w.finish()
}

/// `text` as a JSON string: in double quotes, with `"`, `\` and the
/// control characters U+0000–U+001F escaped as the writer escapes
/// strings. For quoting text from elsewhere in a message, where its own
/// quotes and line breaks must not pass for the message's.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_string(&mut out, text);
    out
}

/// `value` as a JSON string, quoted and escaped as `serde_json` escapes
/// it: `"` and `\` with a backslash, the control characters U+0000–U+001F
/// as `\b`, `\t`, `\n`, `\f`, `\r` or `\u00xx`, everything else as it is
/// (copied a run at a time between the characters escaped).
fn push_string(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut start = 0;
    for (i, byte) in value.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            b'\t' => "\\t",
            b'\n' => "\\n",
            0x0c => "\\f",
            b'\r' => "\\r",
            0..0x20 => "",
            _ => continue,
        };
        // Escaped bytes are ASCII, so `start..i` lies on character
        // boundaries.
        out.push_str(&value[start..i]);
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&value[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{json, Map};

    fn both(value: &Value) -> (String, String) {
        let mut compact = JsonWriter::new(false);
        compact.value(value);
        let mut pretty = JsonWriter::new(true);
        pretty.value(value);
        (compact.finish(), pretty.finish())
    }

    fn assert_as_serde_json(value: &Value) {
        let (compact, pretty) = both(value);
        assert_eq!(
            compact,
            serde_json::to_string(value).expect("a Value writes")
        );
        assert_eq!(super::compact(value), value.to_string());
        assert_eq!(
            pretty,
            serde_json::to_string_pretty(value).expect("a Value writes")
        );
    }

    #[test]
    fn awkward_values_are_written_as_serde_json_writes_them() {
        let every_control: String = (0u8..0x20).map(char::from).collect();
        for value in [
            json!(null),
            json!(true),
            json!([]),
            json!({}),
            json!([[]]),
            json!({"a": {}}),
            json!([{}, [], [[1]], {"b": [null]}]),
            json!("quote \" backslash \\ slash / del \u{7f} é 😀 \u{2028}"),
            json!(every_control),
            json!({"k\"ey\n": "v"}),
            json!([0, -0.0, 0.0, 1.0, -1.5, 300.0, 1e16, 1e-7, 1.5e300, 5e-324]),
            json!([u64::MAX, i64::MIN, 9_007_199_254_740_993u64, -1]),
            json!({"version": 1, "nodes": [{"id": "a", "x": 1.25, "params": {}}], "edges": []}),
        ] {
            assert_as_serde_json(&value);
        }
    }

    #[test]
    fn quoted_text_is_a_json_string() {
        for text in ["", "load-design", "a \"b\" \\ c\nd\u{1}", "é 😀"] {
            assert_eq!(
                quoted(text),
                serde_json::to_string(text).expect("a str writes")
            );
        }
    }

    #[test]
    fn non_finite_numbers_are_null() {
        let mut w = JsonWriter::new(false);
        w.begin_array();
        w.f64(f64::NAN);
        w.f64(f64::INFINITY);
        w.f64(f64::NEG_INFINITY);
        w.end_array();
        assert_eq!(w.finish(), "[null,null,null]");
    }

    fn any_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<u64>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            any::<String>().prop_map(Value::String),
            "[\\x00-\\x7f]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec(("[a-z\"\\\\\\n]{0,4}", inner), 0..6)
                    .prop_map(|members| Value::Object(members.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    proptest! {
        #[test]
        fn random_values_are_written_as_serde_json_writes_them(value in any_value()) {
            let (compact, pretty) = both(&value);
            prop_assert_eq!(compact, serde_json::to_string(&value).expect("a Value writes"));
            prop_assert_eq!(
                pretty,
                serde_json::to_string_pretty(&value).expect("a Value writes")
            );
        }
    }
}
