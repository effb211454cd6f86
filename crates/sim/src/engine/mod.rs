//! The simulation engine: a per-tick fluid model (Δt = 1 s) of a design
//! under a scenario, with analytic latency (`docs/model.md`).
//!
//! # The reference model and the fast paths
//!
//! The engine has one model, the *reference*: each node kind's tick is a
//! plain function in `model/` (`source`, `cdn`, `lb`, `api`,
//! `serverless`, `cache`, `primary`, `replica`, `storage`), over the state
//! machines and queues it owns (`cdn/`, `cache.rs`, `service.rs`,
//! `autoscale.rs`, `data.rs`). Each tick `forward` calls them in
//! topological order (through `model::run`), the reverse pass gives each node's end-to-end
//! success, response time and version, `evaluate_paths` weighs every
//! request path, and every latency goes into the sketches as it comes.
//! `Sim::set_shortcuts(false)` runs exactly that, and nothing else.
//!
//! By default, *fast paths* skip work whose result is already known. They
//! live in their own modules with their own state (`quiet.rs`, `plain.rs`,
//! `pulse.rs`, `reuse.rs`, `runlength.rs`, `changes.rs`, `cdn/steady.rs`;
//! `quiet::CdnFast`, `reuse::Seen` and `runlength::NodeRuns` are what they
//! remember of a CDN and of any node), except the memos, which sit where
//! they act (`service.rs`, `sketch.rs`). `forward` and `evaluate_paths`
//! only call them. Each
//! must give the reference's report to rounding (1e-9, the tests in
//! `tests/engine_properties.rs` on random designs and every kata design,
//! calm and under faults), and each counts the times it was taken
//! (`counts.rs`, `Sim::fast_path_counts`): `tests/reference_model.rs`
//! proves the reference takes none and the default run takes every one.
//! A fast path calls the same model functions or repeats what they gave,
//! so a model change is made once, in `model/`.
//!
//! # Glossary
//!
//! The fast paths have names, and so do a few words they use (every fast
//! path is off in the reference):
//!
//! - **quiet** tick: a tick in which only the external rate and the CDNs'
//!   edge answers change; every node behind the CDNs repeats last tick's
//!   outputs, so it is not visited, and its totals are summed over the
//!   *stretch* of quiet ticks and added once when it ends (`quiet.rs`).
//! - **plain** tick: a quiet tick whose CDNs answer every reader from the
//!   edge (fresh, stale while revalidating, or stale while the origin
//!   fails) and send the origin nothing but a replayed pulse: it only adds
//!   to per-CDN sums, made totals at the next flush (`plain.rs`).
//! - **bulk** tick: a plain tick in which every CDN is fresh with the
//!   current version and no answer needs counting tick by tick: it adds
//!   only its rate (`plain.rs`, `run_all_fresh`).
//! - **fresh**: a copy within its TTL (a PoP group's or the shield's):
//!   readers get it as a hit. A CDN *fresh with the current version* has
//!   every group fresh with the latest posted update, so every read is a
//!   current hit (`Cdn::fresh_current`, `QuietOut::fresh`).
//! - **steady** CDN tick: every PoP group answers from its copy all tick
//!   (fresh, or stale-if-error between retries), so the CDN is stepped from
//!   its remembered mix of answers without visiting the groups
//!   (`cdn/steady.rs`). Its kin, the **fresh-group** path: in a tick the
//!   groups are visited, a group fresh all tick is counted as hits without
//!   walking its rules (`Cdn::step`); and a cache key fresh all tick
//!   answers every read as a hit at once (`CacheKey::step`).
//! - **reuse**: a node whose inputs repeat exactly (arrivals, fleet,
//!   availability) with nothing queued repeats its last outputs instead of
//!   running its model (`reuse.rs`).
//! - **run-length** totals: a node tick identical to its last adds only to
//!   a count (`NodeRuns::pending`); a latency identical to the last one (or
//!   one of the four before it) adds only to a *slot*'s weight, made kinks
//!   in a sketch once per distribution (`runlength::Slot`, **slot
//!   merging**; `runlength.rs`).
//! - **change masks**: the nodes whose shares or latency changed this tick
//!   (`changes::Changes`); a path through none of them keeps its share and
//!   latency (an *unchanged path*), one whose nodes changed only shares
//!   keeps its latency (a *share-only path*), and the reverse pass is
//!   skipped when no node it reads changed (`changes.rs`).
//! - **memo**: a remembered pure computation, the same bits either way: a
//!   queue's steady-state solves (`Queue::step`), a function's Erlang B
//!   values (`ErlangMemo`), a sojourn's kinks (`Kinks`), the series p95's
//!   CDF values (`QuantileMemo`), and the p95 itself while the external
//!   paths' mixture stays the same.
//! - **pulse**: the single origin fetch a CDN's shield makes once per
//!   expiry; inside a quiet stretch it is replayed from the last one
//!   computed in full instead of ending the stretch (`pulse.rs`).
//! - **settle**: to come back to the quiet state after something moved:
//!   the CDNs *settle* their origins back to the quiet one the tick after
//!   a replayed pulse (`settle_origins`); versions are *settling* while a
//!   commit is still reaching readers through replica lag
//!   (`versions_settle_at`), and no stretch is planned meanwhile; bulk
//!   ticks' arrivals *settle* into the CDNs' sums at the flush
//!   (`PlainSums::settle_bulk`); a *settled* report has no quiet sums
//!   left to add (`report_settled`).
//! - **pending**: added up but not yet written where it ends: a quiet
//!   stretch's sums not yet flushed (`Quiet::pending`), a node's ticks
//!   identical to the last one not yet added to its totals
//!   (`NodeRuns::pending`, run-length), a window's flushed latencies not
//!   yet made kinks (`ClassAcc::pending`), the updates not yet seen by
//!   readers (`pending_reach`), a demand already drawn for the tick about
//!   to be computed (`pending_ext`), or an update posted and not yet
//!   committed (the *pending write*, retried every [`WRITE_RETRY_S`]).
//!
//! The API follows a builder → step → report shape:
//!
//! ```
//! use design::{Design, NodeKind, Point};
//! use sim::engine::{Scenario, Sim};
//!
//! let mut d = Design::default();
//! let users = d.add_node(NodeKind::Users, Point::default());
//! let api = d.add_node(NodeKind::Api, Point::default());
//! d.connect(&users, &api).unwrap();
//!
//! let mut sim = Sim::new(&d, &Scenario::constant(200.0, 60), 7);
//! let first = sim.step();
//! assert_eq!(first.t, 0);
//! sim.run_to_end();
//! let report = sim.report();
//! assert!(report.overall.latency.p95_ms > 0.0);
//! assert_eq!(report.fingerprint(), Sim::new(&d, &Scenario::constant(200.0, 60), 7).run().fingerprint());
//! ```
//!
//! Each tick, in topological order (the design crate's connection rules
//! make kind order a topological order): demand from the profile; each
//! node's model (CDN state machine, service queues, caches, databases) turns
//! its arrivals into answers, errors, backlog and requests to its children;
//! a reverse pass gives each node's end-to-end success, response time and
//! the version it serves; the operator's write commits (and purges,
//! invalidates, publishes) when it gets through; every request path's
//! probability and latency distribution is added, request-weighted, to the
//! window accumulators; freshness, cost and autoscaling follow.

// `!(x > 0.0)` is deliberate throughout: it is also true for NaN, which a
// rewrite with `<=` would let through. Loops over the three request classes
// index several parallel arrays at once. `is_multiple_of` needs Rust 1.87;
// the workspace supports 1.85.
#![deny(missing_docs)]
#![allow(
    clippy::neg_cmp_op_on_partial_ord,
    clippy::needless_range_loop,
    clippy::manual_is_multiple_of
)]

mod autoscale;
mod branch;
mod cache;
mod cdn;
mod changes;
mod cost;
mod counts;
mod data;
mod faults;
mod model;
mod paths;
mod plain;
mod plan;
mod pulse;
mod quiet;
mod report;
pub(crate) use report::fnv1a;
mod reuse;
mod runlength;
mod scenario;
mod service;
mod sketch;
mod traffic;
mod versions;

