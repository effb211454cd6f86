//! A source of requests (users, staff, the operator): it sends its class
//! to its routes, after its network time.

use crate::latency::Moments;

use super::super::sketch::Dist;
use super::{fill_routes, Io, NodeTick};

/// One tick of a source of class `class` whose first hop takes `net`
/// (`net_dist` as a distribution).
#[inline(always)]
pub(in super::super) fn tick(class: usize, net: Moments, net_dist: Dist, io: &mut Io) -> NodeTick {
    let mut out = NodeTick::new();
    let c = class;
    let arr = io.arr;
    io.own[c] = net;
    io.own_dist[c] = Some(net_dist);
    if io.routes[c].is_empty() {
        out.errors = arr[c];
    } else {
        out.served = arr[c];
        out.fwd[c] = arr[c];
    }
    fill_routes(&mut io.frac[c], io.n_term[c], &io.routes[c], 1.0);
    out.inst = 0.0;
    out
}
