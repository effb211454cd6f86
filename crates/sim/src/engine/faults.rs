//! Faults a scenario can schedule: a node outage, a database primary
//! failover, a replica lag spike.

use design::NodeKind;
use serde::{Deserialize, Serialize};

/// Which nodes an outage takes down.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The node with this id.
    Node(String),
    /// Every node of this kind.
    Kind(NodeKind),
    /// Every node a CDN fetches from (its origins): what a kata means by
    /// "origin outage" without knowing the learner's node ids.
    CdnOrigins,
}

/// What goes wrong.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// The target nodes answer nothing (every request to them fails) for
    /// `duration_s` seconds.
    Outage {
        /// Which nodes.
        target: Target,
        /// How long, seconds.
        duration_s: f64,
    },
    /// Every database primary fails over: unavailable for its `failover_s`
    /// with Multi-AZ, for [`NO_MULTI_AZ_RECOVERY_S`] without it.
    PrimaryFailover,
    /// Every read replica falls `extra_s` seconds further behind at once;
    /// the lag then recovers as the replica catches up.
    ReplicaLagSpike {
        /// Extra lag, seconds.
        extra_s: f64,
    },
}

/// A fault at a time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    /// When it starts, seconds from the start of the run.
    pub at_s: f64,
    /// What goes wrong.
    pub kind: FaultKind,
}

/// How long a primary without Multi-AZ stays down after a failure: the
/// instance is replaced and the database recovers from its log (assumed 15
/// minutes; see docs/model.md).
pub const NO_MULTI_AZ_RECOVERY_S: f64 = 900.0;

impl Fault {
    /// An outage of `target` from `at_s` for `duration_s` seconds.
    pub fn outage(at_s: f64, target: Target, duration_s: f64) -> Self {
        Fault {
            at_s,
            kind: FaultKind::Outage { target, duration_s },
        }
    }

    /// A primary failover at `at_s`.
    pub fn primary_failover(at_s: f64) -> Self {
        Fault {
            at_s,
            kind: FaultKind::PrimaryFailover,
        }
    }

    /// A replica lag spike of `extra_s` seconds at `at_s`.
    pub fn replica_lag_spike(at_s: f64, extra_s: f64) -> Self {
        Fault {
            at_s,
            kind: FaultKind::ReplicaLagSpike { extra_s },
        }
    }

    /// A short description for events and fault windows: "outage of the
    /// CDN origins for 300 s", "database primary failover"… (for display:
    /// code reads the fault's fields, or [`FaultKind::name`]).
    pub fn describe(&self) -> String {
        match &self.kind {
            FaultKind::Outage { duration_s, .. } => {
                format!("{} for {duration_s} s", self.kind.name())
            }
            _ => self.kind.name(),
        }
    }
}

impl FaultKind {
    /// What goes wrong, in words, without its duration: "outage of the CDN
    /// origins", "database primary failover", "replica lag spike of 120 s".
    pub fn name(&self) -> String {
        match self {
            FaultKind::Outage { target, .. } => {
                let who = match target {
                    Target::Node(id) => format!("node “{id}”"),
                    Target::Kind(kind) => format!("every {}", kind.name()),
                    Target::CdnOrigins => "the CDN origins".to_string(),
                };
                format!("outage of {who}")
            }
            FaultKind::PrimaryFailover => "database primary failover".to_string(),
            FaultKind::ReplicaLagSpike { extra_s } => {
                format!("replica lag spike of {extra_s} s")
            }
        }
    }

    /// The node the fault names, if it names one (an outage of
    /// [`Target::Node`]); the nodes a run's fault hit are in its
    /// [`FaultRecord`].
    pub fn node(&self) -> Option<&str> {
        match self {
            FaultKind::Outage {
                target: Target::Node(id),
                ..
            } => Some(id),
            _ => None,
        }
    }

    /// How long the fault lasts when the fault alone says so (an
    /// outage's duration), seconds. A failover lasts as long as the
    /// design's primaries take, a lag spike until the replicas catch up:
    /// a run's [`FaultRecord`] has what they took.
    pub fn duration_s(&self) -> Option<f64> {
        match self {
            FaultKind::Outage { duration_s, .. } => Some(*duration_s),
            FaultKind::PrimaryFailover | FaultKind::ReplicaLagSpike { .. } => None,
        }
    }
}

/// A fault as a run scheduled it: which of the scenario's faults, what it
/// is, the nodes it hits, when it starts and how long until every node it
/// took down is back. Fault events carry it ([`super::Event::fault`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaultRecord {
    /// Its position in the scenario's faults.
    pub index: usize,
    /// What goes wrong.
    pub kind: FaultKind,
    /// The ids of the nodes it hits: those an outage or a failover takes
    /// down, the replicas a lag spike sets back.
    pub nodes: Vec<String>,
    /// When it starts, seconds from the start of the run.
    pub start_s: f64,
    /// How long until every node it took down is back, seconds: an
    /// outage's duration, the slowest primary's failover or recovery; 0
    /// for a lag spike (its replicas catch up on their own).
    pub duration_s: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_is_described_from_its_fields() {
        let outage = Fault::outage(60.0, Target::CdnOrigins, 300.0);
        assert_eq!(outage.kind.name(), "outage of the CDN origins");
        assert_eq!(outage.describe(), "outage of the CDN origins for 300 s");
        assert_eq!(outage.kind.duration_s(), Some(300.0));
        assert_eq!(outage.kind.node(), None);
        let node = Fault::outage(0.0, Target::Node("api1".into()), 1.5);
        assert_eq!(node.describe(), "outage of node “api1” for 1.5 s");
        assert_eq!(node.kind.node(), Some("api1"));
        let every = Fault::outage(0.0, Target::Kind(NodeKind::Cache), 10.0);
        assert_eq!(every.kind.name(), "outage of every Cache");
        let failover = Fault::primary_failover(5.0);
        assert_eq!(failover.describe(), "database primary failover");
        assert_eq!(failover.kind.duration_s(), None);
        let spike = Fault::replica_lag_spike(5.0, 120.0);
        assert_eq!(spike.describe(), "replica lag spike of 120 s");
        assert_eq!(spike.kind.name(), spike.describe());
    }
}