pub use branch::{run_branched, BranchError, Branched};
pub use cost::{prices, PriceBook};
#[doc(hidden)]
pub use counts::FastPathCounts;
pub use faults::{Fault, FaultKind, FaultRecord, Target, NO_MULTI_AZ_RECOVERY_S};
pub use report::{
    CostReport, Event, EventKind, Freshness, Latency, NodeReport, NodeSample, NodeSeries, Report,
    Sample, Series, Staleness, Summary, UpdateReport, WindowReport,
};
pub use scenario::{
    FaultSpec, Override, ProfilePoint, RunSpec, Scenario, UpdateSpec, Window, WindowSpec,
};
use traffic::ProfileCursor;
pub use traffic::{pop_shares, Piece, PopGroups, Profile, ProfileError, Shape};

use design::{Design, Diagnostic, NodeKind};

use crate::histogram::LatencyHistogram;
use crate::rng::SimRng;

use autoscale::Scale;
use data::CommitLog;
use paths::{hop_latency, PathLatency};
pub(crate) use plan::{api_instances, replica_count};
pub use plan::{capacity, Capacity, MAX_DURATION_S};
use plan::{Model, NodeRt, PathDef, EXT, INT, NC, STALE_EDGES, WRT};
use sketch::{quantile_of, quantile_of_memo, Dist, Kinks, LatKey, QuantileMemo, Sketch};
use versions::{staleness, Tally};

/// Seconds the operator waits before retrying a failed write.
pub const WRITE_RETRY_S: f64 = 10.0;
/// Most events a report keeps.
const MAX_EVENTS: usize = 10_000;
/// Staleness is kept in the latency histogram in hundredths of its value,
/// so that its range (up to 600 s) covers 60,000 s.
const STALE_SCALE: f64 = 0.01;
/// Most reporting windows (besides the whole run).
const MAX_WINDOWS: usize = 63;

/// Totals of one request class in one window.
#[derive(Clone, Debug)]
struct ClassAcc {
    offered: f64,
    served: f64,
    sketch: Sketch,
    /// The paths' latencies flushed into this window when the open windows
    /// changed, each distribution once with its summed weight: added to
    /// the sketch by the report (the same latencies come back at every
    /// flush; turning them into kinks once per window is cheaper).
    pending: Vec<(LatKey, f64)>,
    stale: LatencyHistogram,
    stale_sum: f64,
    stale_w: f64,
    stale_n: f64,
}

impl ClassAcc {
    fn new() -> Self {
        ClassAcc {
            offered: 0.0,
            served: 0.0,
            sketch: Sketch::new(),
            pending: Vec::new(),
            stale: LatencyHistogram::new(),
            stale_sum: 0.0,
            stale_w: 0.0,
            stale_n: 0.0,
        }
    }
}

#[derive(Clone, Debug)]
struct WindowRt {
    name: String,
    from: f64,
    to: f64,
    acc: [ClassAcc; NC],
    at_primary: f64,
}

/// Adds a distribution of weight `w` to class `c`'s sketch in every window
/// open now (`active` has bit `i` set for window `i`), computing its knots
/// once.
fn add_to_active_windows(
    kinks: &mut Kinks,
    windows: &mut [WindowRt],
    active: u64,
    c: usize,
    w: f64,
    d: &Dist,
) {
    Sketch::add_to_each(
        kinks,
        w,
        d,
        windows
            .iter_mut()
            .enumerate()
            .filter(|(i, _)| active & (1 << i) != 0)
            .map(|(_, win)| &mut win.acc[c].sketch),
    );
}

/// A scheduled fault boundary.
#[derive(Clone, Debug)]
struct FaultEvent {
    at: f64,
    start: bool,
    /// The fault as data: what, whom, from when, for how long (its index
    /// in the scenario's faults is `fault.index`).
    fault: FaultRecord,
    /// Nodes it concerns, and until when they are down (outages,
    /// failovers); empty at the fault's end.
    nodes: Vec<(usize, f64)>,
}

/// A running simulation (see the module docs).
#[derive(Clone, Debug)]
pub struct Sim {
    scenario: Scenario,
    seed: u64,
    duration: u32,
    nodes: Vec<NodeRt>,
    reverse: Vec<(usize, usize)>,
    truncated: [bool; NC],
    paths: Vec<PathDef>,
    hops: Vec<(u32, u32)>,
    /// Fast path: the paths' latency, run-length compressed (see
    /// `runlength.rs`).
    path_runs: runlength::PathRuns,
    sources: [Vec<usize>; NC],
    cdns: Vec<usize>,
    /// The read replicas.
    replicas: Vec<usize>,
    diagnostics: Vec<Diagnostic>,
    always_on_monthly: f64,
    t: u32,
    profile: ProfileCursor,
    noise: SimRng,
    /// This tick's external demand when already drawn (see
    /// `run_plain_quiet`).
    pending_ext: Option<f64>,
    // Updates and versions.
    posted: u32,
    committed: u32,
    commits: CommitLog,
    retry_at: f64,
    /// Probability that every attempt so far at the pending write failed.
    write_miss: f64,
    updates: Vec<UpdateReport>,
    pending_reach: Vec<u32>,
    // Faults.
    fault_events: Vec<FaultEvent>,
    next_fault: usize,
    // Windows: 0 is the whole run.
    windows: Vec<WindowRt>,
    active: u64,
    // Scratch reused every tick.
    tally: Tally,
    tally_int: Tally,
    node_tally: Tally,
    tick_mix: Vec<(f64, LatKey)>,
    last_mix: Vec<(f64, LatKey)>,
    mix_dists: Vec<(f64, Dist)>,
    /// The series p95's CDF values from its last computation.
    p95_memo: QuantileMemo,
    /// Scratch: one distribution's kinks, added to every open window.
    kinks: Kinks,
    /// Fast path: what changed this tick, and every path's last share and
    /// latency (see `changes.rs`).
    changes: changes::Changes,
    /// Every fast path on (the default); off, the reference run: each
    /// tick computed in full by the plain model (see `set_shortcuts`).
    shortcuts: bool,
    /// How often each fast path was taken (see `counts.rs`).
    counts: FastPathCounts,
    /// Until when versions may still move without any node changing (a
    /// commit seen through replica lag).
    versions_settle_at: f64,
    last_p95: f64,
    /// The stretch of quiet ticks under way (see `quiet.rs`).
    quiet: quiet::Quiet,
    sample: Sample,
    // Totals.
    cost_total: f64,
    at_primary_ticks: u32,
    /// Staff reads answered with a version older than the last committed
    /// update (see `own_write_misses` in `evaluate_paths`).
    own_write_misses: f64,
    events: Vec<Event>,
    series: Series,
}

