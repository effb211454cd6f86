//! Quiet ticks: the engine's fast path for the common case of an incident
//! served from the edge.
//!
//! Most ticks of a well-designed run change nothing but the external rate:
//! every CDN answers from its PoPs (fresh copies, or stale ones while a
//! revalidation completes within the tick from the shield), sends nothing
//! new to its origin, and every node behind it sees exactly last tick's
//! arrivals. Such a tick is *quiet*. It runs the real CDN state machines and
//! updates the sample, but everything else it would add — node totals,
//! latency of the quiet nodes, path weights, freshness and window totals —
//! is the same tick after tick or linear in the rate, so it is summed over
//! the stretch of quiet ticks and added once when the stretch ends
//! ([`Sim::flush_quiet`]). A quiet node is not visited at all.
//!
//! Invariants:
//! - a stretch is planned only after a tick computed in full in which every
//!   node except the external sources and the CDNs repeated its last
//!   outputs, up or down as it stays ([`Sim::plan_quiet`]); it ends before
//!   the next scheduled event (an update, a fault, a window edge, the
//!   operator's next attempt at a pending update) and before a replica
//!   would serve another version (a lag spike shrinking, a commit becoming
//!   visible), and the replicas' lag is stepped every quiet tick;
//! - a tick is quiet only if, after stepping the CDNs, none of them waited,
//!   missed or failed, an origin fetch repeats the recorded pulse
//!   (`pulse.rs`), and no autoscaler would change its fleet at the end of
//!   the minute; otherwise the tick is computed in full, with the CDN
//!   outcomes already stepped (`CdnModel::pre`), so the state machines never
//!   step twice. A quiet tick adds its sums through `plain.rs` (stale
//!   answers counted tick by tick), whether `step` or `run_to_end` takes
//!   it: `run_to_end` takes runs of quiet ticks in a loop that writes the
//!   sample only at series points and for the last tick, bit-identical to
//!   stepping them;
//! - the results equal those of computing every tick in full up to
//!   rounding (sums are reassociated), which `set_shortcuts(false)` lets the
//!   tests check.

use crate::latency::Moments;

use super::cdn::{CdnTick, Origin};
use super::plain::{PlainSums, QuietOut};
use super::plan::{Model, EXT, INT};
use super::pulse::Pulses;
use super::reuse::repeats;
use super::runlength::deposit;
use super::sketch::LatKey;
use super::versions::Tally;
use super::{paths::hop_latency, paths::PathLatency, Sim};

/// What the fast paths remember of a CDN node: the shares and extras of
/// its last tick (to tell whether paths through it changed), its outcome
/// when a quiet-tick attempt already stepped it, and what the last tick
/// computed in full gave (which a replayed pulse must find again). The
/// reference run keeps them but never reads them.
#[derive(Clone, Debug)]
pub(crate) struct CdnFast {
    /// The last tick's outcome shares of external reads, and its extras.
    pub prev_frac: Vec<f64>,
    pub prev_extras: [Moments; 5],
    /// This tick's outcome when a quiet-tick attempt already stepped the
    /// CDN, with the versions it served.
    pub pre: Option<CdnTick>,
    pub pre_tally: Tally,
    /// Requests sent to the origin in the last tick computed in full.
    pub last_origin_requests: f64,
    /// The outcome of the last tick computed in full, and what the CDN
    /// knew of its origin when it stepped it.
    pub last: CdnTick,
    pub last_origin: Origin,
}

impl CdnFast {
    /// Nothing remembered yet; the CDN knows `origin` of its origin.
    pub(crate) fn new(origin: Origin) -> Self {
        CdnFast {
            prev_frac: Vec::new(),
            prev_extras: [Moments::ZERO; 5],
            pre: None,
            pre_tally: Tally::new(),
            last_origin_requests: 0.0,
            last: CdnTick::default(),
            last_origin: origin,
        }
    }
}

/// An external path a quiet tick can take: source → CDN outcome `slot`
/// (a hit, or a stale copy served at once).
#[derive(Clone, Copy, Debug)]
pub(super) struct QuietPath {
    path: usize,
    pub source: usize,
    pub route: usize,
    pub cdn: usize,
    /// The CDN's index into `Sim::cdns`.
    pub ci: usize,
    pub slot: usize,
}

