//! Quiet ticks, summed: the cheapest ticks of a run.
//!
//! A quiet tick (`quiet.rs`) is *plain*: every CDN answers every reader
//! from the edge — fresh copies, stale ones served at once while a
//! revalidation completes from the shield, or stale copies while the origin
//! fails — and sends its origin nothing but a pulse replayed as recorded
//! (`pulse.rs`: its outputs go straight to the nodes behind the CDN).
//! What such a tick adds — the sources' and CDNs' totals and cost, the edge
//! answers, the path weights, the answers counted current — is linear in
//! its arrivals and in its CDN outcomes. So a plain tick only adds those to
//! per-CDN sums ([`PlainSums`]); they become totals once, when the sums are
//! flushed ([`Sim::flush_plain`]): before any tick that is not plain, and
//! whenever the quiet stretch itself is flushed (a series point reads the
//! sample, whose cost adds the sums' cost: nothing needs them flushed).
//! Only freshness, when some answers are stale or an update is on its way
//! to readers, is counted tick by tick (staleness grows with time:
//! [`Sim::add_plain_freshness`]). A CDN whose groups are all fresh all tick
//! with the current version is not even stepped: its reads are all hits,
//! counted from the summed arrivals at the flush. When every CDN is, and
//! no answer needs counting tick by tick, the tick is *bulk*: it adds only
//! its rate, and each CDN's arrivals are its share of the summed rate at
//! the flush; a run of such ticks up to a series point costs a demand draw
//! and a few additions a tick (`run_all_fresh`).
//!
//! Invariants:
//! - `step` (through `try_quiet`) and `run_to_end` (through
//!   [`Sim::run_plain_quiet`]) classify every tick the same way and flush at
//!   the same ticks, so they add the same numbers in the same order: their
//!   reports are bit-identical. Only the sample differs in when it is
//!   written (every tick by `step`, at series points and for the last tick
//!   by `run_to_end`), not in what it holds;
//! - the totals equal those of adding tick by tick up to rounding (sums are
//!   reassociated, and a per-tick ratio `a / e` is taken from the sums).

use super::cdn::CdnTick;
use super::cost::{prices, PriceBook};
use super::model::cdn::{cost as cdn_cost, extras as cdn_extras, fracs as cdn_fracs};
use super::plan::{CdnModel, Model, NodeRt, EXT, INT};
use super::report::NodeSample;
use super::Sim;

/// One CDN's outcome in a quiet tick, as [`Sim::step_quiet_cdns`] leaves it.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct QuietOut {
    /// Every group fresh all tick with the current version: every read a
    /// hit, and the groups not visited.
    pub fresh: bool,
    /// Otherwise, the outcome of stepping the CDN (also kept in its
    /// `pre`), and the total of the versions it tallied.
    pub o: CdnTick,
    pub total: f64,
}

/// What stepping the CDNs of a quiet tick found ([`Sim::step_quiet_cdns`]).
#[derive(Clone, Copy, Debug)]
pub(super) struct QuietCdns {
    /// Every reader was answered at the edge (no one waited for a fetch,
    /// missed or got an error).
    pub edge: bool,
    /// Some CDN sent its origin requests (a pulse, see `pulse.rs`).
    pub pulse: bool,
    /// Every answer carried the current version.
    pub current: bool,
}

/// What the plain ticks not yet flushed have summed for one CDN.
#[derive(Clone, Copy, Debug, Default)]
struct CdnSums {
    /// Σ external arrivals; Σ of those in ticks when it was all fresh, and
    /// of those in such ticks whose answers are counted current in bulk.
    e: f64,
    fresh_e: f64,
    tally_fresh_e: f64,
    /// Σ over the ticks it was stepped: hits, stale answers (while
    /// revalidating, on error) and answers counted current in bulk.
    hit: f64,
    swr: f64,
    sie: f64,
    tallied: f64,
    /// The last plain tick's arrivals and answers.
    last_e: f64,
    last: LastAnswers,
}

