//! The page reads JSON with the browser's parser (`playground::json`, so
//! that its first download carries no JSON parser): every design document
//! reads as `design::format::parse` (serde_json's parser) reads it, and a
//! text that is not a design is refused for the same reason. In headless
//! Chromium.
#![cfg(target_arch = "wasm32")]

use design::format::{self, FormatError};
use playground::json;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Every canonical design, as the kata holds them.
const CANONICAL: [&str; 14] = [
    include_str!("../katas/status-dashboard/designs/cdn-ttl-1h-no-purge.json"),
    include_str!("../katas/status-dashboard/designs/long-cache-ttl.json"),
    include_str!("../katas/status-dashboard/designs/no-autoscaling.json"),
    include_str!("../katas/status-dashboard/designs/no-cdn-autoscaling.json"),
    include_str!("../katas/status-dashboard/designs/no-multi-az.json"),
    include_str!("../katas/status-dashboard/designs/no-replica.json"),
    include_str!("../katas/status-dashboard/designs/no-stale-if-error.json"),
    include_str!("../katas/status-dashboard/designs/peak-fleet.json"),
    include_str!("../katas/status-dashboard/designs/purge-long-ttl.json"),
    include_str!("../katas/status-dashboard/designs/purge-no-collapse-no-shield.json"),
    include_str!("../katas/status-dashboard/designs/reference.json"),
    include_str!("../katas/status-dashboard/designs/serverless-no-limit.json"),
    include_str!("../katas/status-dashboard/designs/starter.json"),
    include_str!("../katas/status-dashboard/designs/static-pages.json"),
];

/// Documents that need repairs or hold numbers and text that are easy to
/// read wrongly: decimals that do not end, the smallest and largest
/// floats, escapes, text outside the Basic Multilingual Plane, a byte-order
/// mark, unknown fields and parameters, values out of range.
const AWKWARD: [&str; 6] = [
    r#"{"version":1,"nodes":[{"id":"api1","kind":"api","label":"Caf\u00e9 \ud83d\ude00 \"API\"","x":0.1,"y":-1e-7,"params":{"service_ms":12.345678901234567,"max_instances":3}}],"edges":[]}"#,
    r#"{"version":1,"nodes":[{"id":"c","kind":"cache","x":1.7976931348623157e308,"y":5e-324,"params":{"ttl_s":-4,"nope":1}}],"edges":[],"extra":{"a":[1,2,{"b":null}]}}"#,
    "\u{feff}{\"version\": 1.0, \"nodes\": [], \"edges\": []}",
    r#"{"version":1,"nodes":[{"id":"u","kind":"users","x":30.5,"y":2.25},{"id":"a","kind":"api","x":"far","y":true}],"edges":[{"from":"u","to":"a"},{"from":"a","to":"zz"}]}"#,
    r#"{"version":1,"nodes":{"id":"x"},"edges":7}"#,
    r#"{"version":2,"nodes":[],"edges":[]}"#,
];

#[wasm_bindgen_test]
fn every_design_reads_as_serde_json_reads_it() {
    for text in CANONICAL.iter().chain(AWKWARD.iter()) {
        let ours = json::parse_design(text);
        let theirs = format::parse(text);
        assert_eq!(ours, theirs, "{text}");
    }
    // The canonical designs read without a correction.
    for text in CANONICAL {
        let parsed = json::parse_design(text).expect("a canonical design");
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        assert!(!parsed.design.nodes.is_empty());
    }
}

#[wasm_bindgen_test]
fn json_values_read_as_serde_json_reads_them() {
    for text in [
        r#"{"source":"kata-playground","type":"load-design","design":{"version":1,"nodes":[],"edges":[]}}"#,
        r#"[1,-2,0.5,"a\nb",true,false,null,{"k":[[],{}]}]"#,
        r#"{"a":1,"a":2}"#,
        "[-0, -0.0, 0, -4, 30.5, 1e-7]",
        "  \"just text\"  ",
    ] {
        let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(json::read(text), Some(theirs), "{text}");
    }
}

#[wasm_bindgen_test]
fn a_text_that_is_not_a_design_is_refused_for_the_same_reason() {
    let ours = |text: &str| json::parse_design(text).err();
    // Cut off: serde_json says the text ended; so do we, whether the
    // browser says so or puts its first problem at the very end.
    for text in [
        "{",
        "{\"version\":1,",
        "{\"version\":1,\"nodes\":[",
        "{\"version\":1,\"nodes\":[{\"id\":\"a\",\"label\":\"Sta",
        "{ ",
    ] {
        assert_eq!(
            format::parse(text).err(),
            Some(FormatError::Truncated),
            "{text}"
        );
        assert_eq!(ours(text), Some(FormatError::Truncated), "{text}");
    }
    // Not JSON: at the place the browser names, or at none.
    assert_eq!(
        ours("{\"a\" 1}"),
        Some(FormatError::NotJson { line: 1, column: 6 })
    );
    assert_eq!(
        ours("{\n  \"a\": 1,\n  \"b\" 2\n}"),
        Some(FormatError::NotJson { line: 3, column: 7 })
    );
    // Chrome quotes the text in some messages: the words "end of" or
    // "eof" in the text itself do not make it cut off.
    for text in [
        "hello",
        "[1,]",
        "{\"a\":tru}",
        "{\"a\":1}x",
        "{\"a\": Geoff}",
        "[\"end of\" x]",
    ] {
        assert!(
            matches!(format::parse(text), Err(FormatError::NotJson { .. })),
            "{text}"
        );
        assert!(
            matches!(
                ours(text),
                Some(FormatError::NotJson { .. } | FormatError::NotJsonUnplaced)
            ),
            "{text}: {:?}",
            ours(text)
        );
    }
    // What serde_json refuses although `JSON.parse` reads it: a number
    // beyond the floats, and nesting deeper than its limit (which would
    // otherwise take the conversion's recursion into the wasm stack).
    let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    for text in [
        "{\"version\":1,\"nodes\":[],\"edges\":[],\"x\":1e999}",
        deep.as_str(),
    ] {
        assert!(format::parse(text).is_err());
        assert_eq!(ours(text), Some(FormatError::NotJsonUnplaced));
    }
    // serde_json reads 127 lists or objects nested in one another, not 128.
    let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    for (levels, read) in [(127, true), (128, false)] {
        let text = nested(levels);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).is_ok(),
            read,
            "{levels}"
        );
        assert_eq!(json::read(&text).is_some(), read, "{levels}");
    }
    // Empty and too long are decided before any parser runs.
    assert_eq!(ours("  \n"), Some(FormatError::Empty));
    let long = " ".repeat(design::limits::MAX_INPUT_BYTES + 1);
    assert!(matches!(ours(&long), Some(FormatError::TooLarge { .. })));
}
