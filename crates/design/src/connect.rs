//! Connection rules: which kinds may send requests to which, and what the
//! connection carries.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::document::NodeId;
use crate::kind::NodeKind;

/// What a connection carries, derived from the kinds at its two ends by
/// [`classify`]. The JSON spelling is snake_case (`"read_write"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// Read requests (page views, queries).
    Read,
    /// Write requests (the operator's updates).
    Write,
    /// Both reads and writes (a load balancer forwarding to a service, a
    /// service querying the primary).
    ReadWrite,
    /// A primary streaming its changes to a read replica.
    Replication,
    /// A service publishing pre-rendered pages to object storage on each
    /// update.
    Publish,
}

impl EdgeKind {
    /// Every edge kind.
    pub const ALL: [EdgeKind; 5] = [
        EdgeKind::Read,
        EdgeKind::Write,
        EdgeKind::ReadWrite,
        EdgeKind::Replication,
        EdgeKind::Publish,
    ];

    /// The name shown to people: "read", "read/write"…
    pub fn name(self) -> &'static str {
        match self {
            EdgeKind::Read => "read",
            EdgeKind::Write => "write",
            EdgeKind::ReadWrite => "read/write",
            EdgeKind::Replication => "replication",
            EdgeKind::Publish => "publish",
        }
    }

    /// The JSON spelling: `"read"`, `"read_write"`…
    pub fn key(self) -> &'static str {
        match self {
            EdgeKind::Read => "read",
            EdgeKind::Write => "write",
            EdgeKind::ReadWrite => "read_write",
            EdgeKind::Replication => "replication",
            EdgeKind::Publish => "publish",
        }
    }

    /// The edge kind whose JSON spelling is `key`, if any.
    pub fn from_key(key: &str) -> Option<EdgeKind> {
        EdgeKind::ALL.into_iter().find(|kind| kind.key() == key)
    }

    /// True if read requests may travel along this edge.
    pub fn carries_reads(self) -> bool {
        matches!(self, EdgeKind::Read | EdgeKind::ReadWrite)
    }

    /// True if write requests may travel along this edge.
    pub fn carries_writes(self) -> bool {
        matches!(self, EdgeKind::Write | EdgeKind::ReadWrite)
    }
}

impl fmt::Display for EdgeKind {
    /// Writes the [`EdgeKind::name`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a connection was refused; its `Display` is the reason in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectionRefused {
    /// A node cannot connect to itself.
    SelfLoop,
    /// The two nodes are already connected in this direction.
    Duplicate,
    /// One end is not in the design.
    MissingNode(NodeId),
    /// The kinds at the two ends make no sense together.
    Kinds {
        /// The sending kind.
        from: NodeKind,
        /// The receiving kind.
        to: NodeKind,
        /// Why, in words.
        reason: &'static str,
    },
}

impl fmt::Display for ConnectionRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectionRefused::SelfLoop => f.write_str("A node cannot connect to itself"),
            ConnectionRefused::Duplicate => f.write_str("These two nodes are already connected"),
            ConnectionRefused::MissingNode(id) => write!(f, "There is no node “{id}”"),
            ConnectionRefused::Kinds { reason, .. } => f.write_str(reason),
        }
    }
}

impl std::error::Error for ConnectionRefused {}