impl Sim {
    /// Compiles `design` for a run of `scenario` seeded with `seed`. Never
    /// fails: problems with the design or scenario are listed in
    /// [`Sim::diagnostics`] (and in the report) and the run goes ahead with
    /// what makes sense.
    pub fn new(design: &Design, scenario: &Scenario, seed: u64) -> Sim {
        let plan = plan::build(design, scenario, seed);
        let mut scenario = scenario.clone();
        scenario.series_every_s = scenario.series_every_s.max(1);
        let duration = scenario.duration_s.min(MAX_DURATION_S);
        let mut diagnostics = plan.diagnostics;
        let mut updates_s: Vec<f64> = scenario
            .updates_s
            .iter()
            .copied()
            .filter(|u| u.is_finite() && *u >= 0.0)
            .collect();
        updates_s.sort_by(f64::total_cmp);
        scenario.updates_s = updates_s;
        if scenario.windows.len() > MAX_WINDOWS {
            diagnostics.push(Diagnostic::info(
                None,
                format!("Only the first {MAX_WINDOWS} reporting windows are kept."),
            ));
            scenario.windows.truncate(MAX_WINDOWS);
        }
        let mut windows = vec![WindowRt {
            name: "run".to_string(),
            from: 0.0,
            to: f64::from(duration),
            acc: [ClassAcc::new(), ClassAcc::new(), ClassAcc::new()],
            at_primary: 0.0,
        }];
        for w in &scenario.windows {
            windows.push(WindowRt {
                name: w.name.clone(),
                from: w.from_s,
                to: w.to_s,
                acc: [ClassAcc::new(), ClassAcc::new(), ClassAcc::new()],
                at_primary: 0.0,
            });
        }
        let fault_events = schedule_faults(&scenario, &plan.nodes, &plan.cdns);
        let n_paths = plan.paths.len();
        let changes = changes::Changes::new(
            plan.nodes.len(),
            plan.paths.iter().map(|def| {
                let start = def.start as usize;
                &plan.hops[start..start + def.len as usize]
            }),
            &plan.reverse,
        );
        let replicas = plan
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| matches!(n.model, Model::Replica(_)))
            .map(|(i, _)| i)
            .collect();
        let n_updates = scenario.updates_s.len();
        let series = Series {
            every_s: scenario.series_every_s,
            nodes: plan
                .nodes
                .iter()
                .map(|n| report::NodeSeries {
                    id: n.id.clone(),
                    ..report::NodeSeries::default()
                })
                .collect(),
            ..Series::default()
        };
        let sample = Sample {
            nodes: vec![NodeSample::default(); plan.nodes.len()],
            ..Sample::default()
        };
        let mut sim = Sim {
            seed,
            duration,
            nodes: plan.nodes,
            reverse: plan.reverse,
            truncated: plan.truncated,
            paths: plan.paths,
            hops: plan.hops,
            path_runs: runlength::PathRuns::new(n_paths),
            sources: plan.sources,
            cdns: plan.cdns,
            replicas,
            diagnostics,
            always_on_monthly: plan.always_on_monthly,
            t: 0,
            profile: ProfileCursor::new(&scenario.profile),
            noise: SimRng::stream(seed, 0x004E_015E),
            pending_ext: None,
            posted: 0,
            committed: 0,
            commits: CommitLog::with_capacity(n_updates + 1),
            retry_at: 0.0,
            write_miss: 1.0,
            updates: scenario
                .updates_s
                .iter()
                .map(|&u| UpdateReport {
                    posted_s: u,
                    committed_s: None,
                    reached_after_s: None,
                })
                .collect(),
            pending_reach: Vec::with_capacity(n_updates),
            fault_events,
            next_fault: 0,
            windows,
            active: 0,
            tally: Tally::new(),
            tally_int: Tally::new(),
            node_tally: Tally::new(),
            tick_mix: Vec::with_capacity(n_paths),
            last_mix: Vec::with_capacity(n_paths),
            mix_dists: Vec::with_capacity(n_paths),
            p95_memo: QuantileMemo::default(),
            kinks: Kinks::default(),
            changes,
            shortcuts: true,
            counts: FastPathCounts::default(),
            versions_settle_at: f64::NEG_INFINITY,
            last_p95: 0.0,
            sample,
            cost_total: 0.0,
            at_primary_ticks: 0,
            own_write_misses: 0.0,
            events: Vec::new(),
            series,
            scenario,
            quiet: quiet::Quiet::default(),
        };
        sim.quiet = quiet::Quiet::new(&sim);
        sim.reserve_series();
        sim
    }

    /// Runs every tick and returns the report.
    pub fn run(mut self) -> Report {
        self.run_to_end();
        // As `report`, but the series and events are moved, not copied,
        // and each path's pending weight is added to the windows at once
        // (its kinks computed once, not once per window: the same sums).
        self.flush_quiet();
        self.flush_paths();
        let series = std::mem::take(&mut self.series);
        let events = std::mem::take(&mut self.events);
        let mut kinks = std::mem::take(&mut self.kinks);
        Report {
            series,
            events,
            ..self.report_settled(false, &mut kinks)
        }
    }

    /// Turns every fast path off (the reference run: every node, path and
    /// reverse pass computed in full every tick, every CDN group and cache
    /// key stepped by its rules, no memo consulted, every latency added to
    /// the sketches as it comes) or on (the default). Results agree to
    /// rounding; the tests use this to prove it, and
    /// [`Sim::fast_path_counts`] to prove the reference takes no fast path.
    /// Meant to be called before the first tick.
    #[doc(hidden)]
    pub fn set_shortcuts(&mut self, on: bool) {
        self.shortcuts = on;
        self.kinks.forget = !on;
        for n in &mut self.nodes {
            if let Some(q) = n.model.queue_mut() {
                q.set_memo(on);
            }
            match &mut n.model {
                Model::Cdn(m) => m.cdn.set_shortcuts(on),
                Model::Cache(m) => m.key.shortcuts = on,
                _ => {}
            }
        }
    }

    /// How often each fast path was taken so far; all zero in the
    /// reference run (`set_shortcuts(false)`). For tests.
    #[doc(hidden)]
    pub fn fast_path_counts(&self) -> FastPathCounts {
        let mut c = self.counts;
        c.quiet_ticks = u64::from(self.quiet.total);
        c.kinks_memo_hits = u64::from(self.kinks.memo_hits);
        for n in &self.nodes {
            c.slot_merges += n.runs.merges();
            match &n.model {
                Model::Cdn(m) => {
                    c.steady_cdn_ticks += u64::from(m.cdn.steady.ticks);
                    c.fresh_groups += u64::from(m.cdn.steady.fresh_groups);
                }
                Model::Cache(m) => {
                    c.fresh_cache_ticks += u64::from(m.key.fresh_ticks);
                    c.queue_memo_hits += u64::from(m.queue.memo_hits);
                }
                Model::Api(m) => c.queue_memo_hits += u64::from(m.queue.memo_hits),
                Model::Primary(m) => c.queue_memo_hits += u64::from(m.queue.memo_hits),
                Model::Replica(m) => c.queue_memo_hits += u64::from(m.queue.memo_hits),
                Model::Fn(m) => c.erlang_memo_hits += u64::from(m.erlang.hits),
                _ => {}
            }
        }
        c.slot_merges += self.path_runs.merges();
        c
    }

    /// How many ticks so far took the quiet path (see `quiet.rs`); for
    /// tests and benchmarks.
    #[doc(hidden)]
    pub fn quiet_ticks(&self) -> u32 {
        self.quiet.total
    }

    /// Problems found in the design or the scenario.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Seconds simulated so far (the next tick's start).
    pub fn time(&self) -> u32 {
        self.t
    }

    /// True once every tick of the scenario has run.
    pub fn is_done(&self) -> bool {
        self.t >= self.duration
    }

    /// The last tick's sample.
    pub fn sample(&self) -> &Sample {
        &self.sample
    }

    /// Runs the remaining ticks.
    pub fn run_to_end(&mut self) {
        while !self.is_done() {
            // Quiet ticks that need no sample of their own go faster.
            self.run_plain_quiet(self.duration);
            if self.is_done() {
                break;
            }
            self.step();
        }
    }

    /// Advances one tick (Δt = 1 s) and returns its sample. After the end of
    /// the scenario it does nothing and returns the last sample.
    pub fn step(&mut self) -> &Sample {
        if self.is_done() {
            return &self.sample;
        }
        let t = self.t;
        let tf = f64::from(t);
        let mid = tf + 0.5;
        let end = tf + 1.0;

        self.restore_pulse_sample();
        if self.quiet.pending() && t >= self.quiet.until {
            self.flush_quiet();
        }
        self.update_windows(tf);
        self.apply_faults(end);

        // Demand.
        let ext = match self.pending_ext.take() {
            // Drawn by `run_plain_quiet`, which handed the tick over.
            Some(ext) => ext,
            None => self.draw_demand(mid),
        };
        let new_post = self
            .scenario
            .updates_s
            .get(self.posted as usize)
            .is_some_and(|&u| u < end)
            && self.post_updates(end);
        let write = if self.posted > self.committed && (new_post || tf >= self.retry_at) {
            1.0
        } else {
            0.0
        };
        if t < self.quiet.until && write == 0.0 && !new_post {
            if self.try_quiet(t, ext) {
                self.t += 1;
                self.end_quiet_minute(t);
                if self.is_done() {
                    self.flush_quiet();
                }
                return &self.sample;
            }
            self.flush_quiet();
        }
        for n in &mut self.nodes {
            n.arr = [0.0; NC];
        }
        let class_rate = [ext, self.scenario.internal_rps, write];
        for c in 0..NC {
            let k = self.sources[c].len();
            if k > 0 {
                for &s in &self.sources[c] {
                    self.nodes[s].arr[c] = class_rate[c] / k as f64;
                }
            }
        }

        self.tally.clear();
        self.tally_int.clear();
        let at_primary = self.forward(t);
        // After a replayed pulse the CDNs stepped with the post-pulse origin;
        // from now on they know the quiet one (as the reverse pass would
        // give, the nodes behind them being quiet again).
        self.settle_origins();
        let settling = tf <= self.versions_settle_at
            || self.replicas.iter().any(|&i| match &self.nodes[i].model {
                Model::Replica(r) => r.lag.excess > 0.0,
                _ => false,
            });
        if !self.shortcuts
            || t == 0
            || write > 0.0
            || settling
            || self.changes.reverse_moved(&self.reverse)
        {
            self.reverse(end);
            self.update_origins();
        } else {
            self.counts.skipped_reverse_passes += 1;
        }
        if write > 0.0 && self.commit_write(tf, end) {
            // Versions move for as long as the slowest replica lags.
            let lag = self
                .nodes
                .iter()
                .map(|n| match &n.model {
                    Model::Replica(r) => r.lag.now(),
                    _ => 0.0,
                })
                .fold(0.0, f64::max);
            self.versions_settle_at = end + lag + 2.0;
            // What origins serve changed within the tick: CDNs that fetch
            // from now on get the new version.
            self.reverse(end);
            self.update_origins();
        }
        let series_point = self.series_point(t);
        let (mut served, mean_num) = self.evaluate_paths(mid, series_point);
        for c in 0..NC {
            if self.truncated[c] {
                served[c] = self.sources[c]
                    .iter()
                    .map(|&s| self.nodes[s].arr[c] * self.nodes[s].succ[c])
                    .sum();
            }
        }
        self.freshness(mid, end, class_rate, served, at_primary);

        // The tick's sample.
        let s = &mut self.sample;
        s.t = t;
        s.offered = class_rate[EXT];
        s.served = served[EXT];
        let e = class_rate[EXT] - served[EXT];
        s.errors = if e > 1e-9 * class_rate[EXT] { e } else { 0.0 };
        s.mean_ms = if served[EXT] > 0.0 {
            1e3 * mean_num / served[EXT]
        } else {
            0.0
        };
        s.external_reads_at_primary = at_primary;
        s.internal_offered = class_rate[INT];
        s.internal_served = served[INT];
        s.writes = write;
        s.committed = self.committed;
        s.cost_usd = self.cost_total;
        if at_primary > 0.0 {
            self.at_primary_ticks += 1;
        }
        if series_point {
            self.push_series(t);
        }
        self.record_pulse(t, write, at_primary);
        self.plan_quiet(t, write);
        self.t += 1;
        &self.sample
    }

    /// Posts the updates due before `end` (the tick's end), each with its
    /// event; whether there was one. On the few ticks an update is due,
    /// so kept out of `step` (ARCHITECTURE.md, "The grading worker's wasm").
    #[cold]
    #[inline(never)]
    fn post_updates(&mut self, end: f64) -> bool {
        let mut new_post = false;
        while (self.posted as usize) < self.scenario.updates_s.len()
            && self.scenario.updates_s[self.posted as usize] < end
        {
            let u = self.scenario.updates_s[self.posted as usize];
            self.posted += 1;
            self.pending_reach.push(self.posted);
            new_post = true;
            self.event(
                u,
                EventKind::UpdatePosted,
                None,
                format!("update {} posted", self.posted),
            );
        }
        new_post
    }

    /// The external reads of the tick whose middle is `mid`: the profile's
    /// rate, as a Poisson count when the scenario has noise.
    fn draw_demand(&mut self, mid: f64) -> f64 {
        let ext = self.profile.rate_at(mid);
        if self.scenario.noise && ext > 0.0 {
            self.noise.poisson_f64(ext)
        } else {
            ext
        }
    }

    /// Whether tick `t` ends with a point of the series (every
    /// `series_every_s` seconds, and the last tick).
    fn series_point(&self, t: u32) -> bool {
        (t + 1) % self.scenario.series_every_s == 0 || t + 1 == self.duration
    }

    fn event(&mut self, t_s: f64, kind: EventKind, node: Option<String>, detail: String) {
        if self.events.len() < MAX_EVENTS {
            self.events.push(Event {
                t_s,
                kind,
                node,
                detail,
                fault: None,
            });
        }
    }

    /// Recomputes which windows are open; flushes the path accumulators
    /// when that changes.
    fn update_windows(&mut self, tf: f64) {
        let mut mask = 0u64;
        for (w, win) in self.windows.iter().enumerate() {
            if tf >= win.from && tf < win.to {
                mask |= 1 << w;
            }
        }
        if mask != self.active {
            self.flush_paths();
            self.active = mask;
        }
    }

    /// Moves the paths' run-length slots into the open windows
    /// (`runlength.rs`).
    fn flush_paths(&mut self) {
        self.path_runs
            .flush(&self.paths, &mut self.windows, self.active);
    }

    fn apply_faults(&mut self, end: f64) {
        if self
            .fault_events
            .get(self.next_fault)
            .is_some_and(|f| f.at < end)
        {
            self.start_and_end_faults(end);
        }
    }

    /// [`Sim::apply_faults`]'s work, on the few ticks a fault starts or
    /// ends (kept out of `step`: ARCHITECTURE.md, "The grading worker's
    /// wasm").
    #[cold]
    #[inline(never)]
    fn start_and_end_faults(&mut self, end: f64) {
        while self.next_fault < self.fault_events.len()
            && self.fault_events[self.next_fault].at < end
        {
            let fe = self.fault_events[self.next_fault].clone();
            self.next_fault += 1;
            let Some(fault) = self.scenario.faults.get(fe.fault.index).cloned() else {
                continue;
            };
            if fe.start {
                for &(i, until) in &fe.nodes {
                    let n = &mut self.nodes[i];
                    n.down_until = n.down_until.max(until);
                    if let (FaultKind::ReplicaLagSpike { extra_s }, Model::Replica(r)) =
                        (&fault.kind, &mut n.model)
                    {
                        if extra_s.is_finite() && *extra_s > 0.0 {
                            r.lag.excess += extra_s;
                        }
                    }
                }
            }
            let kind = if fe.start {
                EventKind::FaultStarted
            } else {
                EventKind::FaultEnded
            };
            if self.events.len() < MAX_EVENTS {
                self.events.push(Event {
                    t_s: fe.at,
                    kind,
                    node: None,
                    detail: fault.describe(),
                    fault: Some(fe.fault),
                });
            }
        }
    }

    /// The kata's page size, kB (0 when it is not a usable number).
    fn page_kb(&self) -> f64 {
        if self.scenario.page_kb.is_finite() {
            self.scenario.page_kb.max(0.0)
        } else {
            0.0
        }
    }

    /// The forward pass: every node's model, in topological order. Returns
    /// the external reads that reached a database primary.
    fn forward(&mut self, t: u32) -> f64 {
        let tf = f64::from(t);
        let ctx = model::Ctx {
            t,
            tf,
            book: prices(),
            page_kb: self.page_kb(),
        };
        let mut at_primary = 0.0;
        let n_nodes = self.nodes.len();
        self.changes.begin();
        for i in 0..n_nodes {
            let (head, tail) = self.nodes.split_at_mut(i + 1);
            let Some((n, before)) = head.split_last_mut() else {
                continue;
            };
            let arr = n.arr;
            let a_tot = arr[EXT] + arr[INT] + arr[WRT];
            let down = n.down_until > tf;
            // Booted instances join before the tick.
            let mut servers = 0;
            if let Model::Api(m) = &mut n.model {
                if let Some(ready @ Scale::Ready { .. }) = m.scaler.start_of_tick(tf) {
                    scale_event(&mut self.events, tf, &n.id, ready);
                }
                servers = m.scaler.running() * m.workers;
            }
            if matches!(n.model, Model::Primary(_)) {
                at_primary += arr[EXT];
            }
            // Fast path: a quiet node (same arrivals as last tick, nothing
            // queued, nothing inside that moves with time) repeats last
            // tick's outputs.
            let reused = if self.shortcuts {
                reuse::lookup(n, before, down, servers)
            } else {
                None
            };
            let out = if let Some(r) = reused {
                self.counts.reused_nodes += 1;
                let mut out = r.tick();
                if let Model::Api(m) = &mut n.model {
                    // As when computed: the tick bills the fleet after
                    // the autoscaler's decision.
                    out.cost = model::api::bill(m, &ctx, out.util, &mut self.events, &n.id);
                }
                n.runs.repeat_latency(&out.lat_w, 1.0);
                out
            } else {
                let idle_before = reuse::queue_idle(&n.model);
                // A fast path (a quiet-tick attempt) may have stepped the
                // CDN's state machine already, with the same inputs.
                let stepped = match &mut n.model {
                    Model::Cdn(m) if !down => m.fast.pre.take().inspect(|_| {
                        std::mem::swap(&mut self.node_tally, &mut m.fast.pre_tally);
                    }),
                    Model::Cdn(m) => {
                        m.fast.pre = None;
                        None
                    }
                    _ => None,
                };
                // The model.
                let mut sinks = model::Sinks {
                    events: &mut self.events,
                    tally: &mut self.tally,
                    node_tally: &mut self.node_tally,
                    updates_s: &self.scenario.updates_s,
                    posted: self.posted,
                    memo: self.shortcuts,
                };
                let ran = model::run(n, before, tail, i, &ctx, down, servers, stepped, &mut sinks);
                let out = ran.tick;
                // What pulses and plain ticks replay (`pulse.rs`).
                if let Model::Cdn(m) = &mut n.model {
                    m.fast.last = ran.cdn.unwrap_or_default();
                    if ran.cdn.is_some() {
                        m.fast.last_origin = m.origin;
                        m.fast.last_origin_requests = out.fwd[EXT];
                    }
                }
                n.seen.key_step = ran.key;
                // Own latency: into the sketch (the reference), or
                // run-length compressed.
                n.runs.add_latency(
                    &mut n.sketch,
                    &mut self.kinks,
                    &out.lat_w,
                    &out.lat_d,
                    self.shortcuts,
                );
                // Only a tick that started and ended with nothing queued
                // depends on its inputs alone.
                n.seen.reuse =
                    (idle_before && reuse::queue_idle(&n.model)).then(|| reuse::Reuse::of(&out));
                out
            };
            n.seen.arr = arr;
            n.seen.down = down;
            n.seen.servers = servers;
            // Forward to children.
            for c in 0..NC {
                if out.fwd[c] > 0.0 {
                    for &(child, share) in &n.routes[c] {
                        tail[child - i - 1].arr[c] += out.fwd[c] * share;
                    }
                }
            }
            // The tick and the running totals.
            let offered = match n.model {
                Model::Cdn(_) => arr[EXT] + arr[INT],
                _ => a_tot,
            };
            let cost = if out.cost.is_finite() {
                out.cost.max(0.0)
            } else {
                0.0
            };
            let tick = NodeSample {
                offered,
                served: out.served,
                errors: out.errors,
                backlog: out.backlog,
                utilisation: out.util,
                instances: out.inst,
                mean_ms: if out.mean_den > 0.0 {
                    1e3 * out.mean_num / out.mean_den
                } else {
                    0.0
                },
            };
            // Into the totals (run-length compressed: a tick like the
            // last one only counts).
            if n.runs
                .add_tick(&mut n.acc, &mut n.tick, tick, cost, self.shortcuts)
            {
                self.sample.nodes[i] = n.tick.clone();
            } else {
                self.counts.run_length_ticks += 1;
            }
            self.cost_total += cost;
            // What paths and the reverse pass must recompute.
            let (changed, latency_changed) =
                changes::node_changed(n, reused.is_some(), self.shortcuts);
            self.changes.note(i, changed, latency_changed);
        }
        at_primary
    }

    /// The reverse pass: end-to-end success, mean response time and the
    /// version served from each node, per class, at time `at`.
    fn reverse(&mut self, at: f64) {
        for idx in 0..self.reverse.len() {
            let (i, c) = self.reverse[idx];
            let (head, tail) = self.nodes.split_at_mut(i + 1);
            let Some((n, before)) = head.split_last_mut() else {
                continue;
            };
            {
                let nt = n.n_term[c];
                let fr = &n.frac[c];
                if fr.is_empty() {
                    n.succ[c] = 0.0;
                    n.resp[c] = n.own[c].mean;
                    n.ver[c] = 0;
                    continue;
                }
                let origin_net = match &n.model {
                    Model::Cdn(m) => m.cdn.cfg.origin_net.mean,
                    _ => 0.0,
                };
                let (mut s, mut r, mut fsum) = (0.0, 0.0, 0.0);
                let mut best = (f64::NEG_INFINITY, 0usize);
                for (k, &f) in fr.iter().enumerate() {
                    let (cs, cr) = if k >= nt {
                        let ch = &tail[n.routes[c][k - nt].0 - i - 1];
                        (ch.succ[c], ch.resp[c] + origin_net)
                    } else {
                        let extra = match &n.model {
                            Model::Cdn(m) => m.extras.get(k).map_or(0.0, |x| x.mean),
                            _ => 0.0,
                        };
                        // A write is done only where it commits: at a
                        // primary. An API or function with no primary
                        // behind it answers the operator, but nothing is
                        // stored, so the update never reaches anyone.
                        let answered = c != WRT || matches!(n.model, Model::Primary(_));
                        (if answered { 1.0 } else { 0.0 }, extra)
                    };
                    s += f * cs;
                    r += f * cr;
                    fsum += f;
                    if f > best.0 {
                        best = (f, k);
                    }
                }
                n.succ[c] = s.clamp(0.0, 1.0);
                n.resp[c] = n.own[c].mean
                    + if fsum > 0.0 {
                        r / fsum
                    } else {
                        n.routes[c]
                            .first()
                            .map_or(0.0, |&(ch, _)| tail[ch - i - 1].resp[c])
                    };
                // Mostly-taken slot decides the version.
                let k = best.1;
                n.ver[c] = if k >= nt {
                    n.routes[c]
                        .get(k - nt)
                        .map_or(0, |&(ch, _)| tail[ch - i - 1].ver[c])
                } else {
                    terminal_version(n, before, &self.commits, at)
                };
            }
        }
    }

    /// Each CDN learns its origin's error share, fetch time and version.
    fn update_origins(&mut self) {
        for idx in 0..self.cdns.len() {
            let i = self.cdns[idx];
            let (head, tail) = self.nodes.split_at_mut(i + 1);
            let n = &mut head[i];
            let routes = &n.routes[EXT];
            if let Model::Cdn(m) = &mut n.model {
                if routes.is_empty() {
                    m.origin.err = 1.0;
                    continue;
                }
                let (mut s, mut r) = (0.0, 0.0);
                let mut best = (f64::NEG_INFINITY, 0u32);
                for &(ch, share) in routes {
                    let c = &tail[ch - i - 1];
                    s += share * c.succ[EXT];
                    r += share * c.resp[EXT];
                    if share > best.0 {
                        best = (share, c.ver[EXT]);
                    }
                }
                m.origin.err = (1.0 - s).clamp(0.0, 1.0);
                m.origin.resp_s = m.cdn.cfg.origin_net.mean + r;
                m.origin.version = best.1;
            }
        }
    }

    /// The operator's write this tick: it commits at the attempt by which it
    /// has more likely than not got through, else the operator retries
    /// later. True if it committed. On the few ticks with a write, so kept
    /// out of `step` (ARCHITECTURE.md, "The grading worker's wasm").
    #[cold]
    #[inline(never)]
    fn commit_write(&mut self, tf: f64, end: f64) -> bool {
        let ops = &self.sources[WRT];
        if ops.is_empty() {
            self.retry_at = tf + WRITE_RETRY_S;
            return false;
        }
        let k = ops.len() as f64;
        let p: f64 = ops.iter().map(|&o| self.nodes[o].succ[WRT]).sum::<f64>() / k;
        let resp: f64 = ops.iter().map(|&o| self.nodes[o].resp[WRT]).sum::<f64>() / k;
        // The write commits at the attempt by which it has more likely than
        // not got through once (deterministic, and never later with more
        // capacity).
        self.write_miss *= (1.0 - p).clamp(0.0, 1.0);
        if self.write_miss > 0.5 {
            self.retry_at = tf + WRITE_RETRY_S;
            self.event(
                tf,
                EventKind::WriteFailed,
                None,
                format!(
                    "update {} did not get through; retrying in {WRITE_RETRY_S} s",
                    self.posted
                ),
            );
            return false;
        }
        let u = self
            .scenario
            .updates_s
            .get(self.posted.saturating_sub(1) as usize)
            .copied()
            .unwrap_or(tf);
        let at = (u.max(tf) + resp.max(0.0)).min(end);
        self.write_miss = 1.0;
        let from = self.committed;
        self.committed = self.posted;
        self.commits.push(at, self.committed);
        for k in from..self.committed {
            if let Some(r) = self.updates.get_mut(k as usize) {
                if r.committed_s.is_none() {
                    r.committed_s = Some(at);
                }
            }
        }
        let book = prices();
        let version = self.committed;
        let mut purged = 0;
        for i in 0..self.nodes.len() {
            if !self.nodes[i].receives_writes {
                continue;
            }
            for k in 0..self.nodes[i].publish.len() {
                let s = self.nodes[i].publish[k];
                if let Model::Storage(m) = &mut self.nodes[s].model {
                    m.version = version;
                    m.puts += 1.0;
                    let c = book.storage_per_1k_put / 1000.0;
                    self.nodes[s].acc.cost += c;
                    self.cost_total += c;
                }
            }
            for k in 0..self.nodes[i].invalidate.len() {
                let c = self.nodes[i].invalidate[k];
                if let Model::Cache(m) = &mut self.nodes[c].model {
                    m.key.invalidate(at);
                }
            }
        }
        for idx in 0..self.cdns.len() {
            let i = self.cdns[idx];
            if let Model::Cdn(m) = &mut self.nodes[i].model {
                if m.cdn.cfg.purge {
                    m.cdn.purge(at);
                    purged += 1;
                }
            }
        }
        let detail = if purged > 0 {
            format!("update {version} committed; {purged} CDN purged")
        } else {
            format!("update {version} committed")
        };
        self.event(at, EventKind::UpdateCommitted, None, detail);
        true
    }

    /// Every path's share and latency: class totals, the window
    /// accumulators, and the versions non-CDN answers carried. Returns the
    /// answered requests per class and Σ answered × mean latency (external).
    /// `want_mix`: this tick's series point is taken (its p95 reads the
    /// external paths' mixture).
    fn evaluate_paths(&mut self, mid: f64, want_mix: bool) -> ([f64; NC], f64) {
        let mut served = [0.0; NC];
        let mut mean_num = 0.0;
        self.tick_mix.clear();
        for p in 0..self.paths.len() {
            let def = self.paths[p];
            let c = def.class;
            let rate = self.nodes[def.source].arr[c];
            if !(rate > 0.0) {
                self.changes.paths[p] = None;
                continue;
            }
            let start = def.start as usize;
            let hops = &self.hops[start..start + def.len as usize];
            // Fast path: a path through no changed node keeps its share
            // and latency; one whose nodes changed only shares keeps its
            // latency (`changes.rs`).
            let mut cached = false;
            if self.shortcuts {
                let (unchanged, same_latency) = self.changes.path(p, hops);
                cached = unchanged && self.changes.paths[p].is_some();
                if cached {
                    self.counts.unchanged_paths += 1;
                } else if same_latency && self.changes.share_only(p, c, hops, &self.nodes) {
                    cached = true;
                    self.counts.share_only_paths += 1;
                }
            }
            if !cached {
                let mut w = 1.0;
                let mut lat = PathLatency::new();
                for &(node, slot) in hops {
                    let n = &self.nodes[node as usize];
                    let f = n.frac[c].get(slot as usize).copied().unwrap_or(0.0);
                    w *= f;
                    if w <= 0.0 {
                        break;
                    }
                    let (m, d) = hop_latency(n, c, slot as usize);
                    lat.add(m, d);
                }
                self.changes.paths[p] = Some((w, lat.key(), lat.mean()));
            }
            let Some((w, ref key, mean)) = self.changes.paths[p] else {
                continue;
            };
            if !(w > 0.0 && w.is_finite()) {
                continue;
            }
            let weight = rate * w;
            served[c] += weight;
            if c == EXT {
                mean_num += weight * mean;
                if want_mix {
                    self.tick_mix.push((w, *key));
                }
            }
            // Into the open windows (run-length compressed: a cached path
            // had this same key last tick; `runlength.rs`).
            self.path_runs.add(
                p,
                c,
                weight,
                *key,
                cached,
                self.shortcuts,
                &mut self.kinks,
                &mut self.windows,
                self.active,
            );
            // Versions of answers not given by a CDN.
            if c != WRT && weight > 0.0 {
                let Some(&(last, tslot)) = self.hops[start..start + def.len as usize].last() else {
                    continue;
                };
                let (before, rest) = self.nodes.split_at_mut(last as usize);
                let n = &mut rest[0];
                if matches!(n.model, Model::Cdn(_)) && (tslot as usize) < n.n_term[c] {
                    continue;
                }
                let v = terminal_version(n, before, &self.commits, mid);
                n.acc
                    .stale
                    .add_version(v, weight, &self.scenario.updates_s, self.posted, mid);
                if c == EXT {
                    self.tally.add(v, weight);
                } else {
                    self.tally_int.add(v, weight);
                    // Read-your-writes: a staff read after an update
                    // committed that comes back older than it. A CDN on
                    // the way answers staff from its edge copies, as it
                    // answers readers.
                    let committed = self.commits.version_at(mid);
                    let through_cdn: f64 = self.hops[start..start + def.len as usize]
                        .iter()
                        .filter_map(|&(h, _)| match &self.nodes[h as usize].model {
                            Model::Cdn(m) => Some(m.cdn.share_older_than(committed, mid)),
                            _ => None,
                        })
                        .fold(0.0, f64::max);
                    let missed = if v < committed { 1.0 } else { through_cdn };
                    self.own_write_misses += weight * missed;
                }
            }
        }
        (served, mean_num)
    }

    /// Staleness, reach of updates, and class totals per window.
    fn freshness(
        &mut self,
        mid: f64,
        end: f64,
        rate: [f64; NC],
        served: [f64; NC],
        at_primary: f64,
    ) {
        self.sample.staleness_s = self.add_staleness(EXT, mid);
        self.add_staleness(INT, mid);
        for (wi, win) in self.windows.iter_mut().enumerate() {
            if self.active & (1 << wi) != 0 {
                for c in 0..NC {
                    win.acc[c].offered += rate[c];
                    win.acc[c].served += served[c];
                }
                win.at_primary += at_primary;
            }
        }
        self.update_reach(end);
    }

    /// Adds the staleness of class `c`'s answers this tick (its tally) to
    /// the open windows; returns their mean staleness.
    fn add_staleness(&mut self, c: usize, mid: f64) -> f64 {
        let updates = &self.scenario.updates_s;
        let tally = if c == EXT {
            &self.tally
        } else {
            &self.tally_int
        };
        let mut stale_num = 0.0;
        let mut stale_den = 0.0;
        for &(v, w) in tally.entries() {
            let st = staleness(updates, self.posted, v, mid);
            stale_num += w * st;
            stale_den += w;
            // Every window's histogram has the same buckets: one lookup.
            let Some(first) = self.windows.first() else {
                continue;
            };
            let point = first.acc[c].stale.point(st * STALE_SCALE);
            for (wi, win) in self.windows.iter_mut().enumerate() {
                if self.active & (1 << wi) != 0 {
                    let a = &mut win.acc[c];
                    a.stale.add_at(w, point);
                    a.stale_sum += w * st;
                    a.stale_w += w;
                    if st > 0.0 {
                        a.stale_n += w;
                    }
                }
            }
        }
        if stale_den > 0.0 {
            stale_num / stale_den
        } else {
            0.0
        }
    }

    /// An update reaches readers when 95 % of a tick's external answers
    /// (the tally) carry it.
    fn update_reach(&mut self, end: f64) {
        let total = self.tally.total();
        if total > 0.0 {
            let mut k = 0;
            while k < self.pending_reach.len() {
                let v = self.pending_reach[k];
                if self.tally.at_least(v) >= 0.95 * total {
                    if let Some(r) = self.updates.get_mut(v as usize - 1) {
                        r.reached_after_s = Some(end - r.posted_s);
                    }
                    self.pending_reach.remove(k);
                } else {
                    k += 1;
                }
            }
        }
    }

    /// Makes room for every point the series has still to take (up to a
    /// bound), so that they never reallocate while the run goes on (a
    /// clone keeps only the room its points take).
    fn reserve_series(&mut self) {
        let every = self.scenario.series_every_s.max(1);
        let total = (self.duration / every + 1).min(4096) as usize;
        let s = &mut self.series;
        let more = total.saturating_sub(s.t_s.len());
        for v in [
            &mut s.offered_rps,
            &mut s.errors_rps,
            &mut s.p95_ms,
            &mut s.staleness_s,
            &mut s.cost_usd,
        ] {
            v.reserve_exact(more);
        }
        s.t_s.reserve_exact(more);
        for (n, ns) in self.nodes.iter().zip(s.nodes.iter_mut()) {
            for v in [
                &mut ns.utilisation,
                &mut ns.errors_rps,
                &mut ns.backlog,
                &mut ns.instances,
                &mut ns.offered_rps,
            ] {
                v.reserve_exact(more);
            }
            match n.model {
                Model::Cdn(_) => ns.edge_share.reserve_exact(more),
                Model::Replica(_) => ns.lag_s.reserve_exact(more),
                _ => {}
            }
        }
    }

    fn push_series(&mut self, t: u32) {
        // The tick's external p95 (recomputed only when the mixture changed;
        // a mixture of one distribution is that distribution, whatever the
        // weights).
        let same_one = one_key(&self.tick_mix).is_some_and(|k| one_key(&self.last_mix) == Some(k));
        if !self.shortcuts {
            // The reference: the mixture's p95 computed afresh.
            self.mix_dists.clear();
            self.mix_dists
                .extend(self.tick_mix.iter().map(|(w, k)| (*w, k.dist())));
            self.last_p95 = quantile_of(&self.mix_dists, 0.95, 1e-4);
        } else if !same_one && self.tick_mix != self.last_mix {
            self.mix_dists.clear();
            self.mix_dists
                .extend(self.tick_mix.iter().map(|(w, k)| (*w, k.dist())));
            // A chart's precision (0.01 %) is plenty.
            self.last_p95 = quantile_of_memo(&self.mix_dists, 0.95, 1e-4, &mut self.p95_memo);
            self.counts.p95_memo_uses += 1;
            self.last_mix.clear();
            self.last_mix.extend_from_slice(&self.tick_mix);
        } else {
            self.counts.p95_reuses += 1;
        }
        let s = &mut self.series;
        s.t_s.push(t);
        s.offered_rps.push(self.sample.offered as f32);
        s.errors_rps.push(self.sample.errors as f32);
        s.p95_ms.push((1e3 * self.last_p95) as f32);
        s.staleness_s.push(self.sample.staleness_s as f32);
        // (The sample's: with the plain ticks' cost not yet flushed.)
        s.cost_usd.push(self.sample.cost_usd as f32);
        // The sample, not `n.tick`: quiet ticks update only the sample.
        for ((n, tick), ns) in self
            .nodes
            .iter()
            .zip(self.sample.nodes.iter())
            .zip(s.nodes.iter_mut())
        {
            ns.utilisation.push(tick.utilisation as f32);
            ns.errors_rps.push(tick.errors as f32);
            ns.backlog.push(tick.backlog as f32);
            ns.instances.push(tick.instances as f32);
            ns.offered_rps.push(tick.offered as f32);
            match &n.model {
                Model::Cdn(_) => {
                    let answered: f64 = n.frac[EXT].iter().take(5).sum();
                    ns.edge_share.push(answered.clamp(0.0, 1.0) as f32);
                }
                Model::Replica(r) => ns.lag_s.push(r.lag.now() as f32),
                _ => {}
            }
        }
    }

    /// The report so far (normally called after [`Sim::run_to_end`]).
    pub fn report(&self) -> Report {
        if self.quiet.pending() {
            // Mid-stretch: report as if the stretch ended now.
            let mut settled = self.clone();
            settled.flush_quiet();
            let mut kinks = std::mem::take(&mut settled.kinks);
            return settled.report_settled(true, &mut kinks);
        }
        self.report_settled(true, &mut self.kinks.clone())
    }

    /// The report of a run with no quiet tick pending; without the series
    /// and events unless `copy_series` (`run` moves them in instead).
    /// `kinks` may remember the run's queue latencies (the same kinks,
    /// fewer computed).
    fn report_settled(&self, copy_series: bool, kinks: &mut Kinks) -> Report {
        let book = prices();
        let ticks = f64::from(self.t.max(1));
        // One grid through which every sketch is read with the run-length
        // slots added.
        let mut scratch = Sketch::new();
        let mut merged: Vec<(LatKey, f64)> = Vec::new();
        let mut windows = Vec::with_capacity(self.windows.len());
        let mut order: Vec<usize> = (1..self.windows.len()).collect();
        order.push(0);
        for wi in order {
            let win = &self.windows[wi];
            let mut sums: Vec<Summary> = Vec::with_capacity(NC);
            for c in 0..NC {
                let a = &win.acc[c];
                let sk = &mut scratch;
                sk.load(&a.sketch);
                // The pending latencies with the open slots' merged in, as
                // `flush_paths` would (so `run`, which flushes first,
                // reports what `report` does, bit for bit).
                merged.clear();
                merged.extend_from_slice(&a.pending);
                if self.active & (1 << wi) != 0 {
                    self.path_runs.merge_class(&self.paths, c, &mut merged);
                }
                for (k, w) in &merged {
                    kinks.add_once(*w, &k.dist(), sk);
                }
                let q = sk.quantiles();
                // Path shares multiply to within rounding of one.
                let served = a.served.min(a.offered);
                let errors = a.offered - served;
                let errors = if errors > 1e-9 * a.offered {
                    errors
                } else {
                    0.0
                };
                let served = a.offered - errors;
                sums.push(Summary {
                    offered: clean(a.offered),
                    served: clean(served),
                    errors: clean(errors),
                    error_rate: ratio(errors, a.offered),
                    latency: latency_ms(q),
                    staleness: Staleness {
                        // At most 5 % stale: the p95 answer is current.
                        p95_s: if a.stale_n <= 0.05 * a.stale_w {
                            0.0
                        } else {
                            clean(a.stale.quantile(0.95).unwrap_or(0.0) / STALE_SCALE)
                        },
                        mean_s: ratio(a.stale_sum, a.stale_w),
                        stale_share: ratio(a.stale_n, a.stale_w),
                    },
                    ..Summary::default()
                });
            }
            let writes = sums.pop().unwrap_or_default();
            let internal = sums.pop().unwrap_or_default();
            let external = sums.pop().unwrap_or_default();
            windows.push(WindowReport {
                name: win.name.clone(),
                from_s: win.from,
                to_s: win.to,
                external,
                internal,
                writes,
                external_reads_at_primary: clean(win.at_primary),
            });
        }
        let run = windows.last().cloned();
        let mut overall = run.as_ref().map(|w| w.external.clone()).unwrap_or_default();
        overall.cost_usd = clean(self.cost_total);
        let nodes = self
            .nodes
            .iter()
            .map(|n| {
                let sk = &mut scratch;
                sk.load(&n.sketch);
                for slot in &n.runs.slots {
                    for (k, w) in slot.entries() {
                        kinks.add_once(w, &k.dist(), sk);
                    }
                }
                let a = &n.runs.settled(&n.acc, &n.tick);
                NodeReport {
                    id: n.id.clone(),
                    kind: n.kind,
                    label: n.label.clone(),
                    summary: Summary {
                        offered: clean(a.offered),
                        served: clean(a.served),
                        errors: clean(a.errors),
                        error_rate: ratio(a.errors, a.offered),
                        backlog_max: clean(a.backlog_max),
                        backlog_end: clean(n.tick.backlog),
                        utilisation_mean: clean(a.util_sum / ticks),
                        utilisation_max: clean(a.util_max),
                        saturated_max_s: clean(a.sat_max),
                        instances_max: clean(a.inst_max),
                        instances_end: clean(n.tick.instances),
                        latency: latency_ms(sk.quantiles()),
                        staleness: a.stale.summary(),
                        cost_usd: clean(a.cost),
                    },
                }
            })
            .collect();
        let reach: Vec<f64> = self
            .updates
            .iter()
            .filter(|u| u.posted_s < f64::from(self.t))
            .map(|u| u.reached_after_s.unwrap_or(f64::from(self.t) - u.posted_s))
            .collect();
        let mut sorted = reach.clone();
        sorted.sort_by(f64::total_cmp);
        let reach_p95 = if sorted.is_empty() {
            0.0
        } else {
            let i = ((sorted.len() as f64 * 0.95).ceil() as usize).clamp(1, sorted.len()) - 1;
            sorted[i]
        };
        Report {
            seed: self.seed,
            duration_s: self.t,
            diagnostics: self.diagnostics.clone(),
            overall,
            internal: run.as_ref().map(|w| w.internal.clone()).unwrap_or_default(),
            writes: run.as_ref().map(|w| w.writes.clone()).unwrap_or_default(),
            windows,
            nodes,
            freshness: Freshness {
                updates: self
                    .updates
                    .iter()
                    .filter(|u| u.posted_s < f64::from(self.t))
                    .cloned()
                    .collect(),
                reach_p95_s: clean(reach_p95),
                reach_max_s: clean(sorted.last().copied().unwrap_or(0.0)),
            },
            cost: CostReport {
                run_usd: clean(self.cost_total),
                always_on_monthly_usd: clean(self.always_on_monthly),
                price_source: book.source.clone(),
                price_date: book.date.clone(),
            },
            external_reads_at_primary: clean(self.windows.first().map_or(0.0, |w| w.at_primary)),
            ticks_with_external_reads_at_primary: self.at_primary_ticks,
            staff_reads_missing_own_write: clean(self.own_write_misses),
            events: if copy_series {
                self.events.clone()
            } else {
                Vec::new()
            },
            series: if copy_series {
                self.series.clone()
            } else {
                Series::default()
            },
        }
    }
}

