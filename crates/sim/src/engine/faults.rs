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

    /// A short description for events: "outage of cdn origins", …
    pub fn describe(&self) -> String {
        match &self.kind {
            FaultKind::Outage { target, duration_s } => {
                let who = match target {
                    Target::Node(id) => format!("node “{id}”"),
                    Target::Kind(kind) => format!("every {}", kind.name()),
                    Target::CdnOrigins => "the CDN origins".to_string(),
                };
                format!("outage of {who} for {duration_s} s")
            }
            FaultKind::PrimaryFailover => "database primary failover".to_string(),
            FaultKind::ReplicaLagSpike { extra_s } => {
                format!("replica lag spike of {extra_s} s")
            }
        }
    }
}
