//! Fast path: node reuse. A node whose inputs repeat exactly (the same
//! arrivals, fleet and availability as in the tick that last computed it)
//! with nothing queued and nothing inside that moves with time gives the
//! same outputs, so `Sim::forward` repeats them instead of running its
//! model (`model/`). Quiet ticks and pulses (`quiet.rs`, `pulse.rs`) read
//! the same record. Off in the reference run.

use super::model::NodeTick;
use super::plan::{Model, NodeRt, EXT, INT, NC, WRT};
use super::pulse::KeyStep;

/// A node's outputs of its last computed tick, reused while its inputs
/// repeat exactly (a quiet node costs a comparison, not a queue solve).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Reuse {
    /// As in [`NodeTick`]: answered, failed, utilisation, instances and
    /// cost (an API's cost is billed again: its autoscaler still acts).
    pub served: f64,
    pub errors: f64,
    pub util: f64,
    pub inst: f64,
    pub cost: f64,
    /// Requests forwarded per class.
    pub fwd: [f64; NC],
    /// Weight of each own-latency slot.
    pub lat_w: [f64; 4],
    /// Σ answered × mean own latency, and Σ answered.
    pub mean_num: f64,
    pub mean_den: f64,
}

impl Reuse {
    /// The record of a tick the model computed.
    pub(super) fn of(t: &NodeTick) -> Reuse {
        Reuse {
            served: t.served,
            errors: t.errors,
            util: t.util,
            inst: t.inst,
            cost: t.cost,
            fwd: t.fwd,
            lat_w: t.lat_w,
            mean_num: t.mean_num,
            mean_den: t.mean_den,
        }
    }

    /// The tick it repeats (nothing queued: no backlog).
    pub(super) fn tick(&self) -> NodeTick {
        NodeTick {
            served: self.served,
            errors: self.errors,
            util: self.util,
            inst: self.inst,
            cost: self.cost,
            fwd: self.fwd,
            lat_w: self.lat_w,
            mean_num: self.mean_num,
            mean_den: self.mean_den,
            ..NodeTick::new()
        }
    }
}

/// What reuse remembers of a node: the outputs of its last computed tick
/// when they may be repeated, and the inputs of its last tick.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Seen {
    /// The last computed outputs, when the tick started and ended with
    /// nothing queued.
    pub reuse: Option<Reuse>,
    /// The last tick's arrivals, availability and workers.
    pub arr: [f64; NC],
    pub down: bool,
    pub servers: u32,
    /// A cache's key step in its last tick computed in full (a replayed
    /// pulse must find the same; see `pulse.rs`).
    pub key_step: Option<KeyStep>,
}

/// The outputs node `n` (with `before` the nodes before it) may repeat
/// this tick (up or `down`, with `servers` workers), if any.
#[inline(always)]
pub(super) fn lookup(n: &NodeRt, before: &[NodeRt], down: bool, servers: u32) -> Option<Reuse> {
    let same_in = !down
        && !n.seen.down
        && servers == n.seen.servers
        && n.arr
            .iter()
            .zip(n.seen.arr.iter())
            .all(|(a, b)| a.to_bits() == b.to_bits());
    if same_in && repeats(n, before) {
        n.seen.reuse
    } else {
        None
    }
}

/// Whether node `n` (with `before` the nodes before it), given the same
/// arrivals, fleet and availability as in the tick that last computed it,
/// gives the same outputs: nothing queued and nothing inside that moves
/// with time.
#[inline(always)]
pub(super) fn repeats(n: &NodeRt, before: &[NodeRt]) -> bool {
    match &n.model {
        Model::Source { .. } | Model::Lb { .. } | Model::Storage(_) => true,
        Model::Api(m) => m.queue.is_idle(),
        Model::Primary(m) => m.queue.is_idle(),
        Model::Cache(m) => m.queue.is_idle() && n.arr[EXT] + n.arr[INT] == 0.0,
        Model::Replica(m) => {
            m.queue.is_idle()
                && m.lag.excess == 0.0
                && m.primary.is_none_or(|p| before[p].arr[WRT] == 0.0)
        }
        Model::Cdn(_) | Model::Fn(_) => false,
    }
}

/// True when a node's queue (if it has one) holds nothing.
#[inline(always)]
pub(super) fn queue_idle(m: &Model) -> bool {
    match m {
        Model::Api(m) => m.queue.is_idle(),
        Model::Primary(m) => m.queue.is_idle(),
        Model::Cache(m) => m.queue.is_idle(),
        Model::Replica(m) => m.queue.is_idle(),
        _ => true,
    }
}