/// What a stretch of quiet ticks has added so far.
#[derive(Clone, Debug, Default)]
pub(super) struct Quiet {
    /// The design allows quiet ticks (external sources feed only CDNs,
    /// nothing else feeds a CDN external reads, no path class truncated).
    capable: bool,
    pub paths: Vec<QuietPath>,
    /// Ticks before this one may be quiet (0: none planned).
    pub until: u32,
    /// Quiet ticks not yet added.
    pub ticks: u32,
    /// Quiet ticks so far in the run.
    pub total: u32,
    /// Cost per tick of every node but the sources and CDNs.
    pub fixed_cost: f64,
    /// Σ external rate, Σ external answers, Σ external answers tallied
    /// for freshness.
    pub offered: f64,
    pub served: f64,
    pub tallied: f64,
    /// Per node (sources and CDNs): Σ offered, served, errors, cost; and
    /// the cost of the last quiet tick.
    pub node_sums: Vec<[f64; 4]>,
    pub last_cost: Vec<f64>,
    /// Per CDN (index into `Sim::cdns`): Σ answers from the edge, and Σ
    /// of those counted current in bulk (the ticks whose answers were all
    /// current).
    pub edge: Vec<f64>,
    pub fresh: Vec<f64>,
    /// Per quiet path: Σ weight; and its latency key and mean.
    pub path_w: Vec<f64>,
    pub path_key: Vec<(LatKey, f64)>,
    /// Pulses replayed inside the stretch (see `pulse.rs`).
    pub pulses: Pulses,
    /// Per node: its quiet ticks of the stretch that its autoscaler has
    /// recorded already (at the ends of minutes, `end_quiet_minute`).
    pub scaler_recorded: Vec<u32>,
    /// Per CDN, this tick's outcome (see `plain.rs`).
    pub outs: Vec<QuietOut>,
    /// The plain ticks' sums (see `plain.rs`).
    pub plain: PlainSums,
    /// The external sources feed the CDNs (the routes from the sources to
    /// the CDNs are not empty).
    pub spreads: bool,
    /// Per CDN (index into `Sim::cdns`): the shares of the sources' routes
    /// that reach it, summed in the sources' order; a source's share `a`
    /// of the external rate brings it `a` × this (`spread_external`).
    pub cdn_share: Vec<f64>,
}

impl Quiet {
    /// Works out whether a compiled design can have quiet ticks.
    pub(super) fn new(sim: &Sim) -> Quiet {
        let n = sim.nodes.len();
        let is_cdn = |i: usize| matches!(sim.nodes[i].model, Model::Cdn(_));
        let ext_sources = &sim.sources[EXT];
        let sources_feed_cdns = !ext_sources.is_empty()
            && ext_sources.iter().all(|&s| {
                let r = &sim.nodes[s].routes[EXT];
                !r.is_empty() && r.iter().all(|&(c, _)| is_cdn(c))
            });
        let only_sources_feed_cdns = (0..n).all(|i| {
            ext_sources.contains(&i) || sim.nodes[i].routes[EXT].iter().all(|&(c, _)| !is_cdn(c))
        });
        let capable = sources_feed_cdns
            && only_sources_feed_cdns
            && !sim.cdns.is_empty()
            && !sim.truncated.iter().any(|&t| t);
        let mut paths = Vec::new();
        if capable {
            for (p, def) in sim.paths.iter().enumerate() {
                if def.class != EXT || def.len != 2 {
                    continue;
                }
                let start = def.start as usize;
                let (src, route) = sim.hops[start];
                let (cdn, slot) = sim.hops[start + 1];
                let ci = sim.cdns.iter().position(|&c| c == cdn as usize);
                if let (true, Some(ci)) = (slot < 3, ci) {
                    paths.push(QuietPath {
                        path: p,
                        source: src as usize,
                        route: route as usize,
                        cdn: cdn as usize,
                        ci,
                        slot: slot as usize,
                    });
                }
            }
        }
        let mut cdn_share = vec![0.0; sim.cdns.len()];
        let mut spreads = false;
        if capable {
            for &s in ext_sources {
                for &(c, share) in &sim.nodes[s].routes[EXT] {
                    if let Some(ci) = sim.cdns.iter().position(|&x| x == c) {
                        cdn_share[ci] += share;
                        spreads = true;
                    }
                }
            }
        }
        Quiet {
            capable,
            cdn_share,
            spreads,
            path_w: vec![0.0; paths.len()],
            path_key: vec![(LatKey::point(0.0), 0.0); paths.len()],
            paths,
            node_sums: vec![[0.0; 4]; n],
            scaler_recorded: vec![0; n],
            last_cost: vec![0.0; n],
            edge: vec![0.0; sim.cdns.len()],
            fresh: vec![0.0; sim.cdns.len()],
            plain: PlainSums::new(sim.cdns.len()),
            ..Quiet::default()
        }
    }

