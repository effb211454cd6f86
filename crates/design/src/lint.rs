//! Design advice: patterns that work on the diagram but fail under load or
//! faults (each [`LintCode`] explains itself). Lints are advice, not errors: a design with lints
//! still runs.

use std::collections::{HashMap, HashSet, VecDeque};

use serde::{Deserialize, Serialize};

use crate::connect::{classify, EdgeKind};
use crate::document::{Design, Node, NodeId};
use crate::keys::{api, db_primary};
use crate::kind::NodeKind;
use crate::number::shortest;
use crate::validate::who;

/// Which piece of advice a [`Lint`] gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LintCode {
    /// A read path from users reaches the database primary: readers'
    /// requests could reach it (on every read, or on cache or CDN misses).
    ReadsReachPrimary,
    /// Users connect straight to something other than a CDN.
    NoCdnInFrontOfUsers,
    /// A read replica has no primary replicating to it.
    ReplicaWithoutPrimary,
    /// An API service limited to one instance, or a primary without
    /// Multi-AZ.
    SingleInstanceNoFailover,
}

impl LintCode {
    /// Every lint, in the order [`lint`] reports them.
    pub const ALL: [LintCode; 4] = [
        LintCode::ReadsReachPrimary,
        LintCode::NoCdnInFrontOfUsers,
        LintCode::ReplicaWithoutPrimary,
        LintCode::SingleInstanceNoFailover,
    ];

    /// A short title: "Reads could reach the primary".
    pub fn title(self) -> &'static str {
        match self {
            LintCode::ReadsReachPrimary => "Reads could reach the primary",
            LintCode::NoCdnInFrontOfUsers => "No CDN in front of users",
            LintCode::ReplicaWithoutPrimary => "Replica without primary",
            LintCode::SingleInstanceNoFailover => "Single instance, no failover",
        }
    }

    /// Why it matters and what to do, in a few sentences.
    pub fn explanation(self) -> &'static str {
        match self {
            LintCode::ReadsReachPrimary => {
                "The primary is the only node that takes writes. If reader traffic reaches it, even only on cache or CDN misses, a surge of readers would compete with the operator's updates and could slow or block them. Send reads to a read replica (or a cache in front of one) and keep the primary for writes."
            }
            LintCode::NoCdnInFrontOfUsers => {
                "A CDN keeps copies of the page close to readers, so most requests never reach your servers. Without one, every reader's request would travel to your origin, and your servers would have to be sized, and paid for, for the whole surge."
            }
            LintCode::ReplicaWithoutPrimary => {
                "A read replica is a copy of a primary database and only has data if a primary replicates to it. Connect a database primary to it; on its own it serves nothing useful."
            }
            LintCode::SingleInstanceNoFailover => {
                "If a single instance fails, everything behind it fails until it is replaced. Allow at least two API instances, and turn on Multi-AZ for the database so a standby takes over after a short failover."
            }
        }
    }
}

/// One piece of advice about a design: what the design *allows* to
/// happen, which a run may or may not bear out ([`Lint::observed`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lint {
    /// Which advice.
    pub code: LintCode,
    /// The nodes involved, for highlighting: for a read path, the path
    /// from the users to the primary in order; otherwise the node the
    /// advice is about first.
    pub nodes: Vec<NodeId>,
    /// What was found, in one sentence naming the nodes.
    pub message: String,
    /// Why it matters and what to do ([`LintCode::explanation`]).
    pub explanation: String,
    /// Whether a run bore it out: `Some(true)` when a run measured what
    /// the advice warns of, `Some(false)` when a run measured that it did
    /// not happen (the message then says so), `None` when no run checked
    /// it. [`lint`] looks only at the diagram and leaves it `None`; the
    /// grade sets it from its runs.
    #[serde(default)]
    pub observed: Option<bool>,
}

impl Lint {
    fn new(code: LintCode, nodes: Vec<NodeId>, message: String) -> Self {
        Lint {
            code,
            nodes,
            message,
            explanation: code.explanation().to_string(),
            observed: None,
        }
    }

    /// True when a run measured that what the advice warns of did not
    /// happen (`observed == Some(false)`): show it as a hint, not a
    /// warning.
    pub fn ruled_out(&self) -> bool {
        self.observed == Some(false)
    }
}

