//! A database primary: reads and writes share its concurrent queries (one
//! queue whose service time mixes the two), and writes commit here.

use crate::latency::Moments;

use super::super::plan::{PrimaryModel, EXT, INT, NC, WRT};
use super::super::service::QueueParams;
use super::super::sketch::LatKey;
use super::{arrival_success, Io, NodeTick};

/// One tick of a primary.
#[inline(always)]
pub(in super::super) fn tick(m: &mut PrimaryModel, io: &mut Io) -> NodeTick {
    let mut out = NodeTick::new();
    let arr = io.arr;
    let a_tot = io.total();
    let down = io.down;
    let reads = arr[EXT] + arr[INT];
    let writes = arr[WRT];
    let (s_mean, scv) = if a_tot > 0.0 {
        let (pr, pw) = (reads / a_tot, writes / a_tot);
        let mean = pr * m.read_s + pw * m.write_s;
        let second = 2.0 * (pr * m.read_s * m.read_s + pw * m.write_s * m.write_s);
        (mean, (second / (mean * mean) - 1.0).max(0.0))
    } else {
        (m.read_s, 1.0)
    };
    let params = QueueParams {
        service_s: s_mean,
        scv,
        queue_limit: m.queue_limit,
        timeout_s: 30.0,
    };
    let qt = m.queue.step_or_fail(down, a_tot, m.servers, &params);
    out.served = qt.served;
    out.errors = qt.errors;
    out.backlog = qt.backlog;
    out.util = qt.utilisation;
    let s = arrival_success(out.errors, a_tot, down);
    let wait_mean = (qt.moments.mean - s_mean).max(0.0);
    let wait_var = (qt.moments.variance - scv * s_mean * s_mean).max(0.0);
    let single = reads == 0.0 || writes == 0.0;
    for c in 0..NC {
        let sc = if c == WRT { m.write_s } else { m.read_s };
        io.own[c] = Moments::new(wait_mean + sc, wait_var + sc * sc);
        io.own_dist[c] = if single && !down { qt.dist } else { None };
        io.frac[c][0] = s;
        out.lat_w[c] = if a_tot > 0.0 {
            out.served * arr[c] / a_tot
        } else {
            0.0
        };
        out.lat_d[c] = LatKey::new(io.own[c], io.own_dist[c]);
        out.mean_num += out.lat_w[c] * io.own[c].mean;
    }
    out.mean_den = out.served;
    out.inst = if m.multi_az { 2.0 } else { 1.0 };
    out.cost = m.price_h / 3600.0;
    out
}
