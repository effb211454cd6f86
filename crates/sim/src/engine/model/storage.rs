//! Object storage: GETs up to [`STORAGE_GETS_PER_S`] a second, a lognormal
//! GET time, a bill per GET and per GB.

use super::super::cost::gigabytes;
use super::super::plan::{StorageModel, EXT, INT, NC, STORAGE_GETS_PER_S, WRT};
use super::super::sketch::LatKey;
use super::{Ctx, Io, NodeTick};

/// One tick of a bucket.
#[inline(always)]
pub(in super::super) fn tick(m: &StorageModel, io: &mut Io, ctx: &Ctx) -> NodeTick {
    let mut out = NodeTick::new();
    let arr = io.arr;
    let down = io.down;
    let book = ctx.book;
    let reads = arr[EXT] + arr[INT];
    if down {
        out.errors = reads;
    } else {
        out.errors = (reads - STORAGE_GETS_PER_S).max(0.0);
        out.served = reads - out.errors;
    }
    out.util = if reads > 0.0 {
        (reads / STORAGE_GETS_PER_S).min(1.0)
    } else {
        0.0
    };
    let s = if reads > 0.0 {
        out.served / reads
    } else if down {
        0.0
    } else {
        1.0
    };
    for c in 0..NC {
        io.own[c] = m.get;
        io.own_dist[c] = Some(m.get_dist);
        io.frac[c][0] = s;
        out.lat_w[c] = if reads > 0.0 && c != WRT {
            out.served * arr[c] / reads
        } else {
            0.0
        };
        out.lat_d[c] = LatKey::new(m.get, Some(m.get_dist));
    }
    out.mean_num = out.served * m.get.mean;
    out.mean_den = out.served;
    out.cost = out.served * book.storage_per_1k_get / 1000.0
        + gigabytes(out.served, ctx.page_kb) * book.storage_per_gb;
    out.inst = 0.0;
    out
}
