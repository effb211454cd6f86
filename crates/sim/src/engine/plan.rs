//! Compiling a design into the engine's plan: nodes in topological order
//! with their models, the routing table of each request class, the request
//! paths, and the diagnostics. Done once in [`super::Sim::new`], so a tick
//! does no lookups, no allocation and no graph walks.
//!
//! The design crate's connection rules only allow edges to a later kind in
//! `NodeKind::ALL`, so sorting nodes by kind gives a topological order.
//! Edges that break the rules (or point at missing nodes) are left out; the
//! design's own diagnostics say why.

use design::hash::{IdMap, IdSet};

use design::keys::{
    api, cache, cdn, db_primary, load_balancer, object_storage, read_replica, serverless, source,
};
use design::{classify, Design, Diagnostic, EdgeKind, Node, NodeKind};

use super::autoscale::Autoscaler;
use super::cache::CacheKey;
use super::cdn::{Cdn, CdnCfg, CdnTick, Origin};
use super::cost::{prices, PriceBook};
use super::data::Lag;
use super::quiet::CdnFast;
use super::report::NodeSample;
use super::reuse::Seen;
use super::runlength::NodeRuns;
use super::scenario::{Override, Scenario};
use super::service::{ErlangMemo, Queue, QueueParams};
use super::sketch::{Dist, Sketch};
use super::traffic::PopGroups;
use crate::latency::{LogNormal, Moments};
use crate::rng::SimRng;

/// External reads.
pub(crate) const EXT: usize = 0;
/// Internal reads (read-your-writes).
pub(crate) const INT: usize = 1;
/// Operator writes.
pub(crate) const WRT: usize = 2;
/// Number of request classes.
pub(crate) const NC: usize = 3;

/// Most request paths enumerated per class.
pub(crate) const MAX_PATHS: usize = 512;
/// PoP groups per CDN.
pub(crate) const POP_GROUPS: usize = 8;
/// Object storage GETs per second per key prefix before it throttles.
pub(crate) const STORAGE_GETS_PER_S: f64 = 5_500.0;
/// Spread (σ of the lognormal) of object storage and origin times where the
/// catalogue has none.
pub(crate) const STORAGE_SIGMA: f64 = 0.3;
/// How fast serverless concurrency may grow, copies per second (1,000 per
/// 10 s).
pub(crate) const SERVERLESS_RAMP_PER_S: f64 = 100.0;
/// Longest run the engine simulates, seconds (7 days); a longer
/// scenario stops there, with a diagnostic.
pub const MAX_DURATION_S: u32 = 7 * 24 * 3600;

/// Workers (API) or concurrent queries (databases) per instance size.
pub(crate) fn servers_for(size: &str) -> u32 {
    match size {
        "small" => 2,
        "large" => 8,
        "xlarge" => 16,
        _ => 4,
    }
}

/// Cache operations per second per node size (one Redis thread).
pub(crate) fn cache_ops_for(size: &str) -> f64 {
    match size {
        "small" => 25_000.0,
        "large" => 100_000.0,
        _ => 50_000.0,
    }
}

/// An API node.
#[derive(Clone, Debug)]
pub(crate) struct ApiModel {
    pub queue: Queue,
    pub params: QueueParams,
    pub workers: u32,
    pub scaler: Autoscaler,
    pub price_h: f64,
}

/// A serverless function.
#[derive(Clone, Debug)]
pub(crate) struct FnModel {
    pub service_s: f64,
    pub limit: f64,
    pub cold_s: f64,
    pub timeout_s: f64,
    pub mem_gb: f64,
    pub warm: f64,
    /// Its blocking's Erlang B values, remembered.
    pub erlang: ErlangMemo,
}

/// A cache node.
#[derive(Clone, Debug)]
pub(crate) struct CacheModel {
    pub queue: Queue,
    pub params: QueueParams,
    pub get_s: f64,
    pub ttl: f64,
    pub key: CacheKey,
    pub price_h: f64,
}

/// A database primary.
#[derive(Clone, Debug)]
pub(crate) struct PrimaryModel {
    pub queue: Queue,
    pub servers: u32,
    pub read_s: f64,
    pub write_s: f64,
    pub queue_limit: f64,
    pub multi_az: bool,
    pub failover_s: f64,
    pub price_h: f64,
}

/// A set of read replicas.
#[derive(Clone, Debug)]
pub(crate) struct ReplicaModel {
    pub queue: Queue,
    pub params: QueueParams,
    pub servers: u32,
    pub count: u32,
    pub lag: Lag,
    pub primary: Option<usize>,
    pub price_h: f64,
}

/// An object storage bucket.
#[derive(Clone, Debug)]
pub(crate) struct StorageModel {
    pub get: Moments,
    pub get_dist: Dist,
    pub version: u32,
    pub puts: f64,
}

