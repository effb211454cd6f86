//! An API service: a fleet of instances with workers, as one queue
//! (`service.rs`), autoscaled once a minute (`autoscale.rs`).

use super::super::plan::{ApiModel, EXT, INT, NC, WRT};
use super::super::report::Event;
use super::super::sketch::LatKey;
use super::{arrival_success, service_fracs, Ctx, Io, NodeTick};

/// One tick of an API service with `servers` workers taking traffic (its
/// running instances' workers, as the tick starts); scaling decisions at
/// the end of the tick go to `events` under the node's `id`.
#[inline(always)]
pub(in super::super) fn tick(
    m: &mut ApiModel,
    io: &mut Io,
    ctx: &Ctx,
    servers: u32,
    events: &mut Vec<Event>,
    id: &str,
) -> NodeTick {
    let mut out = NodeTick::new();
    let arr = io.arr;
    let a_tot = io.total();
    let qt = m.queue.step_or_fail(io.down, a_tot, servers, &m.params);
    out.served = qt.served;
    out.errors = qt.errors;
    out.backlog = qt.backlog;
    out.util = qt.utilisation;
    out.inst = f64::from(m.scaler.running());
    let s = arrival_success(out.errors, a_tot, io.down);
    if a_tot > 0.0 {
        *io.mix = [arr[EXT] / a_tot, arr[INT] / a_tot, arr[WRT] / a_tot];
    }
    for c in 0..NC {
        io.own[c] = qt.moments;
        io.own_dist[c] = qt.dist;
        let sc = out.served * io.mix[c];
        out.fwd[c] = sc;
        service_fracs(&mut io.frac[c], &io.routes[c], s);
        out.lat_w[c] = sc;
        out.lat_d[c] = LatKey::new(qt.moments, qt.dist);
    }
    out.mean_num = out.served * qt.moments.mean;
    out.mean_den = out.served;
    out.cost = bill(m, ctx, out.util, events, id);
    out
}

/// The end of an API's tick at utilisation `util`: the autoscaler's
/// decision (an event), then the bill of the fleet it leaves.
#[inline(always)]
pub(in super::super) fn bill(
    m: &mut ApiModel,
    ctx: &Ctx,
    util: f64,
    events: &mut Vec<Event>,
    id: &str,
) -> f64 {
    if let Some(ev) = m.scaler.end_of_tick(ctx.t, util) {
        // At the tick's end.
        super::super::scale_event(events, ctx.tf + 1.0, id, ev);
    }
    f64::from(m.scaler.billed()) * m.price_h / 3600.0
}