/// What a connection from a `from` node to a `to` node carries, or why it
/// makes no sense. An edge points the way requests travel (from the client
/// towards the data), except replication and publish, which point the way
/// data is pushed.
///
/// | from ↓ / to → | CDN | load balancer | API / serverless | cache | DB primary | read replica | object storage |
/// |---|---|---|---|---|---|---|---|
/// | users, internal users | read | read | read | – | – | – | read |
/// | operator | – | write | write | – | – | – | – |
/// | CDN | – | read | read | – | – | – | read |
/// | load balancer | – | – | read/write | – | – | – | – |
/// | API, serverless | – | – | – | read | read/write | read | publish |
/// | cache | – | – | – | – | read | read | – |
/// | DB primary | – | – | – | – | – | replication | – |
/// | read replica, object storage | – | – | – | – | – | – | – |
///
/// Nothing connects to users, the operator or internal users. A CDN in
/// front of another CDN is refused: origin shielding is the CDN's `shield`
/// parameter. Service-to-service calls are not modelled. Every allowed
/// connection goes to a kind later in [`NodeKind::ALL`], so a design whose
/// edges all pass `classify` has no cycles and can be walked in
/// topological order.
pub fn classify(from: NodeKind, to: NodeKind) -> Result<EdgeKind, ConnectionRefused> {
    use EdgeKind::*;
    use NodeKind::*;
    let refuse = |reason: &'static str| Err(ConnectionRefused::Kinds { from, to, reason });
    // Terminal kinds first: they never send requests, whatever the target.
    match from {
        ReadReplica => {
            return refuse("A read replica only answers queries; it does not send requests")
        }
        ObjectStorage => {
            return refuse("Object storage only serves stored files; it does not send requests")
        }
        _ => {}
    }
    if to.is_source() {
        return refuse(match to {
            Operator => "Nothing sends requests to the operator; the operator sends updates",
            InternalUsers => "Nothing sends requests to internal users; they send requests",
            _ => "Nothing sends requests to users; users send requests",
        });
    }
    match (from, to) {
        (Users | InternalUsers, Cdn | LoadBalancer | Api | Serverless | ObjectStorage) => Ok(Read),
        (Users | InternalUsers, Cache) => refuse("Readers cannot reach a cache directly; connect them to a service that reads from it"),
        (Users | InternalUsers, DbPrimary | ReadReplica) => refuse("Readers cannot query a database directly; put a service in front of it"),

        (Operator, LoadBalancer | Api | Serverless) => Ok(Write),
        (Operator, Cdn) => refuse("The operator's updates must go to a service; a CDN only serves reads (turn on its purge on update instead)"),
        (Operator, DbPrimary | ReadReplica) => refuse("Operator writes must go through a service, not straight to the database"),
        (Operator, Cache) => refuse("Operator writes must go through a service, not straight to a cache"),
        (Operator, ObjectStorage) => refuse("The operator's updates must go through a service, which publishes pages to object storage"),

        (Cdn, LoadBalancer | Api | Serverless | ObjectStorage) => Ok(Read),
        (Cdn, Cdn) => refuse("A CDN in front of another CDN is not modelled; turn on the CDN's origin shield instead"),
        (Cdn, Cache | DbPrimary | ReadReplica) => refuse("A CDN fetches pages over HTTP from a load balancer, a service or object storage, not from a cache or database"),

        (LoadBalancer, Api | Serverless) => Ok(ReadWrite),
        (LoadBalancer, _) => refuse("A load balancer only spreads requests over services (API or serverless)"),

        (Api | Serverless, Cache | ReadReplica) => Ok(Read),
        (Api | Serverless, DbPrimary) => Ok(ReadWrite),
        (Api | Serverless, ObjectStorage) => Ok(Publish),
        (Api | Serverless, Cdn) => refuse("A service does not send requests to a CDN; put the CDN in front of the service"),
        (Api | Serverless, _) => refuse("Calls between services are not modelled; connect the service to a cache, a database or object storage"),

        (Cache, DbPrimary | ReadReplica) => Ok(Read),
        (Cache, _) => refuse("A cache only reads through to a database (a primary or a read replica)"),

        (DbPrimary, ReadReplica) => Ok(Replication),
        (DbPrimary, _) => refuse("A database primary only replicates to read replicas; it does not send requests"),

        // Handled above; kept so the match stays total without a wildcard.
        (ReadReplica | ObjectStorage, _) | (_, Users | Operator | InternalUsers) => {
            refuse("This connection makes no sense")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use NodeKind::*;

    #[test]
    fn the_table() {
        let allowed = [
            (Users, Cdn, EdgeKind::Read),
            (Users, LoadBalancer, EdgeKind::Read),
            (Users, Api, EdgeKind::Read),
            (Users, Serverless, EdgeKind::Read),
            (Users, ObjectStorage, EdgeKind::Read),
            (InternalUsers, Cdn, EdgeKind::Read),
            (InternalUsers, LoadBalancer, EdgeKind::Read),
            (InternalUsers, Api, EdgeKind::Read),
            (InternalUsers, Serverless, EdgeKind::Read),
            (InternalUsers, ObjectStorage, EdgeKind::Read),
            (Operator, LoadBalancer, EdgeKind::Write),
            (Operator, Api, EdgeKind::Write),
            (Operator, Serverless, EdgeKind::Write),
            (Cdn, LoadBalancer, EdgeKind::Read),
            (Cdn, Api, EdgeKind::Read),
            (Cdn, Serverless, EdgeKind::Read),
            (Cdn, ObjectStorage, EdgeKind::Read),
            (LoadBalancer, Api, EdgeKind::ReadWrite),
            (LoadBalancer, Serverless, EdgeKind::ReadWrite),
            (Api, Cache, EdgeKind::Read),
            (Api, ReadReplica, EdgeKind::Read),
            (Api, DbPrimary, EdgeKind::ReadWrite),
            (Api, ObjectStorage, EdgeKind::Publish),
            (Serverless, Cache, EdgeKind::Read),
            (Serverless, ReadReplica, EdgeKind::Read),
            (Serverless, DbPrimary, EdgeKind::ReadWrite),
            (Serverless, ObjectStorage, EdgeKind::Publish),
            (Cache, ReadReplica, EdgeKind::Read),
            (Cache, DbPrimary, EdgeKind::Read),
            (DbPrimary, ReadReplica, EdgeKind::Replication),
        ];
        for from in NodeKind::ALL {
            for to in NodeKind::ALL {
                let expected = allowed
                    .iter()
                    .find(|(f, t, _)| *f == from && *t == to)
                    .map(|(_, _, k)| *k);
                match (classify(from, to), expected) {
                    (Ok(got), Some(want)) => assert_eq!(got, want, "{from:?} → {to:?}"),
                    (Err(err), None) => {
                        let reason = err.to_string();
                        assert!(reason.len() > 20, "{from:?} → {to:?}: {reason}");
                        assert_ne!(
                            reason, "This connection makes no sense",
                            "{from:?} → {to:?}"
                        );
                    }
                    (got, want) => panic!("{from:?} → {to:?}: got {got:?}, want {want:?}"),
                }
            }
        }
    }

    #[test]
    fn reasons_in_words() {
        let reason = |f, t| classify(f, t).unwrap_err().to_string();
        assert_eq!(
            reason(ReadReplica, Users),
            "A read replica only answers queries; it does not send requests"
        );
        assert_eq!(
            reason(Api, Users),
            "Nothing sends requests to users; users send requests"
        );
        assert_eq!(
            reason(Operator, DbPrimary),
            "Operator writes must go through a service, not straight to the database"
        );
        assert!(reason(Cdn, Cdn).contains("origin shield"));
    }

    /// Every allowed connection goes to a later kind in `NodeKind::ALL`
    /// (the documented order).
    #[test]
    fn allowed_connections_go_down_the_catalogue() {
        for from in NodeKind::ALL {
            for to in NodeKind::ALL {
                if classify(from, to).is_ok() {
                    assert!(from < to, "{from:?} → {to:?}");
                }
            }
        }
    }

    /// The allowed kind-to-kind relation has no cycle, so no design whose
    /// edges pass `classify` can have one.
    #[test]
    fn allowed_connections_are_acyclic() {
        // Repeatedly remove kinds with no allowed incoming connection from
        // the remaining kinds (Kahn's algorithm on the kind graph).
        let mut left: Vec<NodeKind> = NodeKind::ALL.to_vec();
        while !left.is_empty() {
            let before = left.len();
            let snapshot = left.clone();
            left.retain(|&to| snapshot.iter().any(|&from| classify(from, to).is_ok()));
            assert!(left.len() < before, "cycle among {left:?}");
        }
    }

    #[test]
    fn edge_kind_keys() {
        for kind in EdgeKind::ALL {
            assert_eq!(EdgeKind::from_key(kind.key()), Some(kind));
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.key())
            );
        }
        assert!(EdgeKind::ReadWrite.carries_reads() && EdgeKind::ReadWrite.carries_writes());
        assert!(!EdgeKind::Replication.carries_reads());
        assert!(!EdgeKind::Publish.carries_writes());
    }
}