/// The latency key every part of a mixture has, if they all have the same.
fn one_key(mix: &[(f64, LatKey)]) -> Option<LatKey> {
    let (_, first) = mix.first()?;
    mix.iter().all(|(_, k)| k == first).then_some(*first)
}

/// The event of an autoscaler's step `ev` at `t_s` seconds. Kept out of
/// the ticks' code, which calls it on the few ticks a fleet changes
/// (ARCHITECTURE.md, "The grading worker's wasm").
#[cold]
#[inline(never)]
fn scale_event(events: &mut Vec<Event>, t_s: f64, id: &str, ev: Scale) {
    let (kind, detail) = match ev {
        Scale::Out { from, to } => (
            EventKind::ScaledOut,
            format!("scaling out from {from} to {to} instances"),
        ),
        Scale::In { from, to } => (
            EventKind::ScaledIn,
            format!("scaled in from {from} to {to} instances"),
        ),
        Scale::Ready { running } => (
            EventKind::InstancesReady,
            format!("{running} instances now take traffic"),
        ),
    };
    push_event(events, t_s, kind, id, detail);
}

fn push_event(events: &mut Vec<Event>, t_s: f64, kind: EventKind, id: &str, detail: String) {
    if events.len() < MAX_EVENTS {
        events.push(Event {
            t_s,
            kind,
            node: Some(id.to_string()),
            detail,
            fault: None,
        });
    }
}

