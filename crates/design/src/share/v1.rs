//! The binary payload inside the deflate stream of link formats 1
//! (`#d1.…`) and 2 (`#d2.…`, the same payload with a checksum after it).
//! Described for people in `docs/design-format.md` ("Share links").
//!
//! ```text
//! payload  = text kata, varint seed, varint node count, node…,
//!            varint edge count, edge…              (nothing may follow)
//! node     = head byte, [varint kind − 15], [text id], [text label],
//!            position, [varint param count, param…]
//! head     = bits 0–3 kind code (15: the code continues in a varint),
//!            bit 4 id follows, bit 5 label follows,
//!            bit 6 off the grid, bit 7 params follow
//! position = on the grid: signed x/16, signed y/16; off it: num x, num y
//! param    = varint (key code << 3 | value type), [text key if code 0],
//!            value: 0 false, 1 true, 2 varint whole number ≥ 0, 3 num,
//!            4 varint option index, 5 text
//! edge     = varint from, varint to  (node indices in the link, from 0)
//! ```
//!
//! Kind codes, parameter key codes and option indices come from the explicit
//! tables below, which only ever grow at the end: a code once given keeps
//! its meaning forever, whatever happens to [`NodeKind`] or the catalogue.
//!
//! Decoding does not build a [`crate::Design`] itself: it spells the payload
//! out as a version-1 JSON document and leaves every check and repair to
//! [`crate::format::parse`], so a link can never carry a design that a file
//! could not.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::wire::{exact_int, Problem, Reader, Writer};
use crate::document::{Design, NodeId};
use crate::kind::NodeKind;
use crate::params::ParamValue;

// ---------------------------------------------------------------- tables

/// The kind codes. Append only.
pub(crate) fn kind_code(kind: NodeKind) -> u64 {
    match kind {
        NodeKind::Users => 0,
        NodeKind::Operator => 1,
        NodeKind::InternalUsers => 2,
        NodeKind::Cdn => 3,
        NodeKind::LoadBalancer => 4,
        NodeKind::Api => 5,
        NodeKind::Serverless => 6,
        NodeKind::Cache => 7,
        NodeKind::DbPrimary => 8,
        NodeKind::ReadReplica => 9,
        NodeKind::ObjectStorage => 10,
    }
}

/// The kind with this code, if this playground knows it.
pub(crate) fn kind_from_code(code: u64) -> Option<NodeKind> {
    NodeKind::ALL.into_iter().find(|&k| kind_code(k) == code)
}

/// The head byte's kind bits that say "the code continues in a varint".
const KIND_ESCAPE: u8 = 15;
const HAS_ID: u8 = 1 << 4;
const HAS_LABEL: u8 = 1 << 5;
const OFF_GRID: u8 = 1 << 6;
const HAS_PARAMS: u8 = 1 << 7;

/// The canvas grid, in canvas pixels: positions on it are written in grid
/// units.
pub(crate) const GRID: f64 = 16.0;