/// A CDN's answers in the last plain tick: all hits when it was passed as
/// fresh, else what stepping it gave (a plain tick has no others).
#[derive(Clone, Copy, Debug, Default)]
struct LastAnswers {
    fresh: bool,
    hit: f64,
    swr: f64,
    sie: f64,
}

/// What the plain ticks not yet flushed have summed.
#[derive(Clone, Debug, Default)]
pub(super) struct PlainSums {
    ticks: u32,
    /// Σ external rate, and Σ of each external source's share of it.
    ext: f64,
    per_source: f64,
    /// Σ of each external source's share in the bulk ticks (every CDN
    /// fresh with the current version, nothing counted tick by tick): not
    /// yet in any CDN's sums (see [`PlainSums::settle_bulk`]).
    bulk_a: f64,
    /// The last plain tick's share per external source, and the mean
    /// staleness of its answers.
    last_a: f64,
    last_staleness: f64,
    /// Per CDN (index into `Sim::cdns`).
    cdns: Vec<CdnSums>,
}

impl PlainSums {
    /// Empty sums for `cdns` CDNs.
    pub(super) fn new(cdns: usize) -> PlainSums {
        PlainSums {
            cdns: vec![CdnSums::default(); cdns],
            ..PlainSums::default()
        }
    }

    /// Adds the bulk ticks' arrivals to each CDN's sums: `cdn_share` (per
    /// CDN, `Quiet::cdn_share`) of their summed share. Both ways of running
    /// take the same ticks as bulk, so they add the same numbers.
    fn settle_bulk(&mut self, cdn_share: &[f64]) {
        let a = std::mem::take(&mut self.bulk_a);
        if a == 0.0 {
            return;
        }
        for (s, &share) in self.cdns.iter_mut().zip(cdn_share) {
            let e = share * a;
            s.e += e;
            s.fresh_e += e;
            s.tally_fresh_e += e;
        }
    }

    /// CDN `ci`'s summed arrivals with the bulk ticks' (`share`, its
    /// `Quiet::cdn_share`), as [`PlainSums::settle_bulk`] will add them.
    fn e_with_bulk(&self, ci: usize, share: f64) -> f64 {
        let e = self.cdns[ci].e;
        if self.bulk_a == 0.0 {
            e
        } else {
            e + share * self.bulk_a
        }
    }

    /// Empties the sums, keeping the last tick's values.
    fn clear(&mut self) {
        self.ticks = 0;
        self.ext = 0.0;
        self.per_source = 0.0;
        self.bulk_a = 0.0;
        for c in &mut self.cdns {
            *c = CdnSums {
                last_e: c.last_e,
                last: c.last,
                ..CdnSums::default()
            };
        }
    }
}

impl Sim {
    /// Steps the CDNs of quiet tick `t` not stepped yet (a CDN stepped by
    /// [`Sim::run_plain_quiet`] before it handed the tick over keeps its
    /// `pre`) into `quiet.outs`: one fresh all tick with the current
    /// version is passed without visiting its groups; the others are
    /// stepped, their outcome kept in `pre` too.
    pub(super) fn step_quiet_cdns(&mut self, t: u32) -> QuietCdns {
        let tf = f64::from(t);
        let posted = self.posted;
        let mut outs = std::mem::take(&mut self.quiet.outs);
        outs.clear();
        let mut edge = true;
        let mut pulse = false;
        let mut current = true;
        for &c in &self.cdns {
            let n = &mut self.nodes[c];
            let e = n.arr[EXT];
            let Model::Cdn(m) = &mut n.model else {
                outs.push(QuietOut::default());
                continue;
            };
            let out = match m.fast.pre {
                Some(o) => QuietOut {
                    fresh: false,
                    o,
                    total: m.fast.pre_tally.total(),
                },
                None if m.cdn.fresh_current(posted) && m.cdn.pass_fresh(tf) => QuietOut {
                    fresh: true,
                    ..QuietOut::default()
                },
                None => {
                    let o = m.step_pre(tf, e);
                    QuietOut {
                        fresh: false,
                        o,
                        total: m.fast.pre_tally.total(),
                    }
                }
            };
            if !out.fresh {
                edge &= out.o.answered_at_edge();
                pulse |= out.o.origin_requests > 0.0;
                current &= m.fast.pre_tally.entries().iter().all(|x| x.0 >= posted);
            }
            outs.push(out);
        }
        self.quiet.outs = outs;
        QuietCdns {
            edge,
            pulse,
            current,
        }
    }

