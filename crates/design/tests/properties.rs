//! Property tests: parsing never panics, whatever it is given; what it
//! returns always validates and re-reads to itself; valid designs round-trip
//! exactly; `Params::set` keeps values in range.

use design::format::{parse, to_json, to_json_pretty};
use design::{
    validate, Design, NodeId, NodeKind, ParamError, ParamKind, ParamValue, Params, Point,
};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

/// Whatever `parse` returns for a design must be clean and stable.
fn check_parsed(text: &str) -> Result<(), TestCaseError> {
    if let Ok(parsed) = parse(text) {
        let problems = validate(&parsed.design);
        prop_assert!(
            problems.is_empty(),
            "parsed design does not validate: {problems:?}"
        );
        let again = parse(&to_json(&parsed.design));
        prop_assert!(again.is_ok());
        if let Ok(again) = again {
            prop_assert_eq!(&again.design, &parsed.design);
            prop_assert!(again.diagnostics.is_empty(), "{:?}", again.diagnostics);
        }
    }
    Ok(())
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |v| Number::from_f64(v).map(Value::Number)),
        (-2_000.0..2_000.0f64)
            .prop_filter_map("finite", |v| Number::from_f64(v).map(Value::Number)),
        (0i64..200).prop_map(Value::from),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        "\\PC{0,12}".prop_map(Value::String),
        prop::sample::select(WORDS).prop_map(|w| Value::String(w.to_string())),
    ]
}

/// Field names and words the format uses, so random documents often hit
/// the interesting branches.
const WORDS: &[&str] = &[
    "version",
    "nodes",
    "edges",
    "id",
    "kind",
    "label",
    "x",
    "y",
    "params",
    "from",
    "to",
    "users",
    "operator",
    "internal_users",
    "cdn",
    "load_balancer",
    "api",
    "serverless",
    "cache",
    "db_primary",
    "read_replica",
    "object_storage",
    "read",
    "write",
    "read_write",
    "replication",
    "publish",
    "ttl_s",
    "size",
    "min_instances",
    "max_instances",
    "multi_az",
    "plan",
    "pro",
    "medium",
    "xlarge",
    "count",
    "a",
    "b",
    "c",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(WORDS).prop_map(str::to_string),
        "[a-z_]{0,8}",
    ]
}

fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..8).prop_map(Value::Array),
            btree_map(key(), inner, 0..8).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const IDS: &[&str] = &[
    "a",
    "b",
    "c",
    "d",
    "e",
    "f",
    "g",
    "h",
    "api1",
    "cdn1",
    "db1",
    "",
    "has space",
];

fn all_param_keys() -> Vec<&'static str> {
    let mut keys: Vec<&str> = NodeKind::ALL
        .iter()
        .flat_map(|k| k.params().iter().map(|s| s.key))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys.push("bogus");
    keys
}

/// A node-like object: mostly the right fields with random values.
fn node_like() -> impl Strategy<Value = Value> {
    let kinds: Vec<&str> = NodeKind::ALL
        .iter()
        .map(|k| k.key())
        .chain(["bogus", "API"])
        .collect();
    (
        prop::option::weighted(0.95, prop::sample::select(IDS)),
        prop::option::weighted(0.95, prop::sample::select(kinds)),
        prop::option::of(prop_oneof!["\\PC{0,100}".prop_map(Value::String), leaf()]),
        prop::option::weighted(0.9, number()),
        prop::option::weighted(0.9, prop_oneof![4 => number(), 1 => leaf()]),
        prop::option::of(btree_map(
            prop::sample::select(all_param_keys()),
            leaf(),
            0..6,
        )),
    )
        .prop_map(|(id, kind, label, x, y, params)| {
            let mut m = Map::new();
            if let Some(id) = id {
                m.insert("id".into(), Value::from(id));
            }
            if let Some(kind) = kind {
                m.insert("kind".into(), Value::from(kind));
            }
            if let Some(label) = label {
                m.insert("label".into(), label);
            }
            if let Some(x) = x {
                m.insert("x".into(), x);
            }
            if let Some(y) = y {
                m.insert("y".into(), y);
            }
            if let Some(params) = params {
                let params: Map<String, Value> = params
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect();
                m.insert("params".into(), Value::Object(params));
            }
            Value::Object(m)
        })
}

fn edge_like() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(IDS),
        prop::sample::select(IDS),
        prop::option::of(leaf()),
    )
        .prop_map(|(from, to, kind)| {
            let mut m = Map::new();
            m.insert("from".into(), Value::from(from));
            m.insert("to".into(), Value::from(to));
            if let Some(kind) = kind {
                m.insert("kind".into(), kind);
            }
            Value::Object(m)
        })
}

fn document_like() -> impl Strategy<Value = Value> {
    (
        vec(prop_oneof![9 => node_like(), 1 => json()], 0..12),
        vec(prop_oneof![9 => edge_like(), 1 => json()], 0..24),
    )
        .prop_map(|(nodes, edges)| {
            let mut m = Map::new();
            m.insert("version".into(), Value::from(1));
            m.insert("nodes".into(), Value::Array(nodes));
            m.insert("edges".into(), Value::Array(edges));
            Value::Object(m)
        })
}

/// A value for `spec` that it accepts, from a position `u` in [0, 1].
fn valid_value(kind: &ParamKind, u: f64, flag: bool) -> ParamValue {
    match *kind {
        ParamKind::Number { min, max, .. } => {
            let v = min + u * (max - min);
            let v = if kind.is_whole() { v.round() } else { v };
            ParamValue::Number(v.clamp(min, max))
        }
        ParamKind::Bool { .. } => ParamValue::Bool(flag),
        ParamKind::Choice { options, .. } => {
            let i = ((u * options.len() as f64) as usize).min(options.len().saturating_sub(1));
            ParamValue::Text(options.get(i).copied().unwrap_or_default().to_string())
        }
    }
}