/// Adds weight `w` of latency `k` to a list of latencies and weights: to
/// its entry if it has one (no weight, or a weight that is not a finite
/// number, adds nothing).
fn merge_latency(list: &mut Vec<(LatKey, f64)>, k: LatKey, w: f64) {
    if !(w > 0.0 && w.is_finite()) {
        return;
    }
    match list.iter_mut().find(|e| e.0 == k) {
        Some(e) => e.1 += w,
        None => list.push((k, w)),
    }
}

/// The version a node answers with when it answers itself, at time `at`.
fn terminal_version(n: &NodeRt, before: &[NodeRt], commits: &CommitLog, at: f64) -> u32 {
    match &n.model {
        Model::Primary(_) | Model::Api(_) | Model::Fn(_) => {
            if n.receives_writes {
                commits.version_at(at)
            } else {
                0
            }
        }
        Model::Replica(r) => match r.primary {
            Some(p) if before.get(p).is_some_and(|x| x.receives_writes) => {
                commits.version_at(at - r.lag.now())
            }
            _ => 0,
        },
        Model::Storage(m) => m.version,
        Model::Cache(m) => m.key.version,
        Model::Cdn(m) => m.cdn.oldest_version(),
        Model::Source { .. } | Model::Lb { .. } => 0,
    }
}