    /// Whether quiet tick `t`, whose CDNs [`Sim::step_quiet_cdns`] stepped
    /// into `cdns`, is plain: every reader answered at the edge, and a
    /// fetch from an origin only if it repeats the recorded pulse (see
    /// `pulse.rs`; the CDNs passed as fresh are stepped for the
    /// comparison, which gives the same outcome).
    pub(super) fn plain_with(&mut self, cdns: QuietCdns, t: u32) -> bool {
        if !cdns.edge {
            return false;
        }
        if !cdns.pulse {
            return true;
        }
        let tf = f64::from(t);
        for ci in 0..self.cdns.len() {
            if !self.quiet.outs[ci].fresh {
                continue;
            }
            let n = &mut self.nodes[self.cdns[ci]];
            let e = n.arr[EXT];
            if let Model::Cdn(m) = &mut n.model {
                m.step_pre(tf, e);
            }
        }
        self.pulse_fits(t)
    }

    /// Whether a plain tick's freshness is counted tick by tick: some
    /// answers were stale (`current` false), or an update is on its way
    /// to readers.
    pub(super) fn plain_is_stale(&self, current: bool) -> bool {
        !current || !self.pending_reach.is_empty()
    }

    /// Counts the freshness of plain tick `t` whose answers are not all
    /// current (or an update is on its way): the versions each CDN served,
    /// per CDN and per window, and how far each update has reached, as a
    /// tick computed in full counts them. Returns the tick's mean
    /// staleness.
    pub(super) fn add_plain_freshness(&mut self, t: u32) -> f64 {
        let tf = f64::from(t);
        let mid = tf + 0.5;
        let posted = self.posted;
        self.tally.clear();
        for ci in 0..self.cdns.len() {
            let fresh = self.quiet.outs[ci].fresh;
            let n = &mut self.nodes[self.cdns[ci]];
            let e = n.arr[EXT];
            let Model::Cdn(m) = &mut n.model else {
                continue;
            };
            if fresh {
                // As `Cdn::step` tallies a CDN fresh all tick.
                m.fast.pre_tally.clear();
                m.cdn.tally_fresh(e, &mut m.fast.pre_tally);
            }
            for &(v, w) in m.fast.pre_tally.entries() {
                self.tally.add(v, w);
                n.acc
                    .stale
                    .add_version(v, w, &self.scenario.updates_s, posted, mid);
            }
        }
        let staleness = self.add_staleness(EXT, mid);
        self.update_reach(tf + 1.0);
        staleness
    }

    /// Adds plain tick `t` (external rate `ext`, `a` per external source,
    /// the CDN outcomes in `quiet.outs`) to the plain sums, its answers
    /// counted current in bulk unless `stale` (then
    /// [`Sim::add_plain_freshness`] counts them).
    pub(super) fn add_plain_tick(&mut self, ext: f64, a: f64, stale: bool) {
        if self.quiet.ticks == 0 {
            self.start_quiet_sums();
        }
        self.step_replica_lags();
        let bulk = !stale && self.quiet.outs.iter().all(|o| o.fresh);
        for ci in 0..self.cdns.len() {
            let n = &mut self.nodes[self.cdns[ci]];
            let e = n.arr[EXT];
            if let Model::Cdn(m) = &mut n.model {
                m.fast.pre = None;
            }
            let q = &mut self.quiet;
            let out = &q.outs[ci];
            let s = &mut q.plain.cdns[ci];
            if bulk {
                // Counted at the flush (`PlainSums::settle_bulk`).
            } else if out.fresh {
                s.e += e;
                s.fresh_e += e;
                if !stale {
                    s.tally_fresh_e += e;
                }
            } else {
                s.e += e;
                s.hit += out.o.hit;
                s.swr += out.o.swr;
                s.sie += out.o.sie;
                if !stale {
                    s.tallied += out.total;
                }
            }
            s.last_e = e;
            s.last = LastAnswers {
                fresh: out.fresh,
                hit: out.o.hit,
                swr: out.o.swr,
                sie: out.o.sie,
            };
        }
        let p = &mut self.quiet.plain;
        p.ticks += 1;
        p.ext += ext;
        p.per_source += a;
        if bulk {
            p.bulk_a += a;
        }
        p.last_a = a;
        self.quiet.ticks += 1;
        self.quiet.total += 1;
        if self.sample.external_reads_at_primary > 0.0 {
            self.at_primary_ticks += 1;
        }
    }

