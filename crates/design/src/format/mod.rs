//! The versioned JSON format of a design (described for people in
//! `docs/design-format.md`).
//!
//! ```json
//! {"version":1,
//!  "nodes":[{"id":"api1","kind":"api","label":"API","x":300,"y":200,"params":{"service_ms":12}}],
//!  "edges":[{"from":"users1","to":"api1","kind":"read"}]}
//! ```
//!
//! [`to_json`] always writes the current [`VERSION`]. [`parse`] reads every
//! version there has ever been: each version has its own decoder module
//! (`v1`), and a new version adds a module beside the old ones instead of
//! changing them. Parsing never panics. A text that is not a design at all
//! gives a [`FormatError`]; inside a design, bad pieces are dropped or
//! repaired and each repair is reported as a [`Diagnostic`].

use std::fmt;

use serde_json::{Map, Value};

use crate::diagnostic::{Collector, Diagnostic};
use crate::document::Design;
use crate::limits::MAX_INPUT_BYTES;

mod v1;
pub mod writer;

/// The format version [`to_json`] writes and the newest [`parse`] reads.
pub const VERSION: u32 = 1;

/// A design read from text, with what had to be dropped or repaired.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Parsed {
    /// The design, with every bad piece dropped or repaired: it always
    /// passes [`crate::validate()`] without diagnostics.
    pub design: Design,
    /// What was dropped, repaired or ignored, in document order (a node's
    /// parameters in key order).
    pub diagnostics: Vec<Diagnostic>,
}

/// Why a text could not be read as a design at all. Its `Display` says so
/// in words a learner understands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// There is no text, or only spaces.
    Empty,
    /// The text is longer than [`MAX_INPUT_BYTES`].
    TooLarge {
        /// The text's length in bytes.
        bytes: usize,
    },
    /// The JSON stops in the middle, as a link cut off while copying does.
    Truncated,
    /// The text is not JSON.
    NotJson {
        /// The line of the first problem (from 1).
        line: usize,
        /// The column of the first problem (from 1; serde_json counts it
        /// in bytes, the page's browser parser in characters).
        column: usize,
    },
    /// The text is not JSON and the parser did not say where, or it is
    /// JSON that serde_json's parser would refuse (nested deeper than 127
    /// lists and objects, a number beyond the floats): the page reads
    /// JSON with the browser's parser, see [`parse_with`].
    NotJsonUnplaced,
    /// The JSON is not an object.
    NotAnObject {
        /// What it is instead, in words ("a list", "a number"…).
        found: &'static str,
    },
    /// The object has no `"version"` field.
    MissingVersion,
    /// The `"version"` field is not a whole number from 1 up.
    BadVersion,
    /// The design was written by a newer playground.
    TooNew {
        /// The version found.
        found: u64,
    },
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Empty => f.write_str("There is no design here: the text is empty."),
            FormatError::TooLarge { bytes } => write!(
                f,
                "This design is too large to open: it is {bytes} bytes long and the limit is {MAX_INPUT_BYTES}."
            ),
            FormatError::Truncated => f.write_str(
                "The design stops in the middle; it was probably cut off while copying. Copy the whole text or link again.",
            ),
            FormatError::NotJson { line, column } => write!(
                f,
                "This is not a design: the text is not valid JSON (the first problem is at line {line}, column {column})."
            ),
            FormatError::NotJsonUnplaced => {
                f.write_str("This is not a design: the text is not valid JSON.")
            }
            FormatError::NotAnObject { found } => write!(
                f,
                "This is not a design: it holds {found}, not an object with “version”, “nodes” and “edges”."
            ),
            FormatError::MissingVersion => {
                f.write_str("This is not a design: it has no “version” field.")
            }
            FormatError::BadVersion => f.write_str(
                "This design's “version” field must be a whole number such as 1.",
            ),
            FormatError::TooNew { found } => write!(
                f,
                "This design was saved by a newer version of the playground (format {found}); this one reads formats up to {VERSION}. Reload the page to get the newest playground."
            ),
        }
    }
}

impl std::error::Error for FormatError {}

/// The design as compact JSON in the current format, for links and
/// storage. Reading it back with [`parse`] gives the same design.
pub fn to_json(d: &Design) -> String {
    v1::encode(d, false)
}