/// What a node does.
#[derive(Clone, Debug)]
pub(crate) enum Model {
    Source { class: usize },
    Cdn(Box<CdnModel>),
    Lb { latency_s: f64 },
    Api(Box<ApiModel>),
    Fn(Box<FnModel>),
    Cache(Box<CacheModel>),
    Primary(Box<PrimaryModel>),
    Replica(Box<ReplicaModel>),
    Storage(Box<StorageModel>),
}

impl Model {
    /// The node's service queue, if it has one.
    pub(crate) fn queue_mut(&mut self) -> Option<&mut Queue> {
        match self {
            Model::Api(m) => Some(&mut m.queue),
            Model::Cache(m) => Some(&mut m.queue),
            Model::Primary(m) => Some(&mut m.queue),
            Model::Replica(m) => Some(&mut m.queue),
            _ => None,
        }
    }
}

/// A CDN node: its state machine, what it knows of its origin, and the
/// latency each outcome adds.
#[derive(Clone, Debug)]
pub(crate) struct CdnModel {
    pub cdn: Cdn,
    pub origin: Origin,
    /// Extra latency of the outcome slots: hit, swr, sie, wait ok, wait
    /// stale.
    pub extras: [Moments; 5],
    /// What the fast paths remember of it (see `quiet.rs`).
    pub fast: CdnFast,
}

impl CdnModel {
    /// Steps the CDN through tick [t, t + 1) with `e` external reads ahead
    /// of the tick's computation (see `plain.rs`): the outcome is kept in
    /// `fast.pre`, the versions it served in `fast.pre_tally`.
    pub(crate) fn step_pre(&mut self, t: f64, e: f64) -> CdnTick {
        self.fast.pre_tally.clear();
        let o = self.cdn.step(t, e, &self.origin, &mut self.fast.pre_tally);
        self.fast.pre = Some(o);
        o
    }
}

/// Per-node staleness summary (small fixed histogram).
#[derive(Clone, Debug, Default)]
pub(crate) struct StaleAcc {
    pub total: f64,
    pub stale: f64,
    pub sum: f64,
    pub hist: [f64; STALE_EDGES.len()],
}

/// Upper edges of the per-node staleness buckets, seconds (the first holds
/// exactly current responses).
pub(crate) const STALE_EDGES: [f64; 19] = [
    0.0, 1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0, 180.0, 300.0, 600.0,
    900.0, 1800.0, 3600.0, 86_400.0,
];

/// Running totals of a node.
#[derive(Clone, Debug, Default)]
pub(crate) struct NodeAcc {
    pub offered: f64,
    pub served: f64,
    pub errors: f64,
    pub backlog_max: f64,
    pub util_sum: f64,
    pub util_max: f64,
    pub sat_run: f64,
    pub sat_max: f64,
    pub inst_max: f64,
    pub cost: f64,
    pub stale: StaleAcc,
}

impl NodeAcc {
    /// Adds `k` ticks that all looked like `tick` and cost `cost` each.
    pub(crate) fn add_ticks(&mut self, tick: &NodeSample, cost: f64, k: f64) {
        if k <= 0.0 {
            return;
        }
        self.offered += k * tick.offered;
        self.served += k * tick.served;
        self.errors += k * tick.errors;
        self.backlog_max = self.backlog_max.max(tick.backlog);
        self.util_sum += k * tick.utilisation;
        self.util_max = self.util_max.max(tick.utilisation);
        if tick.utilisation >= 1.0 - 1e-9 {
            self.sat_run += k;
            self.sat_max = self.sat_max.max(self.sat_run);
        } else {
            self.sat_run = 0.0;
        }
        self.inst_max = self.inst_max.max(tick.instances);
        self.cost += k * cost;
    }
}

impl NodeAcc {
    /// Adds `k` ticks whose offered, served, errors and cost sum to `sums`
    /// and that otherwise (utilisation, backlog, instances) looked like
    /// `like`.
    pub(crate) fn add_sums(&mut self, like: &NodeSample, sums: [f64; 4], k: f64) {
        if k <= 0.0 {
            return;
        }
        let [offered, served, errors, cost] = sums;
        let mut one = like.clone();
        one.offered = 0.0;
        one.served = 0.0;
        one.errors = 0.0;
        self.add_ticks(&one, 0.0, k);
        self.offered += offered;
        self.served += served;
        self.errors += errors;
        self.cost += cost;
    }
}