/// The design advice for `d`, in [`LintCode::ALL`] order
/// and then node order:
///
/// - [`LintCode::ReadsReachPrimary`]: following read or read/write
///   connections from a Users node reaches a database primary (one lint per
///   primary, with the shortest such path);
/// - [`LintCode::NoCdnInFrontOfUsers`]: a Users node connects to anything
///   other than a CDN (one lint per Users node);
/// - [`LintCode::ReplicaWithoutPrimary`]: a read replica with no
///   replication connection from a primary;
/// - [`LintCode::SingleInstanceNoFailover`]: an API service whose max
///   instances is 1, or a database primary without Multi-AZ.
///
/// Connections that [`classify`] refuses or that point at missing nodes are
/// left out (they are [`crate::validate()`]'s business).
pub fn lint(d: &Design) -> Vec<Lint> {
    let mut lints = Vec::new();
    let nodes: HashMap<&NodeId, &Node> = d.nodes.iter().map(|n| (&n.id, n)).collect();
    // The edges that make sense, with what they carry.
    let edges: Vec<(&Node, &Node, EdgeKind)> = d
        .edges
        .iter()
        .filter_map(|e| {
            let from = *nodes.get(&e.from)?;
            let to = *nodes.get(&e.to)?;
            let kind = classify(from.kind, to.kind).ok()?;
            Some((from, to, kind))
        })
        .collect();

    reads_reach_primary(d, &edges, &mut lints);

    let mut beyond_users: HashMap<&NodeId, Vec<&Node>> = HashMap::new();
    for (from, to, _) in &edges {
        if from.kind == NodeKind::Users && to.kind != NodeKind::Cdn {
            beyond_users.entry(&from.id).or_default().push(to);
        }
    }
    for users in d.nodes.iter().filter(|n| n.kind == NodeKind::Users) {
        let Some(direct) = beyond_users.get(&users.id) else {
            continue;
        };
        let names: Vec<String> = direct.iter().map(|n| who(n)).collect();
        let mut ids = vec![users.id.clone()];
        ids.extend(direct.iter().map(|n| n.id.clone()));
        lints.push(Lint::new(
            LintCode::NoCdnInFrontOfUsers,
            ids,
            format!(
                "{} connect straight to {}, not through a CDN.",
                who(users),
                names.join(", ")
            ),
        ));
    }

    let fed: HashSet<&NodeId> = edges
        .iter()
        .filter(|(_, _, kind)| *kind == EdgeKind::Replication)
        .map(|(_, to, _)| &to.id)
        .collect();
    for replica in d.nodes.iter().filter(|n| n.kind == NodeKind::ReadReplica) {
        if !fed.contains(&replica.id) {
            lints.push(Lint::new(
                LintCode::ReplicaWithoutPrimary,
                vec![replica.id.clone()],
                format!("{} has no primary replicating to it.", who(replica)),
            ));
        }
    }

    for node in &d.nodes {
        let message = match node.kind {
            NodeKind::Api if node.get(api::MAX_INSTANCES) <= 1.0 => format!(
                "{} can run only one instance (max instances is {}).",
                who(node),
                shortest(node.get(api::MAX_INSTANCES))
            ),
            NodeKind::DbPrimary if !node.get(db_primary::MULTI_AZ) => {
                format!("{} has no Multi-AZ standby to fail over to.", who(node))
            }
            _ => continue,
        };
        lints.push(Lint::new(
            LintCode::SingleInstanceNoFailover,
            vec![node.id.clone()],
            message,
        ));
    }
    lints
}