    /// Whether the design allows quiet ticks at all.
    pub(super) fn capable(&self) -> bool {
        self.capable
    }

    /// True while quiet ticks are summed but not yet added.
    pub(super) fn pending(&self) -> bool {
        self.ticks > 0
    }
}

impl Sim {
    /// An external source or a CDN: the nodes a quiet tick steps.
    pub(super) fn is_edge_node(&self, i: usize) -> bool {
        match self.nodes[i].model {
            Model::Cdn(_) => true,
            Model::Source { class } => class == EXT,
            _ => false,
        }
    }

    /// After tick `t`, computed in full (with `write` operator writes),
    /// decides until when the next ticks may be quiet.
    pub(super) fn plan_quiet(&mut self, t: u32, write: f64) {
        self.quiet.until = 0;
        if !self.shortcuts || !self.quiet.capable || write > 0.0 {
            return;
        }
        let next = t + 1;
        let next_f = f64::from(next);
        if self.tally_int.entries().iter().any(|e| e.0 < self.posted) {
            return;
        }
        // Staff reads through a CDN whose edges still serve a copy older
        // than the last commit miss their own write: counted tick by tick
        // (`evaluate_paths`). Such a share only falls until the next
        // commit, which is a full tick, so none at the start of a stretch
        // means none during it.
        let committed = self.commits.version_at(next_f);
        let stale_for_staff = self.paths.iter().any(|def| {
            let start = def.start as usize;
            def.class == INT
                && self.hops[start..start + def.len as usize]
                    .iter()
                    .any(|&(h, _)| {
                        matches!(&self.nodes[h as usize].model,
                        Model::Cdn(m) if m.cdn.share_older_than(committed, next_f) > 0.0)
                    })
        });
        if stale_for_staff {
            return;
        }
        let mut until = self.duration;
        if self.posted != self.committed {
            // An update not committed yet (its primary is down): the
            // operator's next attempt is computed in full.
            until = until.min(first_tick_from(self.retry_at));
        }
        let mut fixed_cost = 0.0;
        for (i, n) in self.nodes.iter().enumerate() {
            // Up or down, a node must stay as it was in this tick (a node
            // down with nothing queued answers its arrivals with errors,
            // tick after tick); the CDNs and sources must be up.
            let down_next = n.down_until > next_f;
            if down_next {
                if self.is_edge_node(i) || !n.seen.down {
                    return;
                }
                until = until.min(first_tick_from(n.down_until));
            } else if n.seen.down {
                return;
            }
            match &n.model {
                Model::Cdn(m) => {
                    if m.fast.last_origin_requests != 0.0 {
                        return;
                    }
                    continue;
                }
                Model::Source { class } if *class == EXT => continue,
                Model::Source { .. } => {}
                Model::Api(m) if m.scaler.booting() => return,
                _ => {}
            }
            // Everything else will repeat its outputs of this tick: its
            // arrivals repeat (by induction from the sources, the CDNs
            // sending nothing new), it stays up or down, and its state does
            // not move — but a replica's lag, which moves only the version
            // it serves (stepped every quiet tick, and the stretch ends
            // before that version changes).
            let computed = n.seen.reuse.is_some() || matches!(n.model, Model::Source { .. });
            let steady = match &n.model {
                Model::Replica(m) => {
                    m.queue.is_idle()
                        && m.primary
                            .is_none_or(|p| self.nodes[p].arr[super::plan::WRT] == 0.0)
                }
                _ => repeats(n, &self.nodes[..i]),
            };
            if !computed || !steady {
                return;
            }
            fixed_cost += n.runs.last_cost;
        }
        // Scheduled events end the stretch: the tick holding them is
        // computed in full.
        if let Some(&u) = self.scenario.updates_s.get(self.posted as usize) {
            until = until.min(first_tick_at(u));
        }
        if let Some(fe) = self.fault_events.get(self.next_fault) {
            until = until.min(first_tick_at(fe.at));
        }
        for win in &self.windows {
            for edge in [win.from, win.to] {
                let k = first_tick_from(edge);
                if k > t {
                    until = until.min(k);
                }
            }
        }
        let until = self.replica_versions_hold(t, until);
        if until > next {
            self.quiet.until = until;
            self.quiet.fixed_cost = fixed_cost;
        }
    }