/// A node at run time.
#[derive(Clone, Debug)]
pub(crate) struct NodeRt {
    pub id: String,
    pub label: String,
    pub kind: NodeKind,
    pub model: Model,
    /// Network time from this node (a source) to the first node it reaches.
    pub net: Moments,
    /// The same as a distribution.
    pub net_dist: Dist,
    /// Per class: (child index, share) among the children that take it.
    pub routes: [Vec<(usize, f64)>; NC],
    /// Per class: how many terminal outcome slots precede the routes.
    pub n_term: [usize; NC],
    /// Per class: share of arrivals per slot (terminal outcomes, then
    /// routes), answered successfully; this tick.
    pub frac: [Vec<f64>; NC],
    /// Own latency per class, this tick.
    pub own: [Moments; NC],
    /// Own latency distribution when known exactly.
    pub own_dist: [Option<Dist>; NC],
    /// Arrivals per class, this tick.
    pub arr: [f64; NC],
    /// Class mix of the last tick with arrivals.
    pub mix: [f64; NC],
    /// Object storage this service publishes to.
    pub publish: Vec<usize>,
    /// Caches this service deletes the key of on a write.
    pub invalidate: Vec<usize>,
    /// Whether operator writes reach this node.
    pub receives_writes: bool,
    /// Unavailable until this time (outage, failover).
    pub down_until: f64,
    /// End-to-end success from here, per class (reverse pass).
    pub succ: [f64; NC],
    /// Mean response time from here, per class, seconds.
    pub resp: [f64; NC],
    /// Version a request from here gets, per class.
    pub ver: [u32; NC],
    /// This tick's sample.
    pub tick: NodeSample,
    pub acc: NodeAcc,
    pub sketch: Sketch,
    /// Fast path: its last computed outputs, and the inputs they came
    /// from (see `reuse.rs`).
    pub seen: Seen,
    /// Fast path: its run-length totals and latency slots, and its last
    /// tick's cost (see `runlength.rs`).
    pub runs: NodeRuns,
}

/// One request path: a class, its source, and its hops (node, slot) in
/// `Plan::hops[start..start + len]`; the last hop is the terminal.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PathDef {
    pub class: usize,
    pub source: usize,
    pub start: u32,
    pub len: u32,
}

/// The compiled design.
pub(crate) struct Plan {
    /// Classes with more paths than [`MAX_PATHS`].
    pub truncated: [bool; NC],
    /// The (node, class) pairs whose end-to-end success, response time and
    /// version someone reads (CDN and cache origins, the operator's write
    /// path), children before parents.
    pub reverse: Vec<(usize, usize)>,
    pub nodes: Vec<NodeRt>,
    pub paths: Vec<PathDef>,
    pub hops: Vec<(u32, u32)>,
    pub sources: [Vec<usize>; NC],
    pub cdns: Vec<usize>,
    pub diagnostics: Vec<Diagnostic>,
    pub always_on_monthly: f64,
}

fn ms(x: f64) -> f64 {
    x / 1000.0
}

/// Network time of a hop: a lognormal from its median (ms) and σ.
fn network(median_ms: f64, sigma: f64, zero: bool) -> (Moments, Dist) {
    if zero || !(median_ms > 0.0) {
        return (Moments::ZERO, Dist::Point(0.0));
    }
    let l = LogNormal::from_median(ms(median_ms), sigma.max(0.0));
    if sigma > 0.0 {
        (l.moments(), Dist::LogNormal(l))
    } else {
        (Moments::constant(ms(median_ms)), Dist::Point(ms(median_ms)))
    }
}

/// What a node can serve, as the engine models it: requests per second
/// with its fewest instances and with its most, and how that comes about.
/// It depends on the node's settings alone (a scenario's worker override
/// is not in it). [`capacity`] is its one formula: the plan splits
/// traffic among nodes of a kind by it, and the grader quotes it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Capacity {
    /// Instances at the least: an API service's minimum, a read replica
    /// set's count, 1 for a single node.
    pub instances_min: f64,
    /// Instances at the most: an API service's maximum when it
    /// autoscales (its minimum when it does not), else `instances_min`.
    pub instances_max: f64,
    /// Requests one instance works on at once: an API instance's workers,
    /// a database's concurrent queries (by size), a function's
    /// concurrency limit. 0 for a node limited by a rate instead (a
    /// cache's operations, object storage's GETs).
    pub workers: f64,
    /// Time of one request at one worker, ms, as set (service time, read
    /// time); 0 for a node limited by a rate.
    pub service_ms: f64,
    /// Requests per second with `instances_min` instances.
    pub min_rps: f64,
    /// Requests per second with `instances_max` instances.
    pub max_rps: f64,
}

