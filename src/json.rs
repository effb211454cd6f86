//! JSON text read by the browser's own parser, `JSON.parse`, into a
//! `serde_json::Value`, so that the page's first download carries no JSON
//! parser of its own (serde_json's, with the tables of its exact float
//! parser, is what the page would otherwise carry just to read an
//! autosave or a design a course page sends: see BENCHMARKS.md, "First
//! load").
//!
//! `JSON.parse` rounds numbers correctly, as serde_json's parser with
//! `float_roundtrip` does, so a document reads as the same design either
//! way (the browser tests compare the two on every canonical design). What
//! serde_json refuses is refused here too: nesting deeper than its limit, a
//! number beyond the floats. Differences remain where no design goes: a
//! whole number is kept as an integer even when written `30.0`; one beyond
//! 2^53 comes as the nearest float, not as an exact integer; a lone UTF-16
//! surrogate escape (`"\ud800"`), which serde_json refuses, reads as U+FFFD;
//! the column of a syntax error counts characters, not bytes; and an
//! object's members come in `Object.entries`'s order, which puts keys that
//! are array indices (`"0"`, `"12"`) first, where serde_json keeps the
//! text's order (what a reader sees of it: the order of a node's messages
//! about its settings, and how an object-valued setting is quoted).

use design::format::{self, FormatError, Parsed};
use serde_json::{Map, Number, Value};
use wasm_bindgen::{JsCast, JsValue};

/// serde_json's recursion limit: it refuses the 128th list or object
/// nested in another (127 are read). Refused here alike, before the
/// conversion's recursion could use up the wasm stack.
const MAX_DEPTH: usize = 128;

/// A design document read with the browser's parser: `design::format::parse`
/// with its checks, repairs and errors.
pub fn parse_design(text: &str) -> Result<Parsed, FormatError> {
    format::parse_with(text, read_document)
}

/// `text` as JSON, or `None` when it is not JSON (or not JSON that
/// serde_json reads: nested too deep, a number too large).
pub fn read(text: &str) -> Option<Value> {
    read_document(text).ok()
}

/// `text` as JSON, with `design::format`'s words for why it is not.
fn read_document(text: &str) -> Result<Value, FormatError> {
    let parsed = js_sys::JSON::parse(text).map_err(|error| syntax_error(text, &error))?;
    from_js(&parsed, 0).ok_or(FormatError::NotJsonUnplaced)
}

/// A JavaScript value made by `JSON.parse` as a JSON value; `None` when it
/// nests deeper than [`MAX_DEPTH`] or holds a number too large for an
/// `f64`, which serde_json's parser refuses too.
fn from_js(value: &JsValue, depth: usize) -> Option<Value> {
    // `depth` lists and objects hold this value; one more is too many
    // when this value is a list or an object itself.
    let nests_too_deep = depth + 1 >= MAX_DEPTH;
    let value = if let Some(flag) = value.as_bool() {
        Value::Bool(flag)
    } else if let Some(number) = value.as_f64() {
        // `JSON.parse` reads 1e999 as Infinity; serde_json refuses it.
        if !number.is_finite() {
            return None;
        }
        json_number(number)
    } else if let Some(text) = value.as_string() {
        Value::String(text)
    } else if js_sys::Array::is_array(value) {
        if nests_too_deep {
            return None;
        }
        let array: &js_sys::Array = value.unchecked_ref();
        let items = array.iter().map(|item| from_js(&item, depth + 1));
        Value::Array(items.collect::<Option<Vec<_>>>()?)
    } else if value.is_object() {
        if nests_too_deep {
            return None;
        }
        let mut map = Map::new();
        for entry in js_sys::Object::entries(value.unchecked_ref()).iter() {
            let entry: js_sys::Array = entry.unchecked_into();
            let key = entry.get(0).as_string()?;
            map.insert(key, from_js(&entry.get(1), depth + 1)?);
        }
        Value::Object(map)
    } else {
        Value::Null
    };
    Some(value)
}

/// A number as serde_json's parser keeps it: a whole number as an
/// integer (while it is exact in an `f64`), anything else as a float,
/// −0 included.
fn json_number(number: f64) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    let negative_zero = number == 0.0 && number.is_sign_negative();
    if number.fract() == 0.0 && number.abs() < EXACT && !negative_zero {
        if number >= 0.0 {
            Value::from(number as u64)
        } else {
            Value::from(number as i64)
        }
    } else {
        Number::from_f64(number).map_or(Value::Null, Value::Number)
    }
}

/// Why `JSON.parse` refused `text`, from its error's message. The text
/// stops in the middle when the browser says so ("Unexpected end of JSON
/// input") or when the first problem is at its very end ("Expected
/// property name or '}' in JSON at position 1" for `{`), as serde_json
/// reports a cut-off text. Otherwise it is not JSON, at the place the
/// browser names ("at position 17", or "at line 2 column 5"), or at no
/// place when it names none ("Unexpected token 'h', \"hello\" is not
/// valid JSON").
fn syntax_error(text: &str, error: &JsValue) -> FormatError {
    let message = js_sys::Reflect::get(error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_default()
        // The words looked for are ASCII (and ASCII lowercasing carries no
        // Unicode case tables into the page).
        .to_ascii_lowercase();
    // Chrome quotes the start of the text ("…, \"{\"a\": geoff}\" is not
    // valid JSON"): only the words before a quote are the browser's.
    let message = message.split('"').next().unwrap_or_default();
    if find(message, "end of").is_some() || find(message, "eof").is_some() {
        return FormatError::Truncated;
    }
    match number_after(message, "position ") {
        Some(position) if position >= text.encode_utf16().count() => FormatError::Truncated,
        Some(position) => {
            let (line, column) = line_and_column(text, position);
            FormatError::NotJson { line, column }
        }
        None => match (
            number_after(message, "line "),
            number_after(message, "column "),
        ) {
            (Some(line), Some(column)) => FormatError::NotJson { line, column },
            _ => FormatError::NotJsonUnplaced,
        },
    }
}

/// Where `needle` first starts in `haystack` (a byte index, at a
/// character's start since `needle` is whole UTF-8), byte by byte: for
/// the few short words looked for in a browser's message. `str::find` with
/// a `&str` would carry the standard library's Two-Way searcher into the
/// page's wasm (0.9 KB gzipped) for these alone.
fn find(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window == needle.as_bytes())
}

/// The whole number that follows `words` in `message`.
fn number_after(message: &str, words: &str) -> Option<usize> {
    let rest = &message[find(message, words)? + words.len()..];
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..digits].parse().ok()
}

/// The line and column (both from 1, a column counted in characters) of
/// the character at `position`, counted in UTF-16 units as JavaScript
/// counts them.
fn line_and_column(text: &str, position: usize) -> (usize, usize) {
    let (mut line, mut column, mut units) = (1, 1, 0);
    for c in text.chars() {
        if units >= position {
            break;
        }
        units += c.len_utf16();
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line, column)
}