/// The boundaries of the scenario's faults in time order: each fault's
/// start, with the nodes it hits and until when, and its end (when it has
/// one), each with the fault as data ([`FaultRecord`]).
// Kept out of its callers: ARCHITECTURE.md, "The grading worker's wasm".
#[inline(never)]
fn schedule_faults(s: &Scenario, nodes: &[NodeRt], cdns: &[usize]) -> Vec<FaultEvent> {
    let mut out = Vec::new();
    for (fi, f) in s.faults.iter().enumerate() {
        if !f.at_s.is_finite() {
            continue;
        }
        let at = f.at_s.max(0.0);
        let mut targets = Vec::new();
        let mut end = at;
        // How long until every node it took down is back.
        let mut lasts = 0.0;
        match &f.kind {
            FaultKind::Outage { target, duration_s } => {
                let d = if duration_s.is_finite() {
                    duration_s.max(0.0)
                } else {
                    0.0
                };
                end = at + d;
                lasts = d;
                for (i, n) in nodes.iter().enumerate() {
                    let hit = match target {
                        Target::Node(id) => n.id == *id,
                        Target::Kind(k) => n.kind == *k,
                        Target::CdnOrigins => cdns
                            .iter()
                            .any(|&c| nodes[c].routes[EXT].iter().any(|r| r.0 == i)),
                    };
                    if hit {
                        targets.push((i, end));
                    }
                }
            }
            FaultKind::PrimaryFailover => {
                for (i, n) in nodes.iter().enumerate() {
                    if let Model::Primary(m) = &n.model {
                        let d = if m.multi_az {
                            m.failover_s
                        } else {
                            NO_MULTI_AZ_RECOVERY_S
                        };
                        end = end.max(at + d);
                        lasts = f64::max(lasts, d);
                        targets.push((i, at + d));
                    }
                }
            }
            FaultKind::ReplicaLagSpike { .. } => {
                for (i, n) in nodes.iter().enumerate() {
                    if n.kind == NodeKind::ReadReplica {
                        targets.push((i, f64::NEG_INFINITY));
                    }
                }
            }
        }
        let record = FaultRecord {
            index: fi,
            kind: f.kind.clone(),
            nodes: targets.iter().map(|&(i, _)| nodes[i].id.clone()).collect(),
            start_s: at,
            duration_s: lasts,
        };
        out.push(FaultEvent {
            at,
            start: true,
            fault: record.clone(),
            nodes: targets,
        });
        if end > at {
            out.push(FaultEvent {
                at: end,
                start: false,
                fault: record,
                nodes: Vec::new(),
            });
        }
    }
    out.sort_by(|a, b| a.at.total_cmp(&b.at));
    out
}

