//! The kinds of node a learner can place on the canvas.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::catalogue;
use crate::params::ParamSpec;

/// What a node is. The JSON spelling is snake_case (`"load_balancer"`,
/// `"read_replica"`…), given by [`NodeKind::key`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// External readers; their traffic comes from the kata's profile.
    Users,
    /// The person posting updates (writes) on the kata's schedule.
    Operator,
    /// Staff tools that poll and need to read their own writes.
    InternalUsers,
    /// A content delivery network: caches at edge locations (PoPs).
    Cdn,
    /// Spreads requests over service instances.
    LoadBalancer,
    /// An API service: autoscaled instances, each with a pool of workers.
    Api,
    /// A serverless function: billed per call, cold starts, concurrency limit.
    Serverless,
    /// A Redis-like in-memory cache in front of a database.
    Cache,
    /// The database primary, the only node that takes writes.
    DbPrimary,
    /// Read-only copies of the primary that lag slightly behind it.
    ReadReplica,
    /// Object storage holding pre-rendered pages published on each update.
    ObjectStorage,
}

impl NodeKind {
    /// Every kind, in palette order (sources first, then the request path
    /// from the edge inwards).
    pub const ALL: [NodeKind; 11] = [
        NodeKind::Users,
        NodeKind::Operator,
        NodeKind::InternalUsers,
        NodeKind::Cdn,
        NodeKind::LoadBalancer,
        NodeKind::Api,
        NodeKind::Serverless,
        NodeKind::Cache,
        NodeKind::DbPrimary,
        NodeKind::ReadReplica,
        NodeKind::ObjectStorage,
    ];

    /// The name shown to people: "CDN", "API service", "Read replica"…
    pub fn name(self) -> &'static str {
        match self {
            NodeKind::Users => "Users",
            NodeKind::Operator => "Operator",
            NodeKind::InternalUsers => "Internal users",
            NodeKind::Cdn => "CDN",
            NodeKind::LoadBalancer => "Load balancer",
            NodeKind::Api => "API service",
            NodeKind::Serverless => "Serverless function",
            NodeKind::Cache => "Cache",
            NodeKind::DbPrimary => "Database primary",
            NodeKind::ReadReplica => "Read replica",
            NodeKind::ObjectStorage => "Object storage",
        }
    }

    /// One line for the palette: what this node does.
    pub fn summary(self) -> &'static str {
        match self {
            NodeKind::Users => "External readers; their traffic comes from the kata.",
            NodeKind::Operator => "Posts updates (writes) on the kata's schedule.",
            NodeKind::InternalUsers => "Staff tools that poll and must read their own writes.",
            NodeKind::Cdn => "Edge caches near readers: TTL, purge, serving stale, shielding.",
            NodeKind::LoadBalancer => "Spreads requests over service instances.",
            NodeKind::Api => "Your service: autoscaled instances with worker pools.",
            NodeKind::Serverless => {
                "Functions billed per call, with cold starts and a concurrency limit."
            }
            NodeKind::Cache => "Redis-like in-memory cache in front of a database.",
            NodeKind::DbPrimary => "The database that takes writes; optional Multi-AZ failover.",
            NodeKind::ReadReplica => "Read-only copies of the primary, slightly behind it.",
            NodeKind::ObjectStorage => "Stores pre-rendered pages, published on each update.",
        }
    }

    /// The parameter schema of this kind, in inspector order.
    pub fn params(self) -> &'static [ParamSpec] {
        match self {
            NodeKind::Users | NodeKind::Operator | NodeKind::InternalUsers => catalogue::SOURCE,
            NodeKind::Cdn => catalogue::CDN,
            NodeKind::LoadBalancer => catalogue::LOAD_BALANCER,
            NodeKind::Api => catalogue::API,
            NodeKind::Serverless => catalogue::SERVERLESS,
            NodeKind::Cache => catalogue::CACHE,
            NodeKind::DbPrimary => catalogue::DB_PRIMARY,
            NodeKind::ReadReplica => catalogue::READ_REPLICA,
            NodeKind::ObjectStorage => catalogue::OBJECT_STORAGE,
        }
    }

    /// The schema of one parameter of this kind, if it has one called `key`.
    pub fn param(self, key: &str) -> Option<&'static ParamSpec> {
        self.params().iter().find(|spec| spec.key == key)
    }

    /// True for the kinds that originate traffic: users, operator and
    /// internal users. Nothing may send requests to them.
    pub fn is_source(self) -> bool {
        matches!(
            self,
            NodeKind::Users | NodeKind::Operator | NodeKind::InternalUsers
        )
    }

    /// The JSON spelling: `"users"`, `"load_balancer"`, `"db_primary"`…
    pub fn key(self) -> &'static str {
        match self {
            NodeKind::Users => "users",
            NodeKind::Operator => "operator",
            NodeKind::InternalUsers => "internal_users",
            NodeKind::Cdn => "cdn",
            NodeKind::LoadBalancer => "load_balancer",
            NodeKind::Api => "api",
            NodeKind::Serverless => "serverless",
            NodeKind::Cache => "cache",
            NodeKind::DbPrimary => "db_primary",
            NodeKind::ReadReplica => "read_replica",
            NodeKind::ObjectStorage => "object_storage",
        }
    }

    /// The kind whose JSON spelling is `key`, if any.
    pub fn from_key(key: &str) -> Option<NodeKind> {
        NodeKind::ALL.into_iter().find(|kind| kind.key() == key)
    }

    /// The prefix of fresh node ids: `cdn` gives `cdn1`, `cdn2`…
    pub fn id_prefix(self) -> &'static str {
        match self {
            NodeKind::Users => "users",
            NodeKind::Operator => "operator",
            NodeKind::InternalUsers => "staff",
            NodeKind::Cdn => "cdn",
            NodeKind::LoadBalancer => "lb",
            NodeKind::Api => "api",
            NodeKind::Serverless => "fn",
            NodeKind::Cache => "cache",
            NodeKind::DbPrimary => "db",
            NodeKind::ReadReplica => "replica",
            NodeKind::ObjectStorage => "bucket",
        }
    }
}