/// A design built only with the editing operations, so it is valid.
fn valid_design() -> impl Strategy<Value = Design> {
    let coord = prop_oneof![
        -1e6..1e6f64,
        (-2000i32..2000).prop_map(f64::from),
        Just(0.0),
        Just(-0.0),
    ];
    (
        vec(
            (
                0..NodeKind::ALL.len(),
                coord.clone(),
                coord,
                prop::option::of("\\PC{0,80}"),
            ),
            0..14,
        ),
        vec(
            (any::<prop::sample::Index>(), any::<prop::sample::Index>()),
            0..30,
        ),
        vec(
            (
                any::<prop::sample::Index>(),
                any::<prop::sample::Index>(),
                0.0..=1.0f64,
                any::<bool>(),
            ),
            0..30,
        ),
    )
        .prop_map(|(nodes, edges, params)| {
            let mut d = Design::default();
            for (kind, x, y, label) in nodes {
                let kind = NodeKind::ALL.get(kind).copied().unwrap_or(NodeKind::Api);
                let id = d.add_node(kind, Point { x, y });
                if let (Some(label), Some(node)) = (label, d.node_mut(&id)) {
                    node.label = label;
                }
            }
            let ids: Vec<NodeId> = d.nodes.iter().map(|n| n.id.clone()).collect();
            if !ids.is_empty() {
                for (a, b) in edges {
                    let _ = d.connect(a.get(&ids), b.get(&ids));
                }
                for (n, p, u, flag) in params {
                    let Some(node) = d.node_mut(n.get(&ids)) else {
                        continue;
                    };
                    let specs = node.kind.params();
                    if specs.is_empty() {
                        continue;
                    }
                    let spec = p.get(specs);
                    // May be refused (min above max): then nothing changes.
                    let _ = node.set_param(spec.key, valid_value(&spec.kind, u, flag));
                }
            }
            d
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics_on_any_string(text in "\\PC*") {
        check_parsed(&text)?;
    }

    #[test]
    fn parse_never_panics_on_json_like_strings(text in "[\\[\\]{}\",:0-9a-z_ .eE+\\-]{0,200}") {
        check_parsed(&text)?;
    }

    #[test]
    fn parse_never_panics_on_any_json(value in json()) {
        check_parsed(&value.to_string())?;
        let mut doc = Map::new();
        doc.insert("version".into(), Value::from(1));
        doc.insert("nodes".into(), value.clone());
        doc.insert("edges".into(), value);
        check_parsed(&Value::Object(doc).to_string())?;
    }

    #[test]
    fn parse_repairs_any_document_like_json(value in document_like()) {
        let text = value.to_string();
        prop_assert!(parse(&text).is_ok());
        check_parsed(&text)?;
    }

    #[test]
    fn truncated_documents_fail_cleanly(d in valid_design(), cut in any::<prop::sample::Index>()) {
        let text = to_json(&d);
        let end = cut.index(text.len().max(1));
        if let Some(prefix) = text.get(..end) {
            check_parsed(prefix)?;
        }
    }

    #[test]
    fn valid_designs_round_trip(d in valid_design()) {
        prop_assert!(validate(&d).is_empty(), "{:?}", validate(&d));
        for text in [to_json(&d), to_json_pretty(&d)] {
            let parsed = parse(&text);
            prop_assert!(parsed.is_ok(), "{:?}", parsed);
            if let Ok(parsed) = parsed {
                prop_assert_eq!(&parsed.design, &d);
                prop_assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
            }
        }
        // Lints never panic either.
        let _ = design::lint(&d);
    }

    #[test]
    fn set_refuses_out_of_range_numbers(
        kind in prop::sample::select(NodeKind::ALL.to_vec()),
        spec_index in any::<prop::sample::Index>(),
        below in any::<bool>(),
        distance in prop_oneof![1e-6..1e9f64, Just(f64::INFINITY)],
    ) {
        let numbers: Vec<_> = kind
            .params()
            .iter()
            .filter(|s| matches!(s.kind, ParamKind::Number { .. }))
            .collect();
        if numbers.is_empty() {
            return Ok(());
        }
        let spec = spec_index.get(&numbers);
        let ParamKind::Number { min, max, .. } = spec.kind else { return Ok(()) };
        let v = if below { min - distance } else { max + distance };
        let mut params = Params::new();
        let result = params.set(kind, spec.key, v);
        prop_assert!(
            matches!(result, Err(ParamError::OutOfRange { .. })),
            "{} = {} gave {:?}", spec.key, v, result
        );
        prop_assert!(params.is_empty());
        if let Err(err) = result {
            let words = err.to_string();
            prop_assert!(words.contains("must be between"), "{}", words);
        }
    }

    #[test]
    fn set_accepts_in_range_values(
        kind in prop::sample::select(NodeKind::ALL.to_vec()),
        spec_index in any::<prop::sample::Index>(),
        u in 0.0..=1.0f64,
        flag in any::<bool>(),
    ) {
        let specs = kind.params();
        let spec = spec_index.get(specs);
        let value = valid_value(&spec.kind, u, flag);
        let mut params = Params::new();
        match params.set(kind, spec.key, value.clone()) {
            Ok(()) => prop_assert_eq!(params.get(spec.key), Some(&value)),
            // Only the bound between min and max instances may refuse a
            // value that is in range.
            Err(err) => prop_assert!(
                matches!(err, ParamError::AboveUpper { .. } | ParamError::BelowLower { .. }),
                "{} = {:?}: {}", spec.key, value, err
            ),
        }
    }
}