/// The design as indented JSON in the current format, for files people
/// read.
pub fn to_json_pretty(d: &Design) -> String {
    v1::encode(d, true)
}

/// Reads a design from JSON text of any version up to [`VERSION`].
///
/// Returns a [`FormatError`] when the text is not a design at all (empty,
/// too large, cut off, not JSON, not an object, no usable version, a newer
/// version). Otherwise returns the design with every bad piece dropped or
/// repaired, and a diagnostic for each: an unknown node kind, a bad or
/// duplicate id or a connection that is refused drops that piece (error);
/// a parameter of the wrong type goes back to its default and one out of
/// range is clamped (warning); an unknown parameter is ignored (info).
/// Unknown fields are ignored silently. Never panics.
pub fn parse(text: &str) -> Result<Parsed, FormatError> {
    parse_with(text, read_json)
}

/// [`parse`] with another JSON parser: `read_json` turns the text (its
/// byte-order mark taken off, not empty, within [`MAX_INPUT_BYTES`]) into a
/// JSON value, or says why it is not JSON ([`FormatError::Truncated`],
/// [`FormatError::NotJson`], [`FormatError::NotJsonUnplaced`]). The page
/// passes the browser's own parser, so that its first download carries no
/// JSON parser of its own; it must read numbers exactly as [`parse`]'s
/// does (correctly rounded), which `JSON.parse` does.
pub fn parse_with(
    text: &str,
    read_json: impl FnOnce(&str) -> Result<Value, FormatError>,
) -> Result<Parsed, FormatError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.len() > MAX_INPUT_BYTES {
        return Err(FormatError::TooLarge { bytes: text.len() });
    }
    if text.trim().is_empty() {
        return Err(FormatError::Empty);
    }
    parse_value(read_json(text)?)
}

/// JSON text as serde_json reads it, with [`parse`]'s errors.
fn read_json(text: &str) -> Result<Value, FormatError> {
    serde_json::from_str(text).map_err(|err| match err.classify() {
        serde_json::error::Category::Eof => FormatError::Truncated,
        _ => FormatError::NotJson {
            line: err.line(),
            column: err.column(),
        },
    })
}

/// Reads a design document already parsed as JSON (a share link's
/// payload), with the same checks and repairs as [`parse`].
pub fn parse_value(value: Value) -> Result<Parsed, FormatError> {
    let Value::Object(doc) = value else {
        return Err(FormatError::NotAnObject {
            found: what(&value),
        });
    };
    let version = read_version(&doc)?;
    let mut diagnostics = Collector::default();
    let design = match version {
        1 => v1::decode(&doc, &mut diagnostics),
        found => return Err(FormatError::TooNew { found }),
    };
    Ok(Parsed {
        design,
        diagnostics: diagnostics.finish(),
    })
}

fn read_version(doc: &Map<String, Value>) -> Result<u64, FormatError> {
    match doc.get("version") {
        None => Err(FormatError::MissingVersion),
        // `1.0` is the whole number 1 (some tools write every number
        // with a decimal point); `1.5` is not a version.
        Some(Value::Number(n)) => match (n.as_u64(), n.as_f64()) {
            (Some(v), _) if v >= 1 => Ok(v),
            (None, Some(f)) if f >= 1.0 && f.fract() == 0.0 && f < 9.0e15 => Ok(f as u64),
            _ => Err(FormatError::BadVersion),
        },
        Some(_) => Err(FormatError::BadVersion),
    }
}

