//! A serverless function: concurrency up to its limit (ramping at
//! [`SERVERLESS_RAMP_PER_S`]), Erlang B blocking, cold starts for the
//! copies it adds, a timeout, and a bill per request and GB-second.

use crate::latency::Moments;
use crate::queueing::erlang_b;

use super::super::plan::{FnModel, EXT, INT, NC, SERVERLESS_RAMP_PER_S, WRT};
use super::super::sketch::{Dist, LatKey};
use super::{service_fracs, Ctx, Io, NodeTick};

/// One tick of a function. `memo`: take Erlang B values from the node's
/// memo (the default run) rather than computing each (the reference); the
/// same bits either way.
#[inline(always)]
pub(in super::super) fn tick(m: &mut FnModel, io: &mut Io, ctx: &Ctx, memo: bool) -> NodeTick {
    let mut out = NodeTick::new();
    let arr = io.arr;
    let a_tot = io.total();
    let down = io.down;
    let book = ctx.book;
    let lam = a_tot;
    let s_t = m.service_s.max(1e-6);
    let mut moments = Moments::exponential(s_t);
    let mut dist = Some(Dist::Sojourn {
        shift: 0.0,
        queue: None,
        mu: 1.0 / s_t,
    });
    if down {
        out.errors = lam;
    } else {
        let cap = m.limit.min(m.warm + SERVERLESS_RAMP_PER_S).max(0.0);
        let a = lam * s_t;
        let block = if a <= 0.0 {
            0.0
        } else if cap < 1.0 {
            1.0
        } else if cap <= 4096.0 && memo {
            m.erlang.erlang_b(cap as u32, a)
        } else if cap <= 4096.0 {
            erlang_b(cap as u32, a)
        } else {
            (1.0 - cap / a).max(0.0)
        };
        let admitted = lam * (1.0 - block);
        let needed = (a + 3.0 * a.sqrt()).min(cap);
        let new = (needed - m.warm).max(0.0);
        let cold = if admitted > 0.0 {
            (new / admitted).min(1.0)
        } else {
            0.0
        };
        m.warm = needed.max(m.warm * (1.0 - 1.0 / 600.0));
        let late = libm::exp(-m.timeout_s / s_t);
        out.served = admitted * (1.0 - late);
        out.errors = lam - out.served;
        out.util = if cap > 0.0 {
            (a * (1.0 - block) / cap).min(1.0)
        } else if lam > 0.0 {
            1.0
        } else {
            0.0
        };
        if cold > 0.0 {
            moments = Moments::new(
                s_t + cold * m.cold_s,
                s_t * s_t + cold * (1.0 - cold) * m.cold_s * m.cold_s,
            );
            dist = None;
        }
        out.cost = lam * book.serverless_per_million_requests / 1e6
            + admitted * (s_t + cold * m.cold_s) * m.mem_gb * book.serverless_per_gb_second;
    }
    out.inst = m.warm;
    let s = if lam > 0.0 {
        (out.served / lam).clamp(0.0, 1.0)
    } else if down {
        0.0
    } else {
        1.0
    };
    if a_tot > 0.0 {
        *io.mix = [arr[EXT] / a_tot, arr[INT] / a_tot, arr[WRT] / a_tot];
    }
    for c in 0..NC {
        io.own[c] = moments;
        io.own_dist[c] = dist;
        let sc = out.served * io.mix[c];
        out.fwd[c] = sc;
        service_fracs(&mut io.frac[c], &io.routes[c], s);
        out.lat_w[c] = sc;
        out.lat_d[c] = LatKey::new(moments, dist);
    }
    out.mean_num = out.served * moments.mean;
    out.mean_den = out.served;
    out
}