    /// The first tick after `t` (and before `until`) at whose end a replica
    /// would serve another version than at the end of tick `t` (its lag
    /// shrinking, or a commit becoming visible through it), or `until`: the
    /// versions the reverse pass gives hold until then, so the stretch may
    /// skip it.
    fn replica_versions_hold(&self, t: u32, until: u32) -> u32 {
        let mut hold = until;
        let newest = self.commits.newest_time();
        for &i in &self.replicas {
            let Model::Replica(r) = &self.nodes[i].model else {
                continue;
            };
            let mut lag = r.lag;
            let v0 = self.commits.version_at(f64::from(t + 1) - lag.now());
            let mut k = t + 1;
            while k < hold {
                // As the forward pass steps it, without writes.
                lag.step(0.0, 0.0);
                let x = f64::from(k + 1) - lag.now();
                if self.commits.version_at(x) != v0 {
                    hold = k;
                    break;
                }
                if lag.excess == 0.0 && newest.is_none_or(|c| c <= x) {
                    break;
                }
                k += 1;
            }
        }
        hold
    }

    /// Steps the lag of every replica still catching up, as the forward
    /// pass does in a tick without writes (a quiet tick has none).
    pub(super) fn step_replica_lags(&mut self) {
        for ri in 0..self.replicas.len() {
            if let Model::Replica(r) = &mut self.nodes[self.replicas[ri]].model {
                if r.lag.excess > 0.0 {
                    r.lag.step(0.0, 0.0);
                }
            }
        }
    }

    /// Runs tick `t` as a quiet tick if it is one (true); otherwise leaves
    /// the CDN outcomes it stepped for the full computation (false).
    pub(super) fn try_quiet(&mut self, t: u32, ext: f64) -> bool {
        let a = self.spread_external(ext);
        let cdns = self.step_quiet_cdns(t);
        // An autoscaler that would act at the end of this minute: the tick
        // is computed in full (its fleet and bill change).
        if self.scaler_would_act(t) || !self.plain_with(cdns, t) {
            return false;
        }
        self.take_plain_tick(t, ext, a, cdns);
        self.write_plain_sample(t, ext);
        if self.series_point(t) {
            self.push_series(t);
        }
        true
    }

    /// Spreads a quiet tick's external demand `ext` over the external
    /// sources and from them over the CDNs (their only children); returns
    /// each source's share.
    pub(super) fn spread_external(&mut self, ext: f64) -> f64 {
        let a = ext / self.sources[EXT].len() as f64;
        for &s in &self.sources[EXT] {
            self.nodes[s].arr = [a, 0.0, 0.0];
        }
        for (&c, &share) in self.cdns.iter().zip(&self.quiet.cdn_share) {
            self.nodes[c].arr[EXT] = a * share;
        }
        a
    }

    /// Settles the run-length totals of the sources and CDNs, and the
    /// latency of the quiet paths, at the start of a stretch's sums.
    pub(super) fn start_quiet_sums(&mut self) {
        for i in 0..self.nodes.len() {
            if self.is_edge_node(i) {
                let n = &mut self.nodes[i];
                n.runs.settle(&mut n.acc, &n.tick);
            }
        }
        // Only the outcome slots without extra latency (hit, swr, sie).
        for qi in 0..self.quiet.paths.len() {
            let qp = self.quiet.paths[qi];
            let mut lat = PathLatency::new();
            for (node, slot) in [(qp.source, qp.route), (qp.cdn, qp.slot)] {
                let (m, d) = hop_latency(&self.nodes[node], EXT, slot);
                lat.add(m, d);
            }
            self.quiet.path_key[qi] = (lat.key(), lat.mean());
        }
    }