/// A JSON value's type in words.
fn what(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a piece of text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::EdgeKind;
    use crate::diagnostic::Severity;
    use crate::document::{NodeId, Point};
    use crate::keys;
    use crate::kind::NodeKind;
    use crate::validate::validate;

    fn reference() -> Design {
        let mut d = Design::default();
        let users = d.add_node(NodeKind::Users, Point { x: 40.0, y: 200.0 });
        let cdn = d.add_node(NodeKind::Cdn, Point { x: 220.0, y: 200.0 });
        let api = d.add_node(NodeKind::Api, Point { x: 400.0, y: 200.5 });
        let replica = d.add_node(NodeKind::ReadReplica, Point { x: 580.0, y: 200.0 });
        let db = d.add_node(NodeKind::DbPrimary, Point { x: 580.0, y: 360.0 });
        d.connect(&users, &cdn).unwrap();
        d.connect(&cdn, &api).unwrap();
        d.connect(&api, &replica).unwrap();
        d.connect(&db, &replica).unwrap();
        let node = d.node_mut(&cdn).unwrap();
        node.set_param("ttl_s", 30).unwrap();
        node.set_param("purge_on_update", true).unwrap();
        node.set_param("plan", "pro").unwrap();
        node.set_param("origin_sigma", 0.35).unwrap();
        d.node_mut(&api).unwrap().label = "Status API — reads".into();
        d
    }

    #[test]
    fn round_trip() {
        let d = reference();
        for text in [to_json(&d), to_json_pretty(&d)] {
            let parsed = parse(&text).unwrap();
            assert_eq!(parsed.diagnostics, []);
            assert_eq!(parsed.design, d);
        }
    }

    #[test]
    fn writes_the_documented_shape() {
        let mut d = Design::default();
        let users = d.add_node(NodeKind::Users, Point { x: 0.0, y: 0.0 });
        let api = d.add_node(NodeKind::Api, Point { x: 300.0, y: 200.5 });
        d.connect(&users, &api).unwrap();
        d.node_mut(&api)
            .unwrap()
            .set_param("size", "large")
            .unwrap();
        assert_eq!(
            to_json(&d),
            r#"{"version":1,"nodes":[{"id":"users1","kind":"users","label":"Users","x":0,"y":0},{"id":"api1","kind":"api","label":"API service","x":300,"y":200.5,"params":{"size":"large"}}],"edges":[{"from":"users1","to":"api1","kind":"read"}]}"#
        );
    }

    #[test]
    fn a_label_too_long_is_shortened_and_one_with_line_breaks_mended() {
        for (label, shortened) in [
            ("x".repeat(81), true),
            ("a\nb".to_string(), false),
            ("a\nb".repeat(41), true),
        ] {
            let text = format!(
                r#"{{"version":1,"nodes":[{{"id":"api","kind":"api","label":{label:?},"x":0,"y":0}}],"edges":[]}}"#
            );
            let parsed = parse(&text).unwrap();
            let said = parsed.diagnostics[0].to_string();
            let kept = parsed.design.nodes[0].label.chars().count();
            assert_eq!(kept, label.chars().count().min(80), "{said}");
            assert!(!parsed.design.nodes[0].label.contains('\n'), "{said}");
            let action = if shortened {
                "it was shortened."
            } else {
                "they were replaced by spaces."
            };
            assert!(said.ends_with(action), "{label:?}: {said}");
        }
    }

    #[test]
    fn reads_the_brief_example() {
        let text = r#"{"version":1,"nodes":[{"id":"api","kind":"api","label":"API","x":300,"y":200,"params":{"ttl_s":30}},{"id":"users","kind":"users","x":0,"y":200}],"edges":[{"from":"users","to":"api"}]}"#;
        let parsed = parse(text).unwrap();
        let d = &parsed.design;
        assert_eq!(d.nodes.len(), 2);
        assert_eq!(d.nodes[0].label, "API");
        assert_eq!(d.nodes[1].label, "Users", "missing label → kind name");
        assert_eq!(d.edges[0].kind, EdgeKind::Read, "kind recomputed");
        assert_eq!(
            parsed.diagnostics,
            [Diagnostic::info(
                Some(NodeId::from("api")),
                "“API” (api): API service nodes have no setting called “ttl_s”; it was ignored."
            )]
        );
    }

    #[test]
    fn typed_errors() {
        let err = |text: &str| parse(text).unwrap_err();
        assert_eq!(err(""), FormatError::Empty);
        assert_eq!(err("  \n"), FormatError::Empty);
        assert_eq!(err(r#"{"version":1,"nodes":[{"#), FormatError::Truncated);
        assert_eq!(err("hello"), FormatError::NotJson { line: 1, column: 1 });
        assert_eq!(err("[1,2]"), FormatError::NotAnObject { found: "a list" });
        assert_eq!(err("3"), FormatError::NotAnObject { found: "a number" });
        assert_eq!(err(r#"{"nodes":[]}"#), FormatError::MissingVersion);
        assert_eq!(err(r#"{"version":"1"}"#), FormatError::BadVersion);
        assert_eq!(err(r#"{"version":1.5}"#), FormatError::BadVersion);
        assert_eq!(err(r#"{"version":2.0}"#), FormatError::TooNew { found: 2 });
        // 1.0 is version 1.
        let one = parse(r#"{"version":1.0,"nodes":[],"edges":[]}"#).expect("version 1.0 reads");
        assert!(one.design.nodes.is_empty() && one.diagnostics.is_empty());
        assert_eq!(err(r#"{"version":0}"#), FormatError::BadVersion);
        assert_eq!(err(r#"{"version":-1}"#), FormatError::BadVersion);
        assert_eq!(err(r#"{"version":2}"#), FormatError::TooNew { found: 2 });
        assert_eq!(
            err(r#"{"version":99999999999999999999}"#),
            FormatError::BadVersion
        );
        let big = format!(
            "{{\"version\":1,\"x\":\"{}\"}}",
            "a".repeat(MAX_INPUT_BYTES)
        );
        assert!(matches!(err(&big), FormatError::TooLarge { .. }));
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(matches!(err(&deep), FormatError::NotJson { .. }));
        for e in [FormatError::Truncated, FormatError::TooNew { found: 3 }] {
            assert!(e.to_string().ends_with('.'));
        }
        assert_eq!(
            FormatError::TooNew { found: 3 }.to_string(),
            "This design was saved by a newer version of the playground (format 3); this one reads formats up to 1. Reload the page to get the newest playground."
        );
    }

    #[test]
    fn minimal_documents() {
        let parsed = parse(r#"{"version":1}"#).unwrap();
        assert_eq!(parsed.design, Design::default());
        assert!(parsed.diagnostics.is_empty());
        let parsed =
            parse("\u{feff}{\"version\":1,\"nodes\":[],\"edges\":[],\"extra\":{}}").unwrap();
        assert!(parsed.diagnostics.is_empty(), "unknown fields are ignored");
    }

    #[test]
    fn repairs_inside_a_valid_document() {
        let text = r#"{
          "version": 1,
          "nodes": [
            {"id": "cdn1", "kind": "cdn", "x": 1e7, "y": "top",
             "params": {"ttl_s": 90000, "collapse": "yes", "plan": "gold", "swr_s": 10, "bogus": 1}},
            {"id": "cdn1", "kind": "api"},
            {"id": "q", "kind": "quantum_computer"},
            {"kind": "api"},
            "not a node",
            {"id": "api1", "kind": "api", "label": 7,
             "params": {"min_instances": 12.4, "max_instances": 3}},
            {"id": "rep1", "kind": "read_replica", "label": "line\nbreak", "params": []}
          ],
          "edges": [
            {"from": "cdn1", "to": "api1", "kind": "write"},
            {"from": "cdn1", "to": "api1"},
            {"from": "api1", "to": "ghost"},
            {"from": "rep1", "to": "cdn1"},
            {"from": "api1", "to": "api1"},
            {"from": "api1"},
            {"from": "api1", "to": "rep1", "kind": 3},
            42
          ]
        }"#;
        let parsed = parse(text).unwrap();
        let d = &parsed.design;
        let m: Vec<String> = parsed.diagnostics.iter().map(|x| x.to_string()).collect();
        let expected = [
            "warning: CDN “cdn1”: its position x = 10000000 is too far off the canvas; it was moved to 1000000.",
            "warning: CDN “cdn1”: its position y must be a number; 0 was used.",
            // A node's settings in the order the document gives them.
            "warning: CDN “cdn1”: TTL must be between 0 and 86400 s; 90000 was changed to 86400.",
            "warning: CDN “cdn1”: Request collapsing must be on or off; “yes” was ignored and the default (on) is used.",
            "warning: CDN “cdn1”: Pricing plan must be one of pay_as_you_go, pro; “gold” is not one of them; the default (pay_as_you_go) is used.",
            "info: CDN “cdn1”: CDN nodes have no setting called “bogus”; it was ignored.",
            "error: Two nodes have the id “cdn1”; the second was dropped.",
            "error: Node “q” has an unknown kind “quantum_computer”; it was dropped.",
            "error: Node 4 has no id; it was dropped.",
            "error: Node 5 is not an object; it was dropped.",
            "warning: API service “api1”: the label must be text; the kind's name was used.",
            "warning: API service “api1”: Min instances must be a whole number; 12.4 was changed to 12.",
            "warning: API service “api1”: Min instances (12) was above max instances (3); max instances was raised to 12.",
            "warning: “line break” (rep1): the label contains control characters (such as line breaks); they were replaced by spaces.",
            "warning: “line break” (rep1): its parameters must be an object; they were ignored.",
            "info: The connection “cdn1” → “api1” was marked “write” but carries read; the kind was corrected.",
            "error: The connection “cdn1” → “api1” appears twice; the second was dropped.",
            "error: The connection “api1” → “ghost” was dropped: there is no node “ghost”.",
            "error: The connection “rep1” → “cdn1” was dropped: A read replica only answers queries; it does not send requests.",
            "error: The connection “api1” → “api1” was dropped: a node cannot connect to itself.",
            "error: Connection 6 has no “to” node; it was dropped.",
            "info: The connection “api1” → “rep1” was marked “3” but carries read; the kind was corrected.",
            "error: Connection 8 is not an object; it was dropped.",
        ];
        assert_eq!(m, expected);
        assert_eq!(d.nodes.len(), 3);
        assert_eq!(d.edges.len(), 2);
        let cdn = &d.nodes[0];
        assert_eq!((cdn.position.x, cdn.position.y), (1e6, 0.0));
        assert_eq!(cdn.get(keys::cdn::TTL_S), 86_400.0);
        assert_eq!(cdn.get(keys::cdn::SWR_S), 10.0);
        assert!(cdn.get(keys::cdn::COLLAPSE));
        assert_eq!(cdn.params.len(), 2, "only valid values are kept");
        let api = &d.nodes[1];
        assert_eq!(api.label, "API service");
        assert_eq!(
            (
                api.get(keys::api::MIN_INSTANCES),
                api.get(keys::api::MAX_INSTANCES)
            ),
            (12.0, 12.0)
        );
        assert_eq!(d.nodes[2].label, "line break");
        assert!(validate(d).is_empty(), "{:?}", validate(d));
        assert!(parsed
            .diagnostics
            .iter()
            .any(|x| x.severity == Severity::Error));
    }

    #[test]
    fn caps_sizes() {
        let nodes: Vec<String> = (0..2_005)
            .map(|i| format!(r#"{{"id":"n{i}","kind":"cache"}}"#))
            .collect();
        let text = format!(r#"{{"version":1,"nodes":[{}]}}"#, nodes.join(","));
        let parsed = parse(&text).unwrap();
        assert_eq!(parsed.design.nodes.len(), 2_000);
        assert_eq!(
            parsed.diagnostics.last().map(|x| x.message.as_str()),
            Some("The design has more than 2000 nodes; the last 5 were dropped.")
        );
        let long = format!(
            r#"{{"version":1,"nodes":[{{"id":"a","kind":"api","label":"{}"}}]}}"#,
            "é".repeat(200)
        );
        let parsed = parse(&long).unwrap();
        assert_eq!(parsed.design.nodes[0].label.chars().count(), 80);
        assert_eq!(parsed.diagnostics.len(), 1);
    }

    #[test]
    fn many_problems_are_summarised() {
        let nodes: Vec<String> = (0..500)
            .map(|i| format!(r#"{{"id":"n{i}","kind":"nope"}}"#))
            .collect();
        let text = format!(r#"{{"version":1,"nodes":[{}]}}"#, nodes.join(","));
        let parsed = parse(&text).unwrap();
        assert_eq!(parsed.diagnostics.len(), crate::limits::MAX_DIAGNOSTICS + 1);
        assert_eq!(
            parsed.diagnostics.last().map(|x| x.message.as_str()),
            Some("… and 300 more problems not listed.")
        );
    }
}