impl fmt::Display for NodeKind {
    /// Writes the [`NodeKind::name`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn all_lists_every_kind_once() {
        let set: BTreeSet<NodeKind> = NodeKind::ALL.into_iter().collect();
        assert_eq!(set.len(), NodeKind::ALL.len());
    }

    #[test]
    fn key_matches_serde_and_round_trips() {
        for kind in NodeKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.key()));
            assert_eq!(NodeKind::from_key(kind.key()), Some(kind));
            let back: NodeKind = serde_json::from_str(&json).unwrap();
            assert_eq!(back, kind);
        }
        assert_eq!(NodeKind::from_key("CDN"), None);
        assert_eq!(NodeKind::from_key(""), None);
    }

    #[test]
    fn names_summaries_and_prefixes_are_distinct_and_present() {
        let names: BTreeSet<_> = NodeKind::ALL.iter().map(|k| k.name()).collect();
        let prefixes: BTreeSet<_> = NodeKind::ALL.iter().map(|k| k.id_prefix()).collect();
        assert_eq!(names.len(), NodeKind::ALL.len());
        assert_eq!(prefixes.len(), NodeKind::ALL.len());
        for kind in NodeKind::ALL {
            assert!(!kind.summary().is_empty());
            assert_eq!(kind.to_string(), kind.name());
            // No prefix is another prefix followed by digits, so fresh ids
            // of different kinds never collide.
            assert!(!kind.id_prefix().ends_with(|c: char| c.is_ascii_digit()));
        }
        assert_eq!(NodeKind::Cdn.name(), "CDN");
        assert_eq!(NodeKind::Api.name(), "API service");
        assert_eq!(NodeKind::ReadReplica.name(), "Read replica");
    }

    #[test]
    fn sources() {
        let sources: Vec<_> = NodeKind::ALL
            .into_iter()
            .filter(|k| k.is_source())
            .collect();
        assert_eq!(
            sources,
            [NodeKind::Users, NodeKind::Operator, NodeKind::InternalUsers]
        );
    }

    #[test]
    fn param_lookup() {
        assert!(NodeKind::Cdn.param("ttl_s").is_some());
        assert!(NodeKind::Cdn.param("size").is_none());
        assert!(NodeKind::Api.param("size").is_some());
    }
}
