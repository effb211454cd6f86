//! What the grader reads off the diagram: who sends external reads and
//! writes where, following the engine's routing rules (docs/model.md).

use std::collections::{HashMap, HashSet};

use design::{classify, Design, EdgeKind, Node, NodeKind};

/// The design's routes, as the engine follows them.
pub(crate) struct DesignFacts<'a> {
    /// Unique nodes (the first of each id), in design order.
    pub nodes: Vec<&'a Node>,
    /// Valid connections: (from, to, what it carries).
    edges: Vec<(&'a Node, &'a Node, EdgeKind)>,
    /// Nodes external reads can reach, sources included.
    pub read_nodes: HashSet<&'a str>,
    /// Nodes the operator's writes can reach, sources included.
    pub write_nodes: HashSet<&'a str>,
    /// Hops from the readers along external read routes (readers 0).
    pub read_depth: HashMap<&'a str, usize>,
}

impl<'a> DesignFacts<'a> {
    // Kept out of its callers: ARCHITECTURE.md, "The grading worker's wasm".
    #[inline(never)]
    pub fn new(d: &'a Design) -> Self {
        let mut seen = HashSet::new();
        let nodes: Vec<&Node> = d
            .nodes
            .iter()
            .filter(|n| seen.insert(n.id.as_str()))
            .collect();
        let by_id: HashMap<&str, &Node> = nodes.iter().map(|n| (n.id.as_str(), *n)).collect();
        let edges: Vec<(&Node, &Node, EdgeKind)> = d
            .edges
            .iter()
            .filter_map(|e| {
                let a = *by_id.get(e.from.as_str())?;
                let b = *by_id.get(e.to.as_str())?;
                if a.id == b.id {
                    return None;
                }
                Some((a, b, classify(a.kind, b.kind).ok()?))
            })
            .collect();
        let mut f = DesignFacts {
            nodes,
            edges,
            read_nodes: HashSet::new(),
            write_nodes: HashSet::new(),
            read_depth: HashMap::new(),
        };
        f.read_nodes = f.reach(NodeKind::Users, false);
        f.write_nodes = f.reach(NodeKind::Operator, true);
        // Breadth first: the shortest number of hops from the readers.
        let mut frontier: Vec<&Node> = f.of_kind(NodeKind::Users).collect();
        let mut depth = 0;
        while !frontier.is_empty() && depth <= f.nodes.len() {
            let mut next = Vec::new();
            for n in frontier {
                if f.read_depth.contains_key(n.id.as_str()) {
                    continue;
                }
                f.read_depth.insert(n.id.as_str(), depth);
                next.extend(f.next(n, false));
            }
            frontier = next;
            depth += 1;
        }
        f
    }

    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<&'a Node> {
        self.nodes.iter().copied().find(|n| n.id.as_str() == id)
    }

    /// Nodes of a kind.
    pub fn of_kind(&self, kind: NodeKind) -> impl Iterator<Item = &'a Node> + '_ {
        self.nodes.iter().copied().filter(move |n| n.kind == kind)
    }

    /// The children `n` sends requests of this class to (the engine's
    /// preference: services read from a cache, else a replica, else the
    /// primary; caches from a replica, else the primary).
    pub fn next(&self, n: &Node, writes: bool) -> Vec<&'a Node> {
        let carries = |k: EdgeKind| {
            if writes {
                k.carries_writes()
            } else {
                k.carries_reads()
            }
        };
        let children: Vec<&Node> = self
            .edges
            .iter()
            .filter(|(a, _, k)| a.id == n.id && carries(*k))
            .map(|(_, b, _)| *b)
            .collect();
        let prefer = |order: &[NodeKind]| -> Vec<&'a Node> {
            for kind in order {
                let these: Vec<&Node> = children
                    .iter()
                    .copied()
                    .filter(|c| c.kind == *kind)
                    .collect();
                if !these.is_empty() {
                    return these;
                }
            }
            Vec::new()
        };
        match n.kind {
            NodeKind::Api | NodeKind::Serverless if writes => prefer(&[NodeKind::DbPrimary]),
            NodeKind::Api | NodeKind::Serverless => {
                prefer(&[NodeKind::Cache, NodeKind::ReadReplica, NodeKind::DbPrimary])
            }
            NodeKind::Cache if !writes => prefer(&[NodeKind::ReadReplica, NodeKind::DbPrimary]),
            NodeKind::Cache => Vec::new(),
            _ => children,
        }
    }

    fn reach(&self, source: NodeKind, writes: bool) -> HashSet<&'a str> {
        let mut out = HashSet::new();
        let mut stack: Vec<&Node> = self.of_kind(source).collect();
        while let Some(n) = stack.pop() {
            if !out.insert(n.id.as_str()) {
                continue;
            }
            stack.extend(self.next(n, writes));
        }
        out
    }

    /// The CDNs external reads go through.
    pub fn read_cdns(&self) -> Vec<&'a Node> {
        self.of_kind(NodeKind::Cdn)
            .filter(|n| self.read_nodes.contains(n.id.as_str()))
            .collect()
    }

    /// True when every way from the readers starts at a CDN.
    pub fn users_behind_cdn(&self) -> bool {
        let users: Vec<&Node> = self.of_kind(NodeKind::Users).collect();
        !users.is_empty()
            && users.iter().all(|u| {
                let next = self.next(u, false);
                !next.is_empty() && next.iter().all(|n| n.kind == NodeKind::Cdn)
            })
    }

    /// Nodes on both the external read path and the write path (sources
    /// left out).
    pub fn shared(&self) -> Vec<&'a Node> {
        self.nodes
            .iter()
            .copied()
            .filter(|n| {
                !n.kind.is_source()
                    && self.read_nodes.contains(n.id.as_str())
                    && self.write_nodes.contains(n.id.as_str())
            })
            .collect()
    }

    /// The nodes that send external reads straight to a primary.
    pub fn primary_readers(&self) -> Vec<&'a Node> {
        self.nodes
            .iter()
            .copied()
            .filter(|n| self.read_nodes.contains(n.id.as_str()))
            .filter(|n| {
                self.next(n, false)
                    .iter()
                    .any(|c| c.kind == NodeKind::DbPrimary)
            })
            .collect()
    }

    /// The nodes this node is fed by (any connection).
    pub fn parents(&self, n: &Node) -> Vec<&'a Node> {
        self.edges
            .iter()
            .filter(|(_, b, _)| b.id == n.id)
            .map(|(a, _, _)| *a)
            .collect()
    }

    /// True when a node on the write path is connected to this cache (so
    /// each update deletes its key).
    pub fn cache_invalidated(&self, cache: &Node) -> bool {
        self.parents(cache).iter().any(|p| {
            matches!(p.kind, NodeKind::Api | NodeKind::Serverless)
                && self.write_nodes.contains(p.id.as_str())
        })
    }

    /// True when some primary replicates to this replica.
    pub fn replica_fed(&self, replica: &Node) -> bool {
        self.parents(replica)
            .iter()
            .any(|p| p.kind == NodeKind::DbPrimary)
    }
}