/// What node `n` can serve (see [`Capacity`]); `None` for the kinds that
/// pass requests on without a limit of their own (sources, CDNs, load
/// balancers).
pub fn capacity(n: &Node) -> Option<Capacity> {
    // `k` instances of `workers` workers, each `service_ms` a request.
    let queued = |min: f64, max: f64, workers: f64, service_ms: f64| {
        let rate = |k: f64| k * workers / ms(service_ms).max(1e-6);
        Capacity {
            instances_min: min,
            instances_max: max,
            workers,
            service_ms,
            min_rps: rate(min),
            max_rps: rate(max),
        }
    };
    // One node that serves at most `rps`.
    let limited = |rps: f64| Capacity {
        instances_min: 1.0,
        instances_max: 1.0,
        workers: 0.0,
        service_ms: 0.0,
        min_rps: rps,
        max_rps: rps,
    };
    Some(match n.kind {
        NodeKind::Api => {
            let (min, bound) = api_instances(n);
            let max = if n.get(api::AUTOSCALE) { bound } else { min };
            let workers = f64::from(servers_for(n.get(api::SIZE)));
            queued(min, max, workers, n.get(api::SERVICE_MS))
        }
        NodeKind::Serverless => {
            let limit = n.get(serverless::CONCURRENCY_LIMIT).max(1.0);
            queued(1.0, 1.0, limit, n.get(serverless::SERVICE_MS))
        }
        NodeKind::Cache => limited(cache_ops_for(n.get(cache::SIZE))),
        NodeKind::ReadReplica => {
            let count = replica_count(n);
            let workers = f64::from(servers_for(n.get(read_replica::SIZE)));
            queued(count, count, workers, n.get(read_replica::READ_MS))
        }
        NodeKind::DbPrimary => {
            let workers = f64::from(servers_for(n.get(db_primary::SIZE)));
            queued(1.0, 1.0, workers, n.get(db_primary::READ_MS))
        }
        NodeKind::ObjectStorage => limited(STORAGE_GETS_PER_S),
        NodeKind::Users
        | NodeKind::Operator
        | NodeKind::InternalUsers
        | NodeKind::Cdn
        | NodeKind::LoadBalancer => return None,
    })
}

/// An API service's fewest instances and its autoscaler's upper bound:
/// whole numbers, at least 1, the bound at least the fewest.
pub(crate) fn api_instances(n: &Node) -> (f64, f64) {
    let min = n.get(api::MIN_INSTANCES).max(1.0).floor();
    (min, n.get(api::MAX_INSTANCES).max(1.0).floor().max(min))
}

/// How many replicas a read-replica node runs: a whole number, at least 1.
pub(crate) fn replica_count(n: &Node) -> f64 {
    n.get(read_replica::COUNT).max(1.0).floor()
}

/// A node's share among the children of its kind it is routed with: what
/// it serves with its fewest instances. Object storage (which scales with
/// its key prefixes), CDNs and load balancers share evenly.
fn capacity_weight(n: &Node) -> f64 {
    let w = match n.kind {
        NodeKind::ObjectStorage => 1.0,
        _ => capacity(n).map_or(1.0, |c| c.min_rps),
    };
    if w.is_finite() && w > 0.0 {
        w
    } else {
        1.0
    }
}

/// Splits over `children` (index, node): evenly across kinds, then by
/// capacity within a kind.
fn split(children: &[(usize, &Node)]) -> Vec<(usize, f64)> {
    split_where(children, |_| true)
}

/// [`split`] over the children whose kind passes `keep` (nothing collected
/// on the way: a plan splits a few dozen times).
fn split_where(children: &[(usize, &Node)], keep: impl Fn(NodeKind) -> bool) -> Vec<(usize, f64)> {
    let kept = || children.iter().filter(|c| keep(c.1.kind));
    // The kinds present in their order, the next one after `after`.
    let next_kind = |after: Option<NodeKind>| {
        kept()
            .map(|c| c.1.kind)
            .filter(|&k| after.is_none_or(|a| k > a))
            .min()
    };
    let mut kinds = 0usize;
    let mut kind = next_kind(None);
    while let Some(k) = kind {
        kinds += 1;
        kind = next_kind(Some(k));
    }
    let per_kind = 1.0 / kinds.max(1) as f64;
    let mut out = Vec::with_capacity(kept().count());
    let mut kind = next_kind(None);
    while let Some(k) = kind {
        let same = || kept().filter(|c| c.1.kind == k);
        let total: f64 = same().map(|c| capacity_weight(c.1)).sum();
        for c in same() {
            out.push((c.0, per_kind * capacity_weight(c.1) / total));
        }
        kind = next_kind(Some(k));
    }
    out.sort_by_key(|c| c.0);
    out
}

/// Picks the children of the first preferred kind present, and splits.
fn prefer(children: &[(usize, &Node)], order: &[NodeKind]) -> Vec<(usize, f64)> {
    for &kind in order {
        if children.iter().any(|c| c.1.kind == kind) {
            return split_where(children, |k| k == kind);
        }
    }
    Vec::new()
}

/// Terminal outcome slots of a kind for a class.
fn terminals(kind: NodeKind, class: usize) -> usize {
    match kind {
        NodeKind::Cdn if class == EXT => 5,
        NodeKind::Api | NodeKind::Serverless => 1,
        NodeKind::Cache if class != WRT => 1,
        NodeKind::DbPrimary | NodeKind::ReadReplica | NodeKind::ObjectStorage => 1,
        _ => 0,
    }
}