/// Breadth-first search from every Users node along read-carrying edges;
/// one lint per primary reached, with the shortest path to it.
fn reads_reach_primary(d: &Design, edges: &[(&Node, &Node, EdgeKind)], lints: &mut Vec<Lint>) {
    let mut parent: HashMap<&NodeId, Option<&NodeId>> = HashMap::new();
    let mut queue: VecDeque<&NodeId> = VecDeque::new();
    for users in d.nodes.iter().filter(|n| n.kind == NodeKind::Users) {
        if parent.insert(&users.id, None).is_none() {
            queue.push_back(&users.id);
        }
    }
    let mut reads_from: HashMap<&NodeId, Vec<&NodeId>> = HashMap::new();
    for (from, to, kind) in edges {
        if kind.carries_reads() {
            reads_from.entry(&from.id).or_default().push(&to.id);
        }
    }
    while let Some(at) = queue.pop_front() {
        for &next in reads_from.get(at).into_iter().flatten() {
            if !parent.contains_key(next) {
                parent.insert(next, Some(at));
                queue.push_back(next);
            }
        }
    }
    for primary in d.nodes.iter().filter(|n| n.kind == NodeKind::DbPrimary) {
        if !parent.contains_key(&primary.id) {
            continue;
        }
        let mut path = vec![primary.id.clone()];
        let mut at = &primary.id;
        // Each node has one parent and sources have none, so this ends;
        // the length bound guards against any surprise.
        while let Some(Some(up)) = parent.get(at) {
            path.push((*up).clone());
            at = up;
            if path.len() > d.nodes.len() {
                break;
            }
        }
        path.reverse();
        let route: Vec<&str> = path.iter().map(NodeId::as_str).collect();
        // What the design allows, not what happens: with a CDN or a cache
        // on the way, only their misses would go on to the primary.
        let on_path = |kind: NodeKind| {
            path.iter()
                .filter_map(|id| d.node(id))
                .any(|n| n.kind == kind)
        };
        let when = match (on_path(NodeKind::Cdn), on_path(NodeKind::Cache)) {
            (true, true) => " on CDN and cache misses",
            (true, false) => " on CDN misses",
            (false, true) => " on cache misses",
            (false, false) => "",
        };
        lints.push(Lint::new(
            LintCode::ReadsReachPrimary,
            path.clone(),
            format!(
                "Reader traffic could reach {} ({}){when}.",
                who(primary),
                route.join(" → ")
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Point;

    fn add(d: &mut Design, kind: NodeKind) -> NodeId {
        d.add_node(kind, Point::default())
    }

    fn codes(d: &Design) -> Vec<LintCode> {
        lint(d).into_iter().map(|l| l.code).collect()
    }

    /// users → CDN → API → replica ← primary ← API ← operator, Multi-AZ.
    fn reference() -> Design {
        let mut d = Design::default();
        let users = add(&mut d, NodeKind::Users);
        let cdn = add(&mut d, NodeKind::Cdn);
        let read_api = add(&mut d, NodeKind::Api);
        let replica = add(&mut d, NodeKind::ReadReplica);
        let db = add(&mut d, NodeKind::DbPrimary);
        let write_api = add(&mut d, NodeKind::Api);
        let operator = add(&mut d, NodeKind::Operator);
        for (a, b) in [
            (&users, &cdn),
            (&cdn, &read_api),
            (&read_api, &replica),
            (&db, &replica),
            (&operator, &write_api),
            (&write_api, &db),
        ] {
            d.connect(a, b).unwrap();
        }
        d.node_mut(&db)
            .unwrap()
            .set_param("multi_az", true)
            .unwrap();
        d
    }

    #[test]
    fn the_reference_design_is_clean() {
        assert_eq!(lint(&reference()), []);
        assert_eq!(lint(&Design::default()), []);
    }

    #[test]
    fn users_api_db_gets_all_the_advice() {
        let mut d = Design::default();
        let users = add(&mut d, NodeKind::Users);
        let api = add(&mut d, NodeKind::Api);
        let db = add(&mut d, NodeKind::DbPrimary);
        d.connect(&users, &api).unwrap();
        d.connect(&api, &db).unwrap();
        d.node_mut(&api)
            .unwrap()
            .set_param("min_instances", 1)
            .unwrap();
        d.node_mut(&api)
            .unwrap()
            .set_param("max_instances", 1)
            .unwrap();
        let lints = lint(&d);
        let messages: Vec<&str> = lints.iter().map(|l| l.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Reader traffic could reach Database primary “db1” (users1 → api1 → db1).",
                "Users “users1” connect straight to API service “api1”, not through a CDN.",
                "API service “api1” can run only one instance (max instances is 1).",
                "Database primary “db1” has no Multi-AZ standby to fail over to.",
            ]
        );
        assert_eq!(lints[0].nodes, [users.clone(), api.clone(), db.clone()]);
        assert_eq!(lints[1].nodes, [users, api]);
        assert!(lints.iter().all(|l| l.explanation == l.code.explanation()));
        assert!(lints.iter().all(|l| l.observed.is_none() && !l.ruled_out()));
    }

    #[test]
    fn a_cache_miss_path_still_reaches_the_primary() {
        let mut d = reference();
        let api = NodeId::from("api1");
        let cache = add(&mut d, NodeKind::Cache);
        d.connect(&api, &cache).unwrap();
        d.connect(&cache, &NodeId::from("db1")).unwrap();
        assert_eq!(codes(&d), [LintCode::ReadsReachPrimary]);
        assert_eq!(
            lint(&d)[0]
                .nodes
                .iter()
                .map(NodeId::as_str)
                .collect::<Vec<_>>(),
            ["users1", "cdn1", "api1", "cache1", "db1"]
        );
        // It says what the design allows, and when.
        assert_eq!(
            lint(&d)[0].message,
            "Reader traffic could reach Database primary “db1” (users1 → cdn1 → api1 → cache1 → db1) on CDN and cache misses."
        );
    }

    #[test]
    fn lints_say_what_could_happen_and_serialise_what_a_run_saw() {
        let mut d = reference();
        let api = NodeId::from("api1");
        let cache = add(&mut d, NodeKind::Cache);
        d.connect(&api, &cache).unwrap();
        d.connect(&cache, &NodeId::from("db1")).unwrap();
        d.disconnect(&NodeId::from("users1"), &NodeId::from("cdn1"));
        d.connect(&NodeId::from("users1"), &api).unwrap();
        let mut lints = lint(&d);
        let reads = lints
            .iter()
            .find(|l| l.code == LintCode::ReadsReachPrimary)
            .unwrap();
        assert_eq!(
            reads.message,
            "Reader traffic could reach Database primary “db1” (users1 → api1 → cache1 → db1) on cache misses."
        );
        for l in &lints {
            assert!(!l.message.contains(" can "), "{}", l.message);
        }
        // The run's verdict travels with the lint; older JSON without it
        // reads as unchecked.
        lints[0].observed = Some(false);
        assert!(lints[0].ruled_out());
        let json = serde_json::to_string(&lints[0]).unwrap();
        assert!(json.contains("\"observed\":false"), "{json}");
        let back: Lint = serde_json::from_str(&json).unwrap();
        assert_eq!(back, lints[0]);
        let old = r#"{"code":"reads_reach_primary","nodes":[],"message":"m","explanation":"e"}"#;
        assert_eq!(serde_json::from_str::<Lint>(old).unwrap().observed, None);
    }

    #[test]
    fn writes_and_replication_are_not_read_paths() {
        // The operator's path to the primary is not a read path, and
        // replication does not lead back to the primary.
        let d = reference();
        assert!(!codes(&d).contains(&LintCode::ReadsReachPrimary));
        // Internal users may read the primary (they need their own writes).
        let mut d = reference();
        let staff = add(&mut d, NodeKind::InternalUsers);
        d.connect(&staff, &NodeId::from("api2")).unwrap();
        assert_eq!(codes(&d), []);
    }

    #[test]
    fn replica_without_primary() {
        let mut d = reference();
        d.disconnect(&NodeId::from("db1"), &NodeId::from("replica1"));
        assert_eq!(codes(&d), [LintCode::ReplicaWithoutPrimary]);
        assert_eq!(
            lint(&d)[0].message,
            "Read replica “replica1” has no primary replicating to it."
        );
    }

    #[test]
    fn invalid_edges_are_ignored() {
        let mut d = reference();
        d.edges.push(crate::document::Edge {
            from: NodeId::from("users1"),
            to: NodeId::from("db1"),
            kind: EdgeKind::Read,
        });
        d.edges.push(crate::document::Edge {
            from: NodeId::from("users1"),
            to: NodeId::from("gone"),
            kind: EdgeKind::Read,
        });
        assert_eq!(codes(&d), []);
    }

    #[test]
    fn codes_and_titles() {
        for code in LintCode::ALL {
            assert!(!code.title().is_empty());
            assert!(code.explanation().ends_with('.'));
        }
        assert_eq!(
            serde_json::to_string(&LintCode::NoCdnInFrontOfUsers).unwrap(),
            "\"no_cdn_in_front_of_users\""
        );
    }
}