    /// Adds the plain sums to the quiet stretch's sums, as the ticks would
    /// have one by one.
    pub(super) fn flush_plain(&mut self) {
        let k = self.quiet.plain.ticks;
        if k == 0 {
            return;
        }
        let kf = f64::from(k);
        let book = prices();
        let page_kb = self.page_kb();
        let mut p = std::mem::take(&mut self.quiet.plain);
        p.settle_bulk(&self.quiet.cdn_share);
        for &s in &self.sources[EXT] {
            let sums = &mut self.quiet.node_sums[s];
            sums[0] += p.per_source;
            sums[1] += p.per_source;
            self.quiet.last_cost[s] = 0.0;
        }
        let mut cost_total = kf * self.quiet.fixed_cost;
        let mut tallied = 0.0;
        // Per CDN: Σ hits, swr, sie (the quiet paths' slots).
        for ci in 0..self.cdns.len() {
            let i = self.cdns[ci];
            let n = &self.nodes[i];
            let int = n.arr[INT];
            let Model::Cdn(m) = &n.model else {
                continue;
            };
            let s = &mut p.cdns[ci];
            s.hit += m.cdn.hits_of(s.fresh_e);
            let counted = m.cdn.hits_of(s.tally_fresh_e);
            if counted > 0.0 && counted.is_finite() {
                s.tallied += counted;
            }
            let (served, errors) = cdn_answers(n, s.e, kf * int);
            let requests = s.e + kf * int;
            let cost = cost_over(m, requests, kf, page_kb, book);
            self.quiet.last_cost[i] = tick_cost(m, s.last_e + int, page_kb, book);
            cost_total += cost;
            let sums = &mut self.quiet.node_sums[i];
            sums[0] += requests;
            sums[1] += served;
            sums[2] += errors;
            sums[3] += cost;
            self.quiet.edge[ci] += s.hit + s.swr + s.sie;
            self.quiet.fresh[ci] += s.tallied;
            tallied += s.tallied;
        }
        // Paths: a tick adds a · share · (slot / e) to each; a / e is the
        // same every tick (the sources split the rate evenly).
        let mut served = 0.0;
        for qi in 0..self.quiet.paths.len() {
            let qp = self.quiet.paths[qi];
            let s = &p.cdns[qp.ci];
            let slot = [s.hit, s.swr, s.sie][qp.slot];
            let share = self.nodes[qp.source].frac[EXT][qp.route];
            let weight = share * (p.per_source / s.e) * slot;
            if weight > 0.0 && weight.is_finite() {
                self.quiet.path_w[qi] += weight;
                served += weight;
            }
        }
        self.cost_total += cost_total;
        let q = &mut self.quiet;
        q.offered += p.ext;
        q.served += served;
        q.tallied += tallied;
        p.clear();
        self.quiet.plain = p;
    }

    /// The cost of the plain ticks not yet flushed.
    fn plain_cost(&self) -> f64 {
        let p = &self.quiet.plain;
        if p.ticks == 0 {
            return 0.0;
        }
        let kf = f64::from(p.ticks);
        let book = prices();
        let page_kb = self.page_kb();
        let mut cost = kf * self.quiet.fixed_cost;
        for ci in 0..p.cdns.len() {
            let n = &self.nodes[self.cdns[ci]];
            if let Model::Cdn(m) = &n.model {
                let e = p.e_with_bulk(ci, self.quiet.cdn_share[ci]);
                cost += cost_over(m, e + kf * n.arr[INT], kf, page_kb, book);
            }
        }
        cost
    }