fn clean(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        0.0
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        clean(a / b)
    } else {
        0.0
    }
}

fn latency_ms(q: sketch::Quantiles) -> Latency {
    Latency {
        mean_ms: clean(1e3 * q.mean),
        p50_ms: clean(1e3 * q.p50),
        p95_ms: clean(1e3 * q.p95),
        p99_ms: clean(1e3 * q.p99),
    }
}

impl plan::StaleAcc {
    /// Counts `w` answers carrying version `v` at time `t`.
    fn add_version(&mut self, v: u32, w: f64, updates: &[f64], posted: u32, t: f64) {
        if !(w > 0.0 && w.is_finite()) {
            return;
        }
        let st = staleness(updates, posted, v, t);
        self.total += w;
        self.sum += w * st;
        if st > 0.0 {
            self.stale += w;
        }
        let k = STALE_EDGES
            .iter()
            .position(|&e| st <= e)
            .unwrap_or(STALE_EDGES.len() - 1);
        self.hist[k] += w;
    }

    /// Mean, p95 and stale share.
    fn summary(&self) -> Staleness {
        if self.total <= 0.0 {
            return Staleness::default();
        }
        let target = 0.95 * self.total;
        let mut cum = 0.0;
        let mut p95 = 0.0;
        for (k, &h) in self.hist.iter().enumerate() {
            if h > 0.0 && cum + h >= target {
                let lo = if k == 0 { 0.0 } else { STALE_EDGES[k - 1] };
                let hi = STALE_EDGES[k];
                p95 = lo + (hi - lo) * ((target - cum) / h).clamp(0.0, 1.0);
                break;
            }
            cum += h;
        }
        Staleness {
            p95_s: clean(p95),
            mean_s: ratio(self.sum, self.total),
            stale_share: ratio(self.stale, self.total),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference run never reads the CDNs' steady state: making it
    /// claim every group fresh for ever before every tick changes no bit
    /// of the reference's report, and changes the default run's.
    #[test]
    fn the_reference_does_not_read_the_steady_state() {
        let text = include_str!("../../tests/data/reference.json");
        let d = design::format::parse(text).expect("reference").design;
        let kata = crate::kata::load("status-dashboard").expect("kata");
        let mut spec = kata.run.expect("run");
        spec.minutes = 20.0;
        let s = spec.scenario(3).expect("scenario");
        let run = |shortcuts: bool, corrupt: bool| {
            let mut sim = Sim::new(&d, &s, 3);
            sim.set_shortcuts(shortcuts);
            while !sim.is_done() {
                if corrupt {
                    for n in &mut sim.nodes {
                        if let Model::Cdn(m) = &mut n.model {
                            m.cdn.corrupt_steady_state();
                        }
                    }
                }
                sim.step();
            }
            sim.report().fingerprint()
        };
        assert_eq!(run(false, false), run(false, true));
        assert_ne!(run(true, false), run(true, true));
    }
}
