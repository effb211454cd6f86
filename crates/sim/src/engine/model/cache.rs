//! A cache (one Redis thread as a queue) holding one hot key under a TTL
//! (`cache.rs` one level up): hits answer here, misses go to the backing
//! store.

use crate::latency::Moments;

use super::super::plan::{CacheModel, NodeRt, EXT, INT};
use super::super::pulse::KeyStep;
use super::super::sketch::{Dist, LatKey};
use super::{arrival_success, Io, NodeTick};

/// What a cache's key refills from: its backing store's (the preferred
/// route for external reads) version, response time and health, as the
/// reverse pass left them; without one, the version `held` and a failure.
pub(in super::super) fn backing(backing: Option<&NodeRt>, held: u32) -> (u32, f64, bool) {
    match backing {
        Some(ch) => (ch.ver[EXT], ch.resp[EXT], ch.succ[EXT] >= 0.5),
        None => (held, 0.0, false),
    }
}

/// One tick of a cache whose key refills from `backing` (see [`backing`]).
/// Also returns the key's step (what a replayed pulse must find again).
#[inline(always)]
pub(in super::super) fn tick(
    m: &mut CacheModel,
    io: &mut Io,
    tf: f64,
    backing: (u32, f64, bool),
) -> (NodeTick, KeyStep) {
    let mut out = NodeTick::new();
    let arr = io.arr;
    let down = io.down;
    let reads = arr[EXT] + arr[INT];
    let qt = m.queue.step_or_fail(down, reads, 1, &m.params);
    let (b_ver, b_resp, b_ok) = backing;
    let ct = m.key.step(tf, qt.served, m.ttl, b_resp, b_ver, b_ok);
    let step = KeyStep {
        served: qt.served,
        backing: (b_ver, b_resp, b_ok),
        out: ct,
        version: m.key.version,
    };
    let h = if ct.hits + ct.misses > 0.0 {
        ct.hits / (ct.hits + ct.misses)
    } else {
        1.0
    };
    out.served = qt.served;
    out.errors = qt.errors;
    out.backlog = qt.backlog;
    out.util = qt.utilisation;
    let s = arrival_success(out.errors, reads, down);
    let get = Moments::constant(m.get_s);
    let own = qt.moments + get;
    let own_dist = match qt.dist {
        Some(Dist::Sojourn { shift, queue, mu }) => Some(Dist::Sojourn {
            shift: shift + m.get_s,
            queue,
            mu,
        }),
        _ => None,
    };
    for c in [EXT, INT] {
        let share = if reads > 0.0 { arr[c] / reads } else { 0.5 };
        io.own[c] = own;
        io.own_dist[c] = own_dist;
        let f = &mut io.frac[c];
        f[0] = s * h;
        for (k, r) in io.routes[c].iter().enumerate() {
            f[1 + k] = s * (1.0 - h) * r.1;
        }
        let misses = out.served * share * (1.0 - h);
        if io.routes[c].is_empty() {
            out.errors += misses;
            out.served -= misses;
        } else {
            out.fwd[c] = misses;
        }
        out.lat_w[c] = out.served * share;
        out.lat_d[c] = LatKey::new(own, own_dist);
    }
    out.mean_num = out.served * own.mean;
    out.mean_den = out.served;
    out.cost = m.price_h / 3600.0;
    (out, step)
}