    /// Takes plain tick `t` whose CDNs [`Sim::step_quiet_cdns`] stepped
    /// into `cdns` ([`Sim::plain_with`] said it is plain): its sums, its
    /// freshness tick by tick when it must be, and the recorded pulse
    /// replayed when the CDNs sent one.
    pub(super) fn take_plain_tick(&mut self, t: u32, ext: f64, a: f64, cdns: QuietCdns) {
        // The tick after a replayed pulse: the CDNs stepped with what they
        // knew of their origin after the pulse, which a plain tick reads
        // only to fetch what the pulse did; from now on they know the
        // quiet one.
        self.settle_origins();
        let stale = self.plain_is_stale(cdns.current);
        // Freshness first: `add_plain_tick` lets go of the CDNs' outcomes.
        let staleness = if stale {
            self.add_plain_freshness(t)
        } else {
            0.0
        };
        self.quiet.plain.last_staleness = staleness;
        self.add_plain_tick(ext, a, stale);
        if cdns.pulse {
            self.cost_total += self.apply_pulse();
        }
    }

    /// Writes the sample of the last plain tick `t` (at a series point,
    /// also its latency mixture), from the values the plain sums kept, and
    /// leaves the CDNs' outcome shares of that tick (the series reads them).
    pub(super) fn write_plain_sample(&mut self, t: u32, ext: f64) {
        for ci in 0..self.cdns.len() {
            let CdnSums {
                last_e: e, last, ..
            } = self.quiet.plain.cdns[ci];
            let n = &mut self.nodes[self.cdns[ci]];
            let Model::Cdn(m) = &mut n.model else {
                continue;
            };
            let mut o = CdnTick::default();
            if last.fresh {
                o.hit = m.cdn.hits_of(e);
            } else {
                (o.hit, o.swr, o.sie) = (last.hit, last.swr, last.sie);
            }
            let no_origin = n.routes[EXT].is_empty();
            cdn_fracs(&mut n.frac[EXT], &o, e, &n.routes[EXT], no_origin);
            m.extras = cdn_extras(&o);
        }
        let series_point = self.series_point(t);
        if series_point {
            self.tick_mix.clear();
        }
        let a = self.quiet.plain.last_a;
        let (mut served, mut mean_num) = (0.0, 0.0);
        for qi in 0..self.quiet.paths.len() {
            let qp = self.quiet.paths[qi];
            let w =
                self.nodes[qp.source].frac[EXT][qp.route] * self.nodes[qp.cdn].frac[EXT][qp.slot];
            let weight = a * w;
            if weight > 0.0 && weight.is_finite() {
                let (key, mean) = self.quiet.path_key[qi];
                served += weight;
                mean_num += weight * mean;
                if series_point {
                    self.tick_mix.push((w, key));
                }
            }
        }
        for &s in &self.sources[EXT] {
            self.sample.nodes[s] = NodeSample {
                offered: a,
                served: a,
                ..NodeSample::default()
            };
        }
        for ci in 0..self.cdns.len() {
            let n = &self.nodes[self.cdns[ci]];
            let (e, int) = (self.quiet.plain.cdns[ci].last_e, n.arr[INT]);
            let (served, errors) = cdn_answers(n, e, int);
            self.sample.nodes[self.cdns[ci]] = NodeSample {
                offered: e + int,
                served,
                errors,
                ..NodeSample::default()
            };
        }
        let cost_usd = self.cost_total + self.plain_cost();
        let s = &mut self.sample;
        s.t = t;
        s.offered = ext;
        s.served = served;
        let missing = ext - served;
        s.errors = if missing > 1e-9 * ext { missing } else { 0.0 };
        s.mean_ms = if served > 0.0 {
            1e3 * mean_num / served
        } else {
            0.0
        };
        s.writes = 0.0;
        s.cost_usd = cost_usd;
        s.staleness_s = self.quiet.plain.last_staleness;
    }