    /// Whether an autoscaler evaluates at the end of tick `t` and would
    /// change the fleet, counting the quiet ticks not yet recorded and
    /// this one.
    pub(super) fn scaler_would_act(&self, t: u32) -> bool {
        if !ends_minute(t) {
            return false;
        }
        self.nodes
            .iter()
            .enumerate()
            .any(|(i, n)| match (&n.model, n.seen.reuse) {
                (Model::Api(m), Some(r)) => {
                    let ticks = self.scaler_unrecorded(i) + 1;
                    m.scaler.evaluates_at(t) && m.scaler.would_act(t, ticks, r.util)
                }
                _ => false,
            })
    }

    /// Node `i`'s quiet ticks of the stretch that its autoscaler has not
    /// recorded yet.
    fn scaler_unrecorded(&self, i: usize) -> u32 {
        let recorded = self.quiet.scaler_recorded.get(i).copied().unwrap_or(0);
        self.quiet_ticks_of(i, self.quiet.ticks)
            .saturating_sub(recorded)
    }

    /// The autoscalers record the quiet ticks of the stretch they have not
    /// recorded yet (the rest of the stretch's sums wait for its flush).
    fn record_quiet_scalers(&mut self) {
        for i in 0..self.nodes.len() {
            let ticks = self.scaler_unrecorded(i);
            let n = &mut self.nodes[i];
            if let (Model::Api(m), Some(r)) = (&mut n.model, n.seen.reuse) {
                m.scaler.record(ticks, r.util);
                if let Some(k) = self.quiet.scaler_recorded.get_mut(i) {
                    *k += ticks;
                }
            }
        }
    }

    /// After quiet tick `t`: at the end of a minute, the autoscalers record
    /// the stretch so far and evaluate (deciding nothing, which
    /// [`Sim::scaler_would_act`] checked before the tick was taken as
    /// quiet).
    pub(super) fn end_quiet_minute(&mut self, t: u32) {
        if !ends_minute(t) {
            return;
        }
        let evaluates = self.nodes.iter().any(|n| match &n.model {
            Model::Api(m) => m.scaler.evaluates_at(t),
            _ => false,
        });
        if !evaluates {
            return;
        }
        self.record_quiet_scalers();
        let tf = f64::from(t);
        for n in &mut self.nodes {
            if let Model::Api(m) = &mut n.model {
                if let Some(ev) = m.scaler.evaluate(t) {
                    // Not expected; if it happens, say so and compute the
                    // next ticks in full.
                    super::scale_event(&mut self.events, tf + 1.0, &n.id, ev);
                    self.quiet.until = 0;
                }
            }
        }
    }

