//! A CDN node: its PoP groups' state machine (`cdn.rs` one level up)
//! answers the external reads from the edge or sends them to the origin;
//! internal reads pass through to the origin.

use crate::latency::Moments;

use super::super::cdn::CdnTick;
use super::super::cost::{gigabytes, PriceBook};
use super::super::plan::{CdnModel, EXT, INT};
use super::super::sketch::LatKey;
use super::super::versions::Tally;
use super::{fill_routes, Ctx, Io, NodeTick};

/// Steps the CDN's state machine through tick [tf, tf + 1) with `e`
/// external reads, from what it knows of its origin; the versions it
/// served go to `tally`.
#[inline(always)]
pub(in super::super) fn step(m: &mut CdnModel, tf: f64, e: f64, tally: &mut Tally) -> CdnTick {
    m.cdn.step(tf, e, &m.origin, tally)
}

/// One tick of a CDN node given its state machine's outcome `o` for the
/// tick (see [`step`]), or `None` when it is down.
#[inline(always)]
pub(in super::super) fn tick(
    m: &mut CdnModel,
    io: &mut Io,
    ctx: &Ctx,
    o: Option<&CdnTick>,
) -> NodeTick {
    let mut out = NodeTick::new();
    let (e, int) = (io.arr[EXT], io.arr[INT]);
    match o {
        None => {
            out.errors = e + int;
            io.frac[EXT].iter_mut().for_each(|f| *f = 0.0);
            io.frac[INT].iter_mut().for_each(|f| *f = 0.0);
        }
        Some(o) => {
            let no_origin = io.routes[EXT].is_empty();
            let miss_err = if no_origin { o.miss } else { 0.0 };
            out.errors = o.errors + miss_err;
            out.served = e - out.errors;
            m.extras = extras(o);
            fracs(&mut io.frac[EXT], o, e, &io.routes[EXT], no_origin);
            out.fwd[EXT] = if no_origin { 0.0 } else { o.origin_requests };
            if io.routes[INT].is_empty() {
                out.errors += int;
            } else {
                out.served += int;
                out.fwd[INT] = int;
            }
            fill_routes(&mut io.frac[INT], 0, &io.routes[INT], 1.0);
            out.lat_w = [
                o.hit + o.swr + o.sie,
                o.wait_ok,
                o.wait_stale,
                o.miss - miss_err,
            ];
            out.lat_d = [
                LatKey::point(0.0),
                LatKey::new(o.wait_ok_moments(), None),
                LatKey::new(o.wait_stale_moments(), None),
                LatKey::point(m.origin.resp_s),
            ];
            out.mean_num = o.wait_ok * o.wait_ok_moments().mean
                + o.wait_stale * o.wait_stale_moments().mean
                + out.lat_w[3] * m.origin.resp_s;
            out.mean_den = e;
        }
    }
    out.cost = cost(m, e + int, ctx.page_kb, ctx.book);
    out.inst = 0.0;
    out
}

/// A CDN's outcome shares of its external reads `e` this tick: hit,
/// stale-while-revalidate, stale-if-error, waited (good fetch), waited
/// (failed fetch, stale copy), then the misses split over its origin routes.
#[inline(always)]
pub(in super::super) fn fracs(
    f: &mut [f64],
    o: &CdnTick,
    e: f64,
    routes: &[(usize, f64)],
    no_origin: bool,
) {
    if e > 0.0 {
        // Divisions are slow and most outcomes are zero in most ticks:
        // 0 / e is exactly 0 for e > 0, so skipping them changes no bit.
        let share = |x: f64| if x == 0.0 { 0.0 } else { x / e };
        f[0] = share(o.hit);
        f[1] = share(o.swr);
        f[2] = share(o.sie);
        f[3] = share(o.wait_ok);
        f[4] = share(o.wait_stale);
        let miss = if no_origin { 0.0 } else { share(o.miss) };
        for (k, r) in routes.iter().enumerate() {
            f[5 + k] = miss * r.1;
        }
    } else {
        f.iter_mut().for_each(|x| *x = 0.0);
        f[0] = 1.0;
    }
}

/// The extra latency of a CDN's outcome slots this tick (see
/// `CdnModel::extras`): only waiting for a fetch adds any.
#[inline(always)]
pub(in super::super) fn extras(o: &CdnTick) -> [Moments; 5] {
    [
        Moments::ZERO,
        Moments::ZERO,
        Moments::ZERO,
        o.wait_ok_moments(),
        o.wait_stale_moments(),
    ]
}

/// A CDN's cost for one tick in which it took `requests` requests.
#[inline(always)]
pub(in super::super) fn cost(m: &CdnModel, requests: f64, page_kb: f64, book: &PriceBook) -> f64 {
    if m.cdn.cfg.pro {
        book.cdn_pro_per_month / (book.hours_per_month * 3600.0)
    } else {
        requests * book.cdn_per_10k_requests / 1e4 + gigabytes(requests, page_kb) * book.cdn_per_gb
    }
}