    /// Runs quiet ticks for [`Sim::run_to_end`] while they are plain,
    /// writing the sample only at series points and for the last tick run
    /// (stepping would leave that one). Stops at the end of the stretch,
    /// before tick `stop`, or before a tick that is not plain; a tick found
    /// not plain after its demand was drawn and its CDNs stepped is handed
    /// to [`Sim::step`] as it is (`pending_ext`, `CdnModel::pre`).
    pub(super) fn run_plain_quiet(&mut self, stop: u32) {
        if !self.shortcuts || self.pending_ext.is_some() || self.sources[EXT].is_empty() {
            return;
        }
        let mut last = None;
        let stop = stop.min(self.quiet.until).min(self.duration);
        while self.t < stop {
            // As `step` does at the start of a tick.
            self.restore_pulse_sample();
            if let Some(ext) = self.run_all_fresh(stop) {
                self.end_plain_tick(self.t - 1, ext, &mut last);
                continue;
            }
            let t = self.t;
            if self.scaler_would_act(t) {
                break;
            }
            // Demand, as `step` draws it.
            let ext = self.draw_demand(f64::from(t) + 0.5);
            let a = self.spread_external(ext);
            let cdns = self.step_quiet_cdns(t);
            if !self.plain_with(cdns, t) {
                self.pending_ext = Some(ext);
                break;
            }
            self.take_plain_tick(t, ext, a, cdns);
            self.t += 1;
            self.end_plain_tick(t, ext, &mut last);
        }
        if let Some((t, ext)) = last {
            self.write_plain_sample(t, ext);
        }
        if self.is_done() {
            self.flush_quiet();
        }
    }

    /// Ends plain tick `t` (external rate `ext`) of [`Sim::run_plain_quiet`]:
    /// at a series point, its sample and the series' point, else it is
    /// remembered as the `last`; then the end of a minute.
    fn end_plain_tick(&mut self, t: u32, ext: f64, last: &mut Option<(u32, f64)>) {
        if self.series_point(t) {
            self.write_plain_sample(t, ext);
            self.push_series(t);
            *last = None;
        } else {
            *last = Some((t, ext));
        }
        self.end_quiet_minute(t);
    }