/// One parameter key and, for a choice, its options, in index order.
type Key = (&'static str, &'static [&'static str]);

const SIZES3: &[&str] = &["small", "medium", "large"];
const SIZES4: &[&str] = &["small", "medium", "large", "xlarge"];

const SOURCE_KEYS: &[Key] = &[("net_median_ms", &[]), ("net_sigma", &[])];
const CDN_KEYS: &[Key] = &[
    ("ttl_s", &[]),
    ("purge_on_update", &[]),
    ("swr_s", &[]),
    ("sie_s", &[]),
    ("collapse", &[]),
    ("shield", &[]),
    ("origin_median_ms", &[]),
    ("origin_sigma", &[]),
    ("origin_timeout_ms", &[]),
    ("plan", &["pay_as_you_go", "pro"]),
];
const LOAD_BALANCER_KEYS: &[Key] = &[("latency_ms", &[])];
const API_KEYS: &[Key] = &[
    ("size", SIZES4),
    ("min_instances", &[]),
    ("max_instances", &[]),
    ("autoscale", &[]),
    ("target_util", &[]),
    ("boot_s", &[]),
    ("service_ms", &[]),
    ("queue_limit", &[]),
    ("timeout_ms", &[]),
];
const SERVERLESS_KEYS: &[Key] = &[
    ("memory_mb", &[]),
    ("concurrency_limit", &[]),
    ("cold_start_ms", &[]),
    ("service_ms", &[]),
    ("timeout_ms", &[]),
];
const CACHE_KEYS: &[Key] = &[("size", SIZES3), ("ttl_s", &[]), ("get_ms", &[])];
const DB_PRIMARY_KEYS: &[Key] = &[
    ("size", SIZES4),
    ("multi_az", &[]),
    ("failover_s", &[]),
    ("read_ms", &[]),
    ("write_ms", &[]),
    ("max_connections", &[]),
];
const READ_REPLICA_KEYS: &[Key] = &[
    ("size", SIZES4),
    ("count", &[]),
    ("read_ms", &[]),
    ("lag_s", &[]),
];
const OBJECT_STORAGE_KEYS: &[Key] = &[("get_ms", &[])];

/// The parameter keys of a kind: key code `i + 1` is entry `i`; code 0
/// means the key is spelled out. Append only.
pub(crate) fn keys(kind: NodeKind) -> &'static [Key] {
    match kind {
        NodeKind::Users | NodeKind::Operator | NodeKind::InternalUsers => SOURCE_KEYS,
        NodeKind::Cdn => CDN_KEYS,
        NodeKind::LoadBalancer => LOAD_BALANCER_KEYS,
        NodeKind::Api => API_KEYS,
        NodeKind::Serverless => SERVERLESS_KEYS,
        NodeKind::Cache => CACHE_KEYS,
        NodeKind::DbPrimary => DB_PRIMARY_KEYS,
        NodeKind::ReadReplica => READ_REPLICA_KEYS,
        NodeKind::ObjectStorage => OBJECT_STORAGE_KEYS,
    }
}

const FALSE: u64 = 0;
const TRUE: u64 = 1;
const WHOLE: u64 = 2;
const NUMBER: u64 = 3;
const OPTION: u64 = 4;
const TEXT: u64 = 5;

// ---------------------------------------------------------------- encode

/// Hands out the ids [`Design::add_node`] would, given the ids of the nodes
/// before: the kind's prefix and the smallest number not taken. The same
/// as [`Design::fresh_id`], in amortised constant time (ids are only ever
/// taken, so the smallest free number of a prefix never goes down).
#[derive(Debug, Default)]
struct FreshIds {
    taken: HashSet<String>,
    next: HashMap<String, usize>,
}

impl FreshIds {
    fn fresh(&mut self, prefix: &str) -> String {
        let n = self.next.entry(prefix.to_string()).or_insert(1);
        loop {
            let id = format!("{prefix}{n}");
            if !self.taken.contains(&id) {
                return id;
            }
            *n += 1;
        }
    }

    fn take(&mut self, id: String) {
        self.taken.insert(id);
    }
}

/// On the grid: the position in whole grid units, if it is exactly one.
fn grid_units(x: f64) -> Option<i64> {
    let units = exact_int(x / GRID)?;
    ((units as f64 * GRID).to_bits() == x.to_bits()).then_some(units)
}

/// The payload for a design, a kata and a seed.
pub(crate) fn write(design: &Design, kata: &str, seed: u64) -> Vec<u8> {
    let mut w = Writer::default();
    w.text(kata);
    w.varint(seed);

    w.varint(design.nodes.len() as u64);
    let mut ids = FreshIds::default();
    for node in &design.nodes {
        let code = kind_code(node.kind);
        let fresh = ids.fresh(node.kind.id_prefix());
        let explicit_id = node.id.as_str() != fresh;
        ids.take(node.id.as_str().to_string());
        let label = node.label != node.kind.name();
        let grid = grid_units(node.position.x).zip(grid_units(node.position.y));

        let mut head = if code < u64::from(KIND_ESCAPE) {
            code as u8
        } else {
            KIND_ESCAPE
        };
        if explicit_id {
            head |= HAS_ID;
        }
        if label {
            head |= HAS_LABEL;
        }
        if grid.is_none() {
            head |= OFF_GRID;
        }
        if !node.params.is_empty() {
            head |= HAS_PARAMS;
        }
        w.byte(head);
        if head & 0x0f == KIND_ESCAPE {
            w.varint(code - u64::from(KIND_ESCAPE));
        }
        if explicit_id {
            w.text(node.id.as_str());
        }
        if label {
            w.text(&node.label);
        }
        match grid {
            Some((x, y)) => {
                w.signed(x);
                w.signed(y);
            }
            None => {
                w.num(node.position.x);
                w.num(node.position.y);
            }
        }
        if !node.params.is_empty() {
            w.varint(node.params.len() as u64);
            let table = keys(node.kind);
            for (key, value) in node.params.iter() {
                let index = table.iter().position(|(k, _)| *k == key);
                let code = index.map_or(0, |i| i as u64 + 1);
                let options = index.and_then(|i| table.get(i)).map_or(&[][..], |e| e.1);
                let (vtype, whole) = match value {
                    ParamValue::Bool(false) => (FALSE, None),
                    ParamValue::Bool(true) => (TRUE, None),
                    ParamValue::Number(v) => match exact_int(*v) {
                        Some(i) if i >= 0 => (WHOLE, Some(i as u64)),
                        _ => (NUMBER, None),
                    },
                    ParamValue::Text(t) => match options.iter().position(|o| o == t) {
                        Some(i) => (OPTION, Some(i as u64)),
                        None => (TEXT, None),
                    },
                };
                w.varint((code << 3) | vtype);
                if code == 0 {
                    w.text(key);
                }
                match (value, whole) {
                    (_, Some(n)) => w.varint(n),
                    (ParamValue::Number(v), None) => w.num(*v),
                    (ParamValue::Text(t), None) => w.text(t),
                    (ParamValue::Bool(_), None) => {}
                }
            }
        }
    }

    // Edges by node index; an end that names no node cannot be written
    // (reading the design's JSON would drop that edge too). Like
    // `Design::node`, an id names the first node that has it.
    let mut index: HashMap<&NodeId, usize> = HashMap::new();
    for (i, node) in design.nodes.iter().enumerate() {
        index.entry(&node.id).or_insert(i);
    }
    let edges: Vec<(usize, usize)> = design
        .edges
        .iter()
        .filter_map(|e| Some((*index.get(&e.from)?, *index.get(&e.to)?)))
        .collect();
    w.varint(edges.len() as u64);
    for (from, to) in edges {
        w.varint(from as u64);
        w.varint(to as u64);
    }
    w.bytes
}

// ---------------------------------------------------------------- decode

/// What a payload holds: the kata, the seed and the design spelled out as
/// a version-1 JSON document, not yet checked.
#[derive(Debug)]
pub(crate) struct Payload {
    pub(crate) kata: String,
    pub(crate) seed: u64,
    pub(crate) document: Value,
}

/// Reads a payload. Fails only when the bytes do not follow the layout
/// (cut short, a bad varint, text that is not UTF-8, an unknown value
/// type, bytes left over); whatever they say within the layout is left to
/// the JSON reader to check and repair.
///
/// A node of a kind this playground does not know (written by a newer
/// one) gets the kind `"kind N"`, which the JSON reader drops with a note;
/// a parameter key code past the table becomes the key `"setting N"` and
/// an option index past the list the value `"option N"`, which it ignores
/// or resets with a note. An edge end past the last node, or naming a node
/// whose id repeats an earlier one, becomes `"node N"` (N from 1), which
/// can match no node since ids have no spaces.
pub(crate) fn read(bytes: &[u8]) -> Result<Payload, Problem> {
    let mut r = Reader::new(bytes);
    let kata = r.text()?;
    let seed = r.varint()?;

    let count = r.count()?;
    // Every node takes at least two bytes, so this never over-allocates.
    let mut nodes = Vec::with_capacity(count.min(r.remaining() / 2));
    // The id of each node record, or None when an earlier record has it.
    let mut ends: Vec<Option<String>> = Vec::with_capacity(nodes.capacity());
    let mut ids = FreshIds::default();
    for _ in 0..count {
        let head = r.byte()?;
        let mut code = u64::from(head & 0x0f);
        if head & 0x0f == KIND_ESCAPE {
            code = r.varint()?.saturating_add(code);
        }
        let kind = kind_from_code(code);
        let id = if head & HAS_ID != 0 {
            r.text()?
        } else {
            match kind {
                Some(kind) => ids.fresh(kind.id_prefix()),
                None => ids.fresh(&format!("new-kind-{code}-")),
            }
        };
        ends.push((!ids.taken.contains(&id)).then(|| id.clone()));
        ids.take(id.clone());

        let mut obj = Map::new();
        obj.insert("id".into(), Value::from(id));
        obj.insert(
            "kind".into(),
            Value::from(kind.map_or_else(|| format!("kind {code}"), |k| k.key().to_string())),
        );
        if head & HAS_LABEL != 0 {
            obj.insert("label".into(), Value::from(r.text()?));
        }
        let (x, y) = if head & OFF_GRID != 0 {
            (r.num()?, r.num()?)
        } else {
            (r.signed()? as f64 * GRID, r.signed()? as f64 * GRID)
        };
        obj.insert("x".into(), json_number(x));
        obj.insert("y".into(), json_number(y));
        if head & HAS_PARAMS != 0 {
            obj.insert("params".into(), Value::Object(read_params(&mut r, kind)?));
        }
        nodes.push(Value::Object(obj));
    }

    let count = r.count()?;
    let mut edges = Vec::with_capacity(count.min(r.remaining() / 2));
    let end = |i: usize| match ends.get(i) {
        Some(Some(id)) => Value::from(id.as_str()),
        _ => Value::from(format!("node {}", i.saturating_add(1))),
    };
    for _ in 0..count {
        let from = r.count()?;
        let to = r.count()?;
        let mut obj = Map::new();
        obj.insert("from".into(), end(from));
        obj.insert("to".into(), end(to));
        edges.push(Value::Object(obj));
    }
    if r.remaining() > 0 {
        return Err("there is more after the end of the design");
    }

    let mut doc = Map::new();
    doc.insert("version".into(), Value::from(1));
    doc.insert("nodes".into(), Value::Array(nodes));
    doc.insert("edges".into(), Value::Array(edges));
    Ok(Payload {
        kata,
        seed,
        document: Value::Object(doc),
    })
}

/// A number as JSON: an integer when it is one (so notes quote `90000`, not
/// `90000.0`), null when it is not a number at all (NaN, infinity), which
/// the JSON reader replaces by the default with a note.
fn json_number(v: f64) -> Value {
    match exact_int(v) {
        Some(i) => Value::from(i),
        None => Value::from(v),
    }
}

fn read_params(r: &mut Reader<'_>, kind: Option<NodeKind>) -> Result<Map<String, Value>, Problem> {
    let table = kind.map_or(&[][..], keys);
    let count = r.count()?;
    let mut params = Map::new();
    for _ in 0..count {
        let tag = r.varint()?;
        let (code, vtype) = (tag >> 3, tag & 7);
        let entry = usize::try_from(code)
            .ok()
            .and_then(|c| c.checked_sub(1))
            .and_then(|i| table.get(i));
        let key = match (code, entry) {
            (0, _) => r.text()?,
            (_, Some((key, _))) => (*key).to_string(),
            (_, None) => format!("setting {code}"),
        };
        let value = match vtype {
            FALSE => Value::Bool(false),
            TRUE => Value::Bool(true),
            WHOLE => Value::from(r.varint()?),
            NUMBER => json_number(r.num()?),
            OPTION => {
                let i = r.count()?;
                match entry.and_then(|(_, options)| options.get(i)) {
                    Some(option) => Value::from(*option),
                    None => Value::from(format!("option {i}")),
                }
            }
            TEXT => Value::from(r.text()?),
            _ => return Err("a setting in it has a type this playground does not know"),
        };
        params.insert(key, value);
    }
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Point;
    use crate::params::ParamKind;

    /// The kind codes are part of every link ever shared: never change one.
    #[test]
    fn kind_codes_are_pinned() {
        let pinned = [
            (0, "users"),
            (1, "operator"),
            (2, "internal_users"),
            (3, "cdn"),
            (4, "load_balancer"),
            (5, "api"),
            (6, "serverless"),
            (7, "cache"),
            (8, "db_primary"),
            (9, "read_replica"),
            (10, "object_storage"),
        ];
        for (code, key) in pinned {
            let kind = NodeKind::from_key(key).unwrap();
            assert_eq!(kind_code(kind), code, "{key}");
            assert_eq!(kind_from_code(code), Some(kind));
        }
        assert_eq!(pinned.len(), NodeKind::ALL.len());
        assert_eq!(kind_from_code(11), None);
        assert_eq!(kind_from_code(u64::MAX), None);
    }

    /// The key codes and option indices are part of every link ever
    /// shared: never change or reorder one; add new ones at the end.
    #[test]
    fn key_tables_are_pinned() {
        let pinned: [(&str, &[&str]); 9] = [
            ("users", &["net_median_ms", "net_sigma"]),
            (
                "cdn",
                &[
                    "ttl_s",
                    "purge_on_update",
                    "swr_s",
                    "sie_s",
                    "collapse",
                    "shield",
                    "origin_median_ms",
                    "origin_sigma",
                    "origin_timeout_ms",
                    "plan",
                ],
            ),
            ("load_balancer", &["latency_ms"]),
            (
                "api",
                &[
                    "size",
                    "min_instances",
                    "max_instances",
                    "autoscale",
                    "target_util",
                    "boot_s",
                    "service_ms",
                    "queue_limit",
                    "timeout_ms",
                ],
            ),
            (
                "serverless",
                &[
                    "memory_mb",
                    "concurrency_limit",
                    "cold_start_ms",
                    "service_ms",
                    "timeout_ms",
                ],
            ),
            ("cache", &["size", "ttl_s", "get_ms"]),
            (
                "db_primary",
                &[
                    "size",
                    "multi_az",
                    "failover_s",
                    "read_ms",
                    "write_ms",
                    "max_connections",
                ],
            ),
            ("read_replica", &["size", "count", "read_ms", "lag_s"]),
            ("object_storage", &["get_ms"]),
        ];
        for (kind, expected) in pinned {
            let kind = NodeKind::from_key(kind).unwrap();
            let table: Vec<&str> = keys(kind).iter().map(|(k, _)| *k).collect();
            assert_eq!(table, expected, "{kind:?}");
        }
        assert_eq!(keys(NodeKind::Operator), keys(NodeKind::Users));
        assert_eq!(keys(NodeKind::InternalUsers), keys(NodeKind::Users));

        let options = |kind: NodeKind, key: &str| {
            keys(kind)
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, o)| o.to_vec())
        };
        let four = vec!["small", "medium", "large", "xlarge"];
        assert_eq!(
            options(NodeKind::Cdn, "plan"),
            Some(vec!["pay_as_you_go", "pro"])
        );
        assert_eq!(options(NodeKind::Api, "size"), Some(four.clone()));
        assert_eq!(options(NodeKind::DbPrimary, "size"), Some(four.clone()));
        assert_eq!(options(NodeKind::ReadReplica, "size"), Some(four));
        assert_eq!(
            options(NodeKind::Cache, "size"),
            Some(vec!["small", "medium", "large"])
        );
    }

    /// Every parameter and option in the catalogue has a code, so a new
    /// one cannot be forgotten here (it would still work, spelled out, but
    /// make links longer).
    #[test]
    fn tables_cover_the_catalogue() {
        for kind in NodeKind::ALL {
            let table = keys(kind);
            for spec in kind.params() {
                let entry = table.iter().find(|(k, _)| *k == spec.key);
                let Some((_, options)) = entry else {
                    panic!(
                        "{kind:?}.{} has no key code: append it to the table",
                        spec.key
                    );
                };
                match spec.kind {
                    ParamKind::Choice { options: all, .. } => {
                        for option in all {
                            assert!(
                                options.contains(option),
                                "{kind:?}.{} option {option} has no index: append it",
                                spec.key
                            );
                        }
                    }
                    _ => assert!(options.is_empty(), "{kind:?}.{}", spec.key),
                }
            }
            assert!(
                table.len() < 16,
                "key codes of {kind:?} still fit the tag byte"
            );
        }
    }

    #[test]
    fn fresh_ids_match_the_design() {
        let mut d = Design::default();
        let mut ids = FreshIds::default();
        let plan = [
            (NodeKind::Cdn, None),
            (NodeKind::Cdn, Some("cdn3")),
            (NodeKind::Cdn, None),
            (NodeKind::Cdn, None),
            (NodeKind::Api, Some("cdn5")),
            (NodeKind::Cdn, None),
            (NodeKind::Api, None),
        ];
        for (kind, custom) in plan {
            assert_eq!(ids.fresh(kind.id_prefix()), d.fresh_id(kind).0);
            let id = d.add_node(kind, Default::default());
            if let (Some(custom), Some(node)) = (custom, d.node_mut(&id)) {
                node.id = NodeId::from(custom);
            }
            ids.take(d.nodes.last().map(|n| n.id.0.clone()).unwrap_or_default());
        }
    }

    #[test]
    fn grid_positions() {
        assert_eq!(grid_units(0.0), Some(0));
        assert_eq!(grid_units(320.0), Some(20));
        assert_eq!(grid_units(-48.0), Some(-3));
        assert_eq!(grid_units(-0.0), None);
        assert_eq!(grid_units(8.0), None);
        assert_eq!(grid_units(f64::NAN), None);
        assert_eq!(grid_units(1e300), None);
    }

    /// The layout of a small payload, byte by byte, as the format's
    /// documentation describes it.
    #[test]
    fn payload_layout_is_pinned() {
        let mut d = Design::default();
        let users = d.add_node(NodeKind::Users, Point { x: 64.0, y: 160.0 });
        let cdn = d.add_node(NodeKind::Cdn, Point { x: 256.0, y: 160.0 });
        let api = d.add_node(NodeKind::Api, Point { x: 450.5, y: 160.0 });
        let node = d.node_mut(&cdn).unwrap();
        node.set_param("ttl_s", 30).unwrap();
        node.set_param("purge_on_update", true).unwrap();
        let node = d.node_mut(&api).unwrap();
        node.id = NodeId::from("read");
        node.label = "Status API".into();
        let api = NodeId::from("read");
        d.connect(&users, &cdn).unwrap();
        d.connect(&cdn, &api).unwrap();

        let mut expected: Vec<u8> = vec![1, b'k', 0xac, 0x02, 3];
        // users1: kind 0, on the grid at (4, 10) units.
        expected.extend_from_slice(&[0x00, 8, 20]);
        // cdn1: kind 3 with params at (16, 10) units; purge_on_update
        // (code 2) true, ttl_s (code 1) whole 30.
        expected.extend_from_slice(&[0x83, 32, 20, 2, (2 << 3) | 1, (1 << 3) | 2, 30]);
        // "read": kind 5, id, label, off the grid: 450.5 = 4505 / 10^1,
        // 160 = 160 / 10^0.
        expected.extend_from_slice(&[0x75, 4, b'r', b'e', b'a', b'd', 10]);
        expected.extend_from_slice(b"Status API");
        expected.extend_from_slice(&[0x91, 0xb3, 0x04, 0x80, 0x14]);
        // Two edges: 0 → 1, 1 → 2.
        expected.extend_from_slice(&[2, 0, 1, 1, 2]);
        assert_eq!(write(&d, "k", 300), expected);
    }

    #[test]
    fn layout_errors() {
        // Unknown value type 6 in a parameter.
        let bytes = [0, 0, 1, 0x80 | 5, 0, 0, 1, (1 << 3) | 6];
        assert!(read(&bytes).is_err());
        // Bytes after the edges.
        assert!(read(&[0, 0, 0, 0, 9]).is_err());
        assert!(read(&[0, 0, 0, 0]).is_ok());
        // A huge count with nothing behind it.
        assert!(read(&[0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f]).is_err());
    }
}
