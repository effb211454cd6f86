//! A load balancer: passes every class on, adding a constant latency.

use crate::latency::Moments;

use super::super::cost::gigabytes;
use super::super::plan::{EXT, NC};
use super::super::sketch::{Dist, LatKey};
use super::{fill_routes, Ctx, Io, NodeTick};

/// One tick of a load balancer that adds `latency_s`.
#[inline(always)]
pub(in super::super) fn tick(latency_s: f64, io: &mut Io, ctx: &Ctx) -> NodeTick {
    let mut out = NodeTick::new();
    let arr = io.arr;
    let a_tot = io.total();
    let mut succ = [1.0; NC];
    let ok = !io.down && !io.routes[EXT].is_empty();
    if ok {
        out.served = a_tot;
        out.fwd = arr;
    } else {
        out.errors = a_tot;
        succ = [0.0; NC];
    }
    for c in 0..NC {
        io.own[c] = Moments::constant(latency_s);
        io.own_dist[c] = Some(Dist::Point(latency_s));
        fill_routes(&mut io.frac[c], 0, &io.routes[c], succ[c]);
        out.lat_w[c] = if ok { arr[c] } else { 0.0 };
        out.lat_d[c] = LatKey::point(latency_s);
    }
    out.mean_num = out.served * latency_s;
    out.mean_den = out.served;
    out.cost = ctx.book.lb_per_hour / 3600.0 + gigabytes(a_tot, ctx.page_kb) * ctx.book.lb_per_gb;
    out.inst = 0.0;
    out
}