    /// Runs bulk ticks from `self.t` for [`Sim::run_plain_quiet`], before
    /// tick `stop`, while every CDN stays fresh all tick and nothing but
    /// the demand changes: up to the next series point or end of an
    /// autoscaling minute (which it runs unless an autoscaler would act
    /// then; the caller ends it), while no replica catches up.
    /// Each adds to the plain sums exactly what [`Sim::add_plain_tick`]
    /// would (the same arithmetic, in the same order) without visiting the
    /// CDNs or the nodes; the state the last one leaves is set at the end.
    /// Returns the last tick's external rate, or `None` when no tick was
    /// run (the next one is left to the general loop).
    fn run_all_fresh(&mut self, stop: u32) -> Option<f64> {
        let t0 = self.t;
        if !self.quiet.spreads || !self.pending_reach.is_empty() {
            return None;
        }
        let mut fresh_until = f64::INFINITY;
        for &c in &self.cdns {
            match &self.nodes[c].model {
                Model::Cdn(m) if m.fast.pre.is_none() && m.cdn.fresh_current(self.posted) => {
                    fresh_until = fresh_until.min(m.cdn.fresh_until());
                }
                _ => return None,
            }
        }
        if f64::from(t0) + 1.0 > fresh_until {
            return None;
        }
        let catching_up = self.replicas.iter().any(|&i| match &self.nodes[i].model {
            Model::Replica(r) => r.lag.excess > 0.0,
            _ => false,
        });
        if catching_up {
            return None;
        }
        // Up to the next series point, and the end of the minute unless an
        // autoscaler would act then (checked again when the loop gets
        // there, as the general loop does).
        let minute_end = next_period_end(t0, super::autoscale::PERIOD_S);
        let end = stop
            .min(next_period_end(t0, self.scenario.series_every_s).saturating_add(1))
            .min(minute_end.saturating_add(1));
        if end <= t0 || (minute_end == t0 && self.scaler_would_act(t0)) {
            return None;
        }
        // As `take_plain_tick` and `add_plain_tick` start a tick (neither
        // reads what the CDNs, all fresh, were not asked for).
        self.settle_origins();
        if self.quiet.ticks == 0 {
            self.start_quiet_sums();
        }
        let sources = self.sources[EXT].len() as f64;
        let one_source = self.sources[EXT].len() == 1;
        let at_primary = self.sample.external_reads_at_primary > 0.0;
        // The sums in locals while the loop runs (the same additions in the
        // same order; the demand draws cannot touch them, and kept in
        // registers they do not wait on each other through memory).
        let p = &self.quiet.plain;
        let (mut ticks, mut sum_ext, mut sum_a, mut bulk_a) =
            (p.ticks, p.ext, p.per_source, p.bulk_a);
        let mut quiet_ticks = self.quiet.ticks;
        let mut t = t0;
        let mut last = None;
        while t < end && f64::from(t) + 1.0 <= fresh_until {
            if t == minute_end && t > t0 {
                self.quiet.ticks = quiet_ticks;
                if self.scaler_would_act(t) {
                    break;
                }
            }
            let ext = self.draw_demand(f64::from(t) + 0.5);
            // As `spread_external` shares it out (no division for one
            // source: x / 1 is x).
            let a = if one_source { ext } else { ext / sources };
            ticks += 1;
            sum_ext += ext;
            sum_a += a;
            bulk_a += a;
            quiet_ticks += 1;
            last = Some(ext);
            t += 1;
        }
        let p = &mut self.quiet.plain;
        (p.ticks, p.ext, p.per_source, p.bulk_a) = (ticks, sum_ext, sum_a, bulk_a);
        self.quiet.ticks = quiet_ticks;
        let ext = last?;
        let ran = t - t0;
        self.quiet.total += ran;
        self.counts.bulk_ticks += u64::from(ran);
        if at_primary {
            self.at_primary_ticks += ran;
        }
        self.t = t;
        let a = self.spread_external(ext);
        let last_tick = f64::from(t - 1);
        for ci in 0..self.cdns.len() {
            let n = &mut self.nodes[self.cdns[ci]];
            let e = n.arr[EXT];
            if let Model::Cdn(m) = &mut n.model {
                m.cdn.pass_fresh(last_tick);
            }
            let s = &mut self.quiet.plain.cdns[ci];
            s.last_e = e;
            s.last = LastAnswers {
                fresh: true,
                ..LastAnswers::default()
            };
        }
        self.quiet.plain.last_a = a;
        self.quiet.plain.last_staleness = 0.0;
        Some(ext)
    }
}

/// The first tick `t ≥ from` that ends a period of `period` seconds
/// (`(t + 1) % period == 0`).
fn next_period_end(from: u32, period: u32) -> u32 {
    let period = period.max(1);
    let k = from / period;
    let end = k * period + (period - 1);
    if end >= from {
        end
    } else {
        end.saturating_add(period)
    }
}

/// A CDN's cost over `ticks` quiet ticks that took `requests` requests in
/// all: a Pro plan bills by the tick, the others by request (as
/// [`tick_cost`] counts each tick).
fn cost_over(m: &CdnModel, requests: f64, ticks: f64, page_kb: f64, book: &PriceBook) -> f64 {
    if m.cdn.cfg.pro {
        ticks * tick_cost(m, 0.0, page_kb, book)
    } else {
        tick_cost(m, requests, page_kb, book)
    }
}

/// A CDN node's answered and failed requests out of `e` external and `int`
/// internal ones in a quiet tick (or summed over several): it answers its
/// internal readers only when it has an internal route.
fn cdn_answers(n: &NodeRt, e: f64, int: f64) -> (f64, f64) {
    if n.routes[INT].is_empty() {
        (e, int)
    } else {
        (e + int, 0.0)
    }
}

/// A CDN's cost for one tick of `requests` requests, as a quiet tick counts
/// it (never negative or infinite).
fn tick_cost(m: &CdnModel, requests: f64, page_kb: f64, book: &PriceBook) -> f64 {
    let cost = cdn_cost(m, requests, page_kb, book);
    if cost.is_finite() {
        cost.max(0.0)
    } else {
        0.0
    }
}
