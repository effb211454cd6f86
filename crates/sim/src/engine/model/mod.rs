//! The reference model: each node kind's tick, plain. One function per
//! kind turns the tick's arrivals into answers, errors, backlog, latency,
//! cost and requests to its children, and leaves the node's path shares
//! (`frac`) and own latency (`own`, `own_dist`) for the paths and the
//! reverse pass. `Sim::forward` calls them for every node in topological
//! order; the fast paths (`quiet.rs`, `plain.rs`, `pulse.rs`, node reuse in
//! `forward`) either call them too or repeat what they gave, so a model
//! change is made here once. Nothing here knows of a fast path.

pub(super) mod api;
pub(super) mod cache;
pub(super) mod cdn;
pub(super) mod lb;
pub(super) mod primary;
pub(super) mod replica;
pub(super) mod serverless;
pub(super) mod source;
pub(super) mod storage;

use crate::latency::Moments;

use super::cdn::CdnTick;
use super::cost::PriceBook;
use super::plan::{Model, NodeRt, EXT, NC};
use super::pulse::KeyStep;
use super::report::Event;
use super::sketch::{Dist, LatKey};
use super::versions::Tally;

/// What every node model reads of the tick.
#[derive(Clone, Copy)]
pub(super) struct Ctx<'a> {
    /// The tick [t, t + 1).
    pub t: u32,
    /// `t` as seconds.
    pub tf: f64,
    /// The prices.
    pub book: &'a PriceBook,
    /// The kata's page size, kB.
    pub page_kb: f64,
}

/// A node's routing and the per-tick outputs its model writes.
pub(super) struct Io<'a> {
    /// Arrivals per class this tick.
    pub arr: [f64; NC],
    /// Whether the node is down all tick (an outage, a failover).
    pub down: bool,
    /// Per class: (child index, share) among the children that take it.
    pub routes: &'a [Vec<(usize, f64)>; NC],
    /// Per class: how many terminal outcome slots precede the routes.
    pub n_term: [usize; NC],
    /// Per class: share of arrivals per slot, answered successfully.
    pub frac: &'a mut [Vec<f64>; NC],
    /// Own latency per class.
    pub own: &'a mut [Moments; NC],
    /// Own latency distribution when known exactly.
    pub own_dist: &'a mut [Option<Dist>; NC],
    /// Class mix of the last tick with arrivals.
    pub mix: &'a mut [f64; NC],
}

impl<'a> Io<'a> {
    /// Σ arrivals over the classes.
    pub(super) fn total(&self) -> f64 {
        self.arr[0] + self.arr[1] + self.arr[2]
    }
}

/// What a node's model gave for one tick.
#[derive(Clone, Copy, Debug)]
pub(super) struct NodeTick {
    /// Requests answered (here or by its children).
    pub served: f64,
    /// Requests failed here.
    pub errors: f64,
    /// Backlog at the end of the tick.
    pub backlog: f64,
    /// Share of capacity in use, 0–1.
    pub util: f64,
    /// Instances running.
    pub inst: f64,
    /// The tick's cost, USD.
    pub cost: f64,
    /// Requests forwarded per class (split over the routes).
    pub fwd: [f64; NC],
    /// Weight of each own-latency slot (per class, or per CDN outcome).
    pub lat_w: [f64; 4],
    /// The latency of each slot.
    pub lat_d: [LatKey; 4],
    /// Σ answered × mean own latency, and Σ answered, for the node's mean.
    pub mean_num: f64,
    pub mean_den: f64,
}

impl NodeTick {
    /// Nothing answered, one instance, no cost.
    pub(super) fn new() -> Self {
        NodeTick {
            served: 0.0,
            errors: 0.0,
            backlog: 0.0,
            util: 0.0,
            inst: 1.0,
            cost: 0.0,
            fwd: [0.0; NC],
            lat_w: [0.0; 4],
            lat_d: [LatKey::point(0.0); 4],
            mean_num: 0.0,
            mean_den: 0.0,
        }
    }
}

/// What the models write besides their node.
pub(super) struct Sinks<'a> {
    /// The run's events (autoscaling).
    pub events: &'a mut Vec<Event>,
    /// The tick's external answers by version (a CDN's edge answers).
    pub tally: &'a mut Tally,
    /// A CDN's answers by version this tick (scratch).
    pub node_tally: &'a mut Tally,
    /// When each update was posted, and how many have been.
    pub updates_s: &'a [f64],
    pub posted: u32,
    /// Take a function's Erlang B values from its memo (the default run;
    /// the same bits as computing them).
    pub memo: bool,
}