/// How a node is named in sentences, by what the canvas shows of it: its
/// label, and its kind when the label does not say it (`“Status API” (API
/// service)`, `“CDN”`). A node without a label goes by its id (`API
/// service “api”`).
pub(crate) fn who(n: &Node) -> String {
    if n.label.trim().is_empty() {
        format!("{} “{}”", n.kind.name(), short(n.id.as_str()))
    } else if n.label == n.kind.name() {
        quoted(n)
    } else {
        format!("{} ({})", quoted(n), n.kind.name())
    }
}

/// The bare name, for commands: the label the canvas shows (`“Status
/// API”`), else the id.
pub(crate) fn quoted(n: &Node) -> String {
    let name = if n.label.trim().is_empty() {
        n.id.as_str()
    } else {
        n.label.as_str()
    };
    format!("“{}”", short(name))
}

fn short(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(MAX - 1).collect();
        out.push('…');
        out
    }
}

/// Words in a list: "a", "a and b", "a, b and c".
pub(crate) fn join(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The text with its first letter in capitals.
pub(crate) fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A label or name in running text: "Stale-if-error" becomes
/// "stale-if-error"; a first word with capitals after its first letter is
/// a name ("TTL", "Multi-AZ") and stays as it is.
pub(crate) fn lower(label: &str) -> String {
    let first = label.split(' ').next().unwrap_or_default();
    if first.chars().skip(1).any(char::is_uppercase) {
        return label.to_string();
    }
    let mut chars = label.chars();
    match chars.next() {
        Some(a) => a.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