/// Builds the plan. Never fails: problems become diagnostics.
// Kept out of its callers: ARCHITECTURE.md, "The grading worker's wasm".
#[inline(never)]
pub(crate) fn build(d: &Design, s: &Scenario, seed: u64) -> Plan {
    let mut diagnostics = design::validate(d);
    let book: &PriceBook = prices();
    let zero_network = s
        .overrides
        .iter()
        .any(|o| matches!(o, Override::ZeroNetwork));
    let scv_of = |id: &str| -> f64 {
        s.overrides
            .iter()
            .rev()
            .find_map(|o| match o {
                Override::ServiceScv { node, scv } if node == id => Some(*scv),
                _ => None,
            })
            .filter(|x| x.is_finite())
            .map_or(1.0, |x| x.clamp(0.0, 100.0))
    };

    // Unique nodes (first of each id), at most the design limit, in kind order.
    let mut seen = IdSet::default();
    let mut picked: Vec<&Node> = Vec::new();
    for n in &d.nodes {
        if picked.len() >= design::limits::MAX_NODES {
            break;
        }
        if seen.insert(n.id.as_str()) {
            picked.push(n);
        }
    }
    let rank = |k: NodeKind| NodeKind::ALL.iter().position(|x| *x == k).unwrap_or(0);
    picked.sort_by_key(|n| rank(n.kind));
    let index: IdMap<&str, usize> = picked
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();

    // Valid edges.
    let mut out_edges: Vec<Vec<(usize, EdgeKind)>> = vec![Vec::new(); picked.len()];
    let mut in_degree = vec![0usize; picked.len()];
    let mut pairs = IdSet::default();
    for e in d.edges.iter().take(design::limits::MAX_EDGES) {
        let (Some(&a), Some(&b)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) else {
            continue;
        };
        if a == b || !pairs.insert((a, b)) {
            continue;
        }
        if let Ok(kind) = classify(picked[a].kind, picked[b].kind) {
            if a < b {
                out_edges[a].push((b, kind));
                in_degree[b] += 1;
            }
        }
    }

    let mut nodes: Vec<NodeRt> = Vec::with_capacity(picked.len());
    let mut rng = SimRng::stream(seed, 0xCD17);
    let groups = PopGroups::new(s.pops, s.pop_skew, POP_GROUPS);
    let mut always_on_h = 0.0;
    let mut always_on_month = 0.0;
    let mut sources: [Vec<usize>; NC] = Default::default();
    let mut cdns = Vec::new();

    for (i, n) in picked.iter().enumerate() {
        let children_of = |pred: &dyn Fn(EdgeKind) -> bool| -> Vec<(usize, &Node)> {
            out_edges[i]
                .iter()
                .filter(|(_, k)| pred(*k))
                .map(|(c, _)| (*c, picked[*c]))
                .collect()
        };
        let readers = children_of(&|k: EdgeKind| k.carries_reads());
        let writers = children_of(&|k: EdgeKind| k.carries_writes());
        let mut routes: [Vec<(usize, f64)>; NC] = Default::default();
        // Only a source has a network of its own (its people's time to the
        // first node they reach); no other node's `net` is read.
        let (own_net, net_dist) = if n.kind.is_source() {
            network(
                n.get(source::NET_MEDIAN_MS),
                n.get(source::NET_SIGMA),
                zero_network,
            )
        } else {
            (Moments::ZERO, Dist::Point(0.0))
        };
        let model = match n.kind {
            NodeKind::Users | NodeKind::InternalUsers | NodeKind::Operator => {
                let class = match n.kind {
                    NodeKind::Users => EXT,
                    NodeKind::InternalUsers => INT,
                    _ => WRT,
                };
                routes[class] = split(if class == WRT { &writers } else { &readers });
                sources[class].push(i);
                if routes[class].is_empty() {
                    diagnostics.push(Diagnostic::warning(
                        Some(n.id.clone()),
                        format!(
                            "{} “{}” is connected to nothing that takes its requests: they all fail.",
                            n.kind.name(),
                            n.id
                        ),
                    ));
                }
                Model::Source { class }
            }
            NodeKind::Cdn => {
                let r = split(&readers);
                routes[EXT] = r.clone();
                routes[INT] = r;
                let (origin_net, _) = network(
                    n.get(cdn::ORIGIN_MEDIAN_MS),
                    n.get(cdn::ORIGIN_SIGMA),
                    zero_network,
                );
                let cfg = CdnCfg {
                    ttl: n.get(cdn::TTL_S),
                    purge: n.get(cdn::PURGE_ON_UPDATE),
                    swr: n.get(cdn::SWR_S),
                    sie: n.get(cdn::SIE_S),
                    collapse: n.get(cdn::COLLAPSE),
                    shield: n.get(cdn::SHIELD),
                    origin_net,
                    timeout: ms(n.get(cdn::ORIGIN_TIMEOUT_MS)),
                    pro: n.get(cdn::PLAN) == "pro",
                };
                let phases: Vec<f64> = (0..groups.groups.len()).map(|_| rng.uniform()).collect();
                cdns.push(i);
                if cfg.pro {
                    always_on_month += book.cdn_pro_per_month;
                }
                let origin = Origin {
                    err: if routes[EXT].is_empty() { 1.0 } else { 0.0 },
                    resp_s: origin_net.mean + 0.02,
                    version: 0,
                };
                Model::Cdn(Box::new(CdnModel {
                    cdn: Cdn::new(cfg, &groups.groups, &phases),
                    origin,
                    extras: [Moments::ZERO; 5],
                    fast: CdnFast::new(origin),
                }))
            }
            NodeKind::LoadBalancer => {
                let r = split(&readers);
                routes = [r.clone(), r.clone(), r];
                always_on_h += book.lb_per_hour;
                Model::Lb {
                    latency_s: ms(n.get(load_balancer::LATENCY_MS)),
                }
            }
            NodeKind::Api | NodeKind::Serverless => {
                routes[EXT] = prefer(
                    &readers,
                    &[NodeKind::Cache, NodeKind::ReadReplica, NodeKind::DbPrimary],
                );
                routes[INT] = prefer(
                    &readers,
                    &[NodeKind::DbPrimary, NodeKind::Cache, NodeKind::ReadReplica],
                );
                routes[WRT] = prefer(&writers, &[NodeKind::DbPrimary]);
                if n.kind == NodeKind::Api {
                    let size = n.get(api::SIZE);
                    let workers = s
                        .overrides
                        .iter()
                        .rev()
                        .find_map(|o| match o {
                            Override::Workers { node, workers } if node == n.id.as_str() => {
                                Some((*workers).clamp(1, 1024))
                            }
                            _ => None,
                        })
                        .unwrap_or_else(|| servers_for(size));
                    let (min, max) = api_instances(n);
                    let (min, max) = (min as u32, max as u32);
                    let price_h = PriceBook::by_size(&book.api_instance_per_hour, size);
                    always_on_h += f64::from(min) * price_h;
                    Model::Api(Box::new(ApiModel {
                        queue: Queue::new(),
                        params: QueueParams {
                            service_s: ms(n.get(api::SERVICE_MS)),
                            scv: scv_of(n.id.as_str()),
                            queue_limit: n.get(api::QUEUE_LIMIT),
                            timeout_s: ms(n.get(api::TIMEOUT_MS)),
                        },
                        workers,
                        scaler: Autoscaler::new(
                            n.get(api::AUTOSCALE),
                            min,
                            max,
                            n.get(api::TARGET_UTIL),
                            n.get(api::BOOT_S),
                        ),
                        price_h,
                    }))
                } else {
                    Model::Fn(Box::new(FnModel {
                        service_s: ms(n.get(serverless::SERVICE_MS)),
                        limit: n.get(serverless::CONCURRENCY_LIMIT).max(1.0),
                        cold_s: ms(n.get(serverless::COLD_START_MS)),
                        timeout_s: ms(n.get(serverless::TIMEOUT_MS)),
                        mem_gb: n.get(serverless::MEMORY_MB) / 1024.0,
                        warm: 0.0,
                        erlang: ErlangMemo::default(),
                    }))
                }
            }
            NodeKind::Cache => {
                routes[EXT] = prefer(&readers, &[NodeKind::ReadReplica, NodeKind::DbPrimary]);
                routes[INT] = prefer(&readers, &[NodeKind::DbPrimary, NodeKind::ReadReplica]);
                let size = n.get(cache::SIZE);
                let price_h = PriceBook::by_size(&book.cache_node_per_hour, size);
                always_on_h += price_h;
                let ttl = n.get(cache::TTL_S);
                Model::Cache(Box::new(CacheModel {
                    queue: Queue::new(),
                    params: QueueParams {
                        service_s: 1.0 / cache_ops_for(size),
                        scv: 1.0,
                        queue_limit: cache_ops_for(size),
                        timeout_s: 1.0,
                    },
                    get_s: ms(n.get(cache::GET_MS)),
                    ttl,
                    key: CacheKey::new(ttl * rng.uniform()),
                    price_h,
                }))
            }
            NodeKind::DbPrimary => {
                let size = n.get(db_primary::SIZE);
                let servers = servers_for(size);
                let multi_az = n.get(db_primary::MULTI_AZ);
                let mut price_h = PriceBook::by_size(&book.db_instance_per_hour, size);
                if multi_az {
                    price_h *= book.multi_az_factor;
                }
                always_on_h += price_h;
                Model::Primary(Box::new(PrimaryModel {
                    queue: Queue::new(),
                    servers,
                    read_s: ms(n.get(db_primary::READ_MS)),
                    write_s: ms(n.get(db_primary::WRITE_MS)),
                    queue_limit: (n.get(db_primary::MAX_CONNECTIONS) - f64::from(servers)).max(0.0),
                    multi_az,
                    failover_s: n.get(db_primary::FAILOVER_S),
                    price_h,
                }))
            }
            NodeKind::ReadReplica => {
                let size = n.get(read_replica::SIZE);
                let count = replica_count(n) as u32;
                let price_h = PriceBook::by_size(&book.db_instance_per_hour, size);
                always_on_h += price_h * f64::from(count);
                Model::Replica(Box::new(ReplicaModel {
                    queue: Queue::new(),
                    params: QueueParams {
                        service_s: ms(n.get(read_replica::READ_MS)),
                        scv: scv_of(n.id.as_str()),
                        queue_limit: 500.0 * f64::from(count),
                        timeout_s: 30.0,
                    },
                    servers: servers_for(size) * count,
                    count,
                    lag: Lag::new(n.get(read_replica::LAG_S)),
                    primary: None,
                    price_h,
                }))
            }
            NodeKind::ObjectStorage => {
                let (get, get_dist) = {
                    let l =
                        LogNormal::from_median(ms(n.get(object_storage::GET_MS)), STORAGE_SIGMA);
                    (l.moments(), Dist::LogNormal(l))
                };
                Model::Storage(Box::new(StorageModel {
                    get,
                    get_dist,
                    version: 0,
                    puts: 0.0,
                }))
            }
        };
        if out_edges[i].is_empty() && in_degree[i] == 0 {
            diagnostics.push(Diagnostic::info(
                Some(n.id.clone()),
                format!(
                    "{} “{}” is not connected to anything; it takes no part in the run.",
                    n.kind.name(),
                    n.id
                ),
            ));
        }
        let n_term = [
            terminals(n.kind, EXT),
            terminals(n.kind, INT),
            terminals(n.kind, WRT),
        ];
        let frac = [
            vec![0.0; n_term[EXT] + routes[EXT].len()],
            vec![0.0; n_term[INT] + routes[INT].len()],
            vec![0.0; n_term[WRT] + routes[WRT].len()],
        ];
        let publish: Vec<usize> = out_edges[i]
            .iter()
            .filter(|(_, k)| *k == EdgeKind::Publish)
            .map(|(c, _)| *c)
            .collect();
        let invalidate: Vec<usize> = out_edges[i]
            .iter()
            .filter(|(c, _)| picked[*c].kind == NodeKind::Cache)
            .map(|(c, _)| *c)
            .collect();
        nodes.push(NodeRt {
            id: n.id.as_str().to_string(),
            label: n.label.clone(),
            kind: n.kind,
            model,
            net: own_net,
            net_dist,
            routes,
            n_term,
            frac,
            own: [Moments::ZERO; NC],
            own_dist: [None; NC],
            arr: [0.0; NC],
            mix: [1.0, 0.0, 0.0],
            publish,
            invalidate,
            receives_writes: false,
            down_until: f64::NEG_INFINITY,
            succ: [1.0; NC],
            resp: [0.0; NC],
            ver: [0; NC],
            tick: NodeSample::default(),
            acc: NodeAcc::default(),
            sketch: Sketch::new(),
            seen: Seen::default(),
            runs: NodeRuns::default(),
        });
    }

    // Replicas find their primary.
    for i in 0..nodes.len() {
        for &(c, k) in &out_edges[i] {
            if k == EdgeKind::Replication {
                if let Model::Replica(r) = &mut nodes[c].model {
                    if r.primary.is_none() {
                        r.primary = Some(i);
                    }
                }
            }
        }
    }
    // Which nodes operator writes reach.
    let mut stack: Vec<usize> = sources[WRT].clone();
    while let Some(i) = stack.pop() {
        if nodes[i].receives_writes {
            continue;
        }
        nodes[i].receives_writes = true;
        for &(c, _) in &nodes[i].routes[WRT] {
            stack.push(c);
        }
    }
    for i in 0..nodes.len() {
        if !nodes[i].receives_writes {
            nodes[i].invalidate.clear();
        }
    }

    if !s.updates_s.is_empty() && sources[WRT].is_empty() {
        diagnostics.push(Diagnostic::warning(
            None,
            "The scenario posts updates but the design has no operator: no update ever reaches readers.",
        ));
    }
    if s.profile.peak() > 0.0 && sources[EXT].is_empty() {
        diagnostics.push(Diagnostic::warning(
            None,
            "The scenario sends external traffic but the design has no users node: that traffic is not simulated.",
        ));
    }
    if s.internal_rps > 0.0 && sources[INT].is_empty() {
        diagnostics.push(Diagnostic::info(
            None,
            "The scenario has staff tools reading but the design has no internal users node: those reads are not simulated.",
        ));
    }
    if s.duration_s > MAX_DURATION_S {
        diagnostics.push(Diagnostic::warning(
            None,
            format!(
                "The run is {} s long; the engine stops at {MAX_DURATION_S} s (7 days).",
                s.duration_s
            ),
        ));
    }

    let (paths, hops, truncated) = super::paths::enumerate(&nodes, &sources, &mut diagnostics);
    // Which (node, class) pairs the reverse pass must compute.
    let mut need = vec![[false; NC]; nodes.len()];
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        match n.model {
            Model::Cdn(_) | Model::Cache(_) => {
                for &(c, _) in &n.routes[EXT] {
                    stack.push((c, EXT));
                }
            }
            // The operator's write path, and the classes whose paths were
            // cut short (their answered share comes from this pass).
            Model::Source { class } if class == WRT || truncated[class] => stack.push((i, class)),
            _ => {}
        }
    }
    while let Some((i, c)) = stack.pop() {
        if need[i][c] {
            continue;
        }
        need[i][c] = true;
        for &(ch, _) in &nodes[i].routes[c] {
            stack.push((ch, c));
        }
    }
    let mut reverse = Vec::new();
    for i in (0..nodes.len()).rev() {
        for (c, &needed) in need[i].iter().enumerate() {
            if needed {
                reverse.push((i, c));
            }
        }
    }
    let always_on_monthly = always_on_h * book.hours_per_month + always_on_month;
    Plan {
        truncated,
        reverse,
        nodes,
        paths,
        hops,
        sources,
        cdns,
        diagnostics,
        always_on_monthly,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use design::Point;

    /// Every option of the catalogue's choices has its own figure in the
    /// model (a size spelt differently here would fall back to medium's
    /// silently), and its own price; the plan's "pro" is an option.
    #[test]
    fn every_option_of_the_catalogue_is_modelled() {
        use design::keys::Key;
        use design::ParamKind;
        let options = |key: Key<design::keys::Choice>| match key.spec().kind {
            ParamKind::Choice { options, .. } => options,
            _ => &[],
        };
        let book = prices();
        for key in [api::SIZE, db_primary::SIZE, read_replica::SIZE] {
            let workers: Vec<u32> = options(key).iter().map(|o| servers_for(o)).collect();
            assert!(workers.windows(2).all(|w| w[0] < w[1]), "{workers:?}");
            for o in options(key) {
                let priced = if key == api::SIZE {
                    &book.api_instance_per_hour
                } else {
                    &book.db_instance_per_hour
                };
                assert!(priced.contains_key(*o), "a price for {o}");
            }
        }
        let ops: Vec<f64> = options(cache::SIZE)
            .iter()
            .map(|o| cache_ops_for(o))
            .collect();
        assert!(ops.windows(2).all(|w| w[0] < w[1]), "{ops:?}");
        for o in options(cache::SIZE) {
            assert!(book.cache_node_per_hour.contains_key(*o), "a price for {o}");
        }
        assert!(options(cdn::PLAN).contains(&"pro"));
    }

    /// The capacity the plan splits by and the grader quotes: an API
    /// service's workers at its service time, from its minimum to its
    /// maximum instances (only when it autoscales); a cache's operations;
    /// nothing for a CDN.
    #[test]
    fn capacity_follows_the_settings() {
        let mut d = Design::default();
        let a = d.add_node(NodeKind::Api, Point::default());
        let c = d.add_node(NodeKind::Cache, Point::default());
        let cdn = d.add_node(NodeKind::Cdn, Point::default());
        let node = |d: &Design, id| d.node(id).cloned().expect("added");
        let api = capacity(&node(&d, &a)).expect("an API service has one");
        assert_eq!((api.instances_min, api.instances_max), (2.0, 10.0));
        assert_eq!((api.workers, api.service_ms), (4.0, 10.0));
        assert!((api.min_rps - 800.0).abs() < 1e-9);
        assert!((api.max_rps - 4_000.0).abs() < 1e-9);
        let n = d.node_mut(&a).expect("added");
        n.set_param(api::AUTOSCALE.name(), false).expect("valid");
        n.set_param(api::SIZE.name(), "large").expect("valid");
        let fixed = capacity(&node(&d, &a)).expect("an API service has one");
        assert_eq!((fixed.instances_max, fixed.workers), (2.0, 8.0));
        assert_eq!(fixed.max_rps, fixed.min_rps);
        assert_eq!(capacity_weight(&node(&d, &a)), fixed.min_rps);
        let cache = capacity(&node(&d, &c)).expect("a cache has one");
        assert_eq!((cache.min_rps, cache.max_rps), (50_000.0, 50_000.0));
        assert_eq!(capacity(&node(&d, &cdn)), None);
        assert_eq!(capacity_weight(&node(&d, &cdn)), 1.0);
    }
}
