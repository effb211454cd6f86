//! A set of read replicas: one queue for the reads, and a replication lag
//! that grows with the primary's writes (`data.rs`).

use super::super::plan::{Model, NodeRt, ReplicaModel, EXT, INT, NC, WRT};
use super::super::sketch::LatKey;
use super::{arrival_success, Io, NodeTick};

/// The write rate the replicas apply and the time of one write: their
/// primary's (among `before`, the nodes ahead of them), or none.
pub(in super::super) fn primary_writes(m: &ReplicaModel, before: &[NodeRt]) -> (f64, f64) {
    match m.primary {
        Some(p) => match before.get(p).map(|n| (&n.model, n.arr[WRT])) {
            Some((Model::Primary(pm), w)) => (w, pm.write_s),
            _ => (0.0, 0.0),
        },
        None => (0.0, 0.0),
    }
}

/// One tick of a replica set whose primary takes `writes` (see
/// [`primary_writes`]).
#[inline(always)]
pub(in super::super) fn tick(m: &mut ReplicaModel, io: &mut Io, writes: (f64, f64)) -> NodeTick {
    let mut out = NodeTick::new();
    let arr = io.arr;
    let down = io.down;
    let (w_rate, apply) = writes;
    m.lag.step(w_rate, apply);
    let reads = arr[EXT] + arr[INT];
    let qt = m.queue.step_or_fail(down, reads, m.servers, &m.params);
    out.served = qt.served;
    out.errors = qt.errors;
    out.backlog = qt.backlog;
    out.util = qt.utilisation;
    let s = arrival_success(out.errors, reads, down);
    for c in 0..NC {
        io.own[c] = qt.moments;
        io.own_dist[c] = qt.dist;
        io.frac[c][0] = s;
        out.lat_w[c] = if reads > 0.0 && c != WRT {
            out.served * arr[c] / reads
        } else {
            0.0
        };
        out.lat_d[c] = LatKey::new(qt.moments, qt.dist);
    }
    out.mean_num = out.served * qt.moments.mean;
    out.mean_den = out.served;
    out.inst = f64::from(m.count);
    out.cost = f64::from(m.count) * m.price_h / 3600.0;
    out
}