    /// Adds the quiet ticks summed so far to every total.
    pub(super) fn flush_quiet(&mut self) {
        self.flush_plain();
        let ticks = self.quiet.ticks;
        if ticks == 0 {
            return;
        }
        let k = f64::from(ticks);
        let at = f64::from(self.t);
        // Quiet nodes repeated their last outputs every tick (but those
        // of a replayed pulse, added then).
        for i in 0..self.nodes.len() {
            if self.is_edge_node(i) {
                continue;
            }
            let ticks_i = self.quiet_ticks_of(i, ticks);
            let k_i = f64::from(ticks_i);
            let unrecorded = self.scaler_unrecorded(i);
            let n = &mut self.nodes[i];
            n.runs.pending += k_i;
            if let Some(r) = n.seen.reuse {
                n.runs.repeat_latency(&r.lat_w, k_i);
                if let Model::Api(m) = &mut n.model {
                    m.scaler.record(unrecorded, r.util);
                }
            }
        }
        self.quiet.scaler_recorded.iter_mut().for_each(|k| *k = 0);
        self.quiet.pulses.count = 0;
        self.quiet
            .pulses
            .touched
            .iter_mut()
            .for_each(|x| *x = false);
        // Sources and CDNs: their sums; the last quiet tick is their tick.
        for i in 0..self.nodes.len() {
            if !self.is_edge_node(i) {
                continue;
            }
            let sums = std::mem::take(&mut self.quiet.node_sums[i]);
            let n = &mut self.nodes[i];
            let tick = self.sample.nodes[i].clone();
            n.acc.add_sums(&tick, sums, k);
            n.tick = tick;
            n.runs.last_cost = self.quiet.last_cost[i];
        }
        // Every answer was current (a quiet tick checks it): staleness 0.
        let posted = self.posted;
        for ci in 0..self.cdns.len() {
            let edge = std::mem::take(&mut self.quiet.edge[ci]);
            let fresh = std::mem::take(&mut self.quiet.fresh[ci]);
            let n = &mut self.nodes[self.cdns[ci]];
            deposit(
                &mut n.runs.slots[0],
                &mut n.sketch,
                &mut self.kinks,
                edge,
                LatKey::point(0.0),
            );
            n.acc
                .stale
                .add_version(posted, fresh, &self.scenario.updates_s, posted, at);
        }
        // Paths through the CDNs' edge answers.
        for qi in 0..self.quiet.paths.len() {
            let w = std::mem::take(&mut self.quiet.path_w[qi]);
            if w > 0.0 {
                let p = self.quiet.paths[qi].path;
                let key = self.quiet.path_key[qi].0;
                self.add_to_slot(p, EXT, w, key);
            }
        }
        // Other classes' paths repeated last tick's weights.
        let mut tallied_int = 0.0;
        for p in 0..self.paths.len() {
            let def = self.paths[p];
            let c = def.class;
            if c == EXT {
                continue;
            }
            let rate = self.nodes[def.source].arr[c];
            let Some((w, key, _)) = self.changes.paths[p] else {
                continue;
            };
            if !(rate > 0.0 && w > 0.0 && w.is_finite()) {
                continue;
            }
            let weight = k * rate * w;
            self.add_to_slot(p, c, weight, key);
            if c == INT {
                let start = def.start as usize;
                if let Some(&(last, _)) = self.hops[start..start + def.len as usize].last() {
                    self.nodes[last as usize].acc.stale.add_version(
                        posted,
                        weight,
                        &self.scenario.updates_s,
                        posted,
                        at,
                    );
                    tallied_int += weight;
                }
            }
        }
        let q = &mut self.quiet;
        let (offered, served, tallied) = (q.offered, q.served, q.tallied);
        q.offered = 0.0;
        q.served = 0.0;
        q.tallied = 0.0;
        q.ticks = 0;
        let rate_int = k * self.sample.internal_offered;
        let served_int = k * self.sample.internal_served;
        let at_primary = k * self.sample.external_reads_at_primary;
        for (wi, win) in self.windows.iter_mut().enumerate() {
            if self.active & (1 << wi) == 0 {
                continue;
            }
            win.acc[EXT].offered += offered;
            win.acc[EXT].served += served;
            win.acc[INT].offered += rate_int;
            win.acc[INT].served += served_int;
            win.at_primary += at_primary;
            for (c, w) in [(EXT, tallied), (INT, tallied_int)] {
                let a = &mut win.acc[c];
                a.stale.add_point(w, 0.0);
                a.stale_w += w;
            }
        }
    }

    /// Adds weight `w` of path `p`'s latency `key` (class `c`) to its
    /// run-length slot (`runlength::PathRuns::add`).
    fn add_to_slot(&mut self, p: usize, c: usize, w: f64, key: LatKey) {
        self.path_runs.add(
            p,
            c,
            w,
            key,
            false,
            true,
            &mut self.kinks,
            &mut self.windows,
            self.active,
        );
    }
}

/// Whether tick `t` ends an autoscaling minute (the only ticks at which an
/// autoscaler evaluates).
fn ends_minute(t: u32) -> bool {
    (t + 1) % super::autoscale::PERIOD_S == 0
}

/// The first tick `t` whose end is after `at` (`at < t + 1`).
pub(super) fn first_tick_at(at: f64) -> u32 {
    if at.is_nan() || at <= 0.0 {
        0
    } else if at >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        // Truncating a positive number is its floor.
        at as u32
    }
}

/// The first tick `t` with `t >= at`.
fn first_tick_from(at: f64) -> u32 {
    if at.is_nan() || at <= 0.0 {
        0
    } else if at >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        libm::ceil(at) as u32
    }
}