/// What [`run`] gave: the node's tick, and what the fast paths remember
/// of it (a CDN's outcome when it was up, a cache key's step when it was
/// up).
pub(super) struct Ran {
    /// The node's tick.
    pub tick: NodeTick,
    /// A CDN's state machine outcome (`None` when down, or not a CDN).
    pub cdn: Option<CdnTick>,
    /// A cache key's step (`None` when down, or not a cache).
    pub key: Option<KeyStep>,
}

/// One tick of node `n` (index `i`; `before` the nodes ahead of it, `tail`
/// the nodes after it) by its kind's model, `down` or up, with `servers`
/// workers (an API's). `stepped`: a CDN's outcome when a fast path already
/// stepped its state machine with the same inputs (by [`cdn::step`]; the
/// versions it served in `sinks.node_tally`).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(super) fn run(
    n: &mut NodeRt,
    before: &[NodeRt],
    tail: &[NodeRt],
    i: usize,
    ctx: &Ctx,
    down: bool,
    servers: u32,
    stepped: Option<CdnTick>,
    sinks: &mut Sinks,
) -> Ran {
    let tf = ctx.tf;
    let mut io = Io {
        arr: n.arr,
        down,
        routes: &n.routes,
        n_term: n.n_term,
        frac: &mut n.frac,
        own: &mut n.own,
        own_dist: &mut n.own_dist,
        mix: &mut n.mix,
    };
    let (mut cdn_out, mut key) = (None, None);
    let tick = match &mut n.model {
        Model::Source { class } => source::tick(*class, n.net, n.net_dist, &mut io),
        Model::Cdn(m) if down => cdn::tick(m, &mut io, ctx, None),
        Model::Cdn(m) => {
            let o = match stepped {
                Some(o) => o,
                None => {
                    sinks.node_tally.clear();
                    cdn::step(m, tf, io.arr[EXT], sinks.node_tally)
                }
            };
            for &(v, w) in sinks.node_tally.entries() {
                sinks.tally.add(v, w);
                n.acc
                    .stale
                    .add_version(v, w, sinks.updates_s, sinks.posted, tf + 0.5);
            }
            cdn_out = Some(o);
            cdn::tick(m, &mut io, ctx, Some(&o))
        }
        Model::Lb { latency_s } => lb::tick(*latency_s, &mut io, ctx),
        Model::Api(m) => api::tick(m, &mut io, ctx, servers, sinks.events, &n.id),
        Model::Fn(m) => serverless::tick(m, &mut io, ctx, sinks.memo),
        Model::Cache(m) => {
            let backing = n.routes[EXT].first().map(|&(c, _)| &tail[c - i - 1]);
            let backing = cache::backing(backing, m.key.version);
            let (out, step) = cache::tick(m, &mut io, tf, backing);
            key = (!down).then_some(step);
            out
        }
        Model::Primary(m) => primary::tick(m, &mut io),
        Model::Replica(m) => {
            let writes = replica::primary_writes(m, before);
            replica::tick(m, &mut io, writes)
        }
        Model::Storage(m) => storage::tick(m, &mut io, ctx),
    };
    Ran {
        tick,
        cdn: cdn_out,
        key,
    }
}

/// The share of a tick's arrivals that will be answered: errors are
/// counted against the arrivals (backlogged requests are not errors).
#[inline(always)]
pub(super) fn arrival_success(errors: f64, arrivals: f64, down: bool) -> f64 {
    if down {
        0.0
    } else if arrivals > 0.0 {
        (1.0 - errors / arrivals).clamp(0.0, 1.0)
    } else {
        1.0
    }
}

/// Path shares of a node whose terminal slot 0 answers when it has no
/// route for the class: `s` (the success share) over slot 0 or the routes.
#[inline(always)]
pub(super) fn service_fracs(f: &mut [f64], routes: &[(usize, f64)], s: f64) {
    if routes.is_empty() {
        if let Some(x) = f.first_mut() {
            *x = s;
        }
    } else {
        if let Some(x) = f.first_mut() {
            *x = 0.0;
        }
        for (k, r) in routes.iter().enumerate() {
            if let Some(x) = f.get_mut(1 + k) {
                *x = s * r.1;
            }
        }
    }
}

/// Route shares after `n_term` terminal slots (which get 0).
#[inline(always)]
pub(super) fn fill_routes(f: &mut [f64], n_term: usize, routes: &[(usize, f64)], s: f64) {
    for x in f.iter_mut().take(n_term) {
        *x = 0.0;
    }
    for (k, r) in routes.iter().enumerate() {
        if let Some(x) = f.get_mut(n_term + k) {
            *x = s * r.1;
        }
    }
}
