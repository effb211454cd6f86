//! The CDN: one state machine per PoP group (version held, expiry, fetch in
//! flight), plus an optional origin shield.
//!
//! Fluid rules, per PoP with Poisson arrivals at λ_p (`docs/model.md`, "CDN"):
//! - a copy is fresh for `ttl_s` after its fetch completes; the first
//!   request after expiry arrives 1/λ_p later (so one miss per TTL cycle of
//!   T + 1/λ_p: hit ratio λT/(1 + λT), as the closed form);
//! - that request goes to the origin; with request collapsing the readers
//!   who arrive while it is in flight wait for it, without collapsing each
//!   of them goes to the origin too;
//! - stale-while-revalidate: within `swr_s` past expiry readers get the old
//!   copy at once and one background fetch refreshes it;
//! - stale-if-error: when a fetch fails (the origin errs or is slower than
//!   the timeout) the readers who waited for it get the old copy after the
//!   timeout, and for the rest of the `sie_s` window readers get the old
//!   copy at once while the PoP retries in the background every
//!   [`ERROR_RETRY_S`];
//! - purge on update drops every copy at once (a synchronised burst of
//!   misses, absorbed by the shield when there is one);
//! - the shield is one more cache between the PoPs and the origin: the
//!   origin sees one fetch per shield expiry.

use crate::latency::Moments;

use super::versions::Tally;

mod steady;
use steady::Steady;

/// How often a PoP serving stale-if-error retries the origin, seconds.
pub(crate) const ERROR_RETRY_S: f64 = 10.0;

/// A CDN node's settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct CdnCfg {
    pub ttl: f64,
    pub purge: bool,
    pub swr: f64,
    pub sie: f64,
    pub collapse: bool,
    pub shield: bool,
    /// Edge-to-origin network time.
    pub origin_net: Moments,
    pub timeout: f64,
    pub pro: bool,
}

/// What the CDN knows about its origin (from the previous tick).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Origin {
    /// Share of origin requests that fail.
    pub err: f64,
    /// Mean time of an origin fetch, network included, seconds.
    pub resp_s: f64,
    /// The version the origin serves.
    pub version: u32,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Fetch {
    done: f64,
    ok: bool,
    version: u32,
    background: bool,
}

/// One group of PoPs that share a state.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Group {
    pops: f64,
    share: f64,
    version: u32,
    has_copy: bool,
    fresh_until: f64,
    /// Since when the group has needed a fetch (its copy expired, was
    /// purged or a fetch failed).
    wait_from: f64,
    fetch: Option<Fetch>,
    error_mode: bool,
    retry_at: f64,
}

#[derive(Clone, Debug, PartialEq)]
struct Shield {
    version: u32,
    has_copy: bool,
    fresh_until: f64,
    fetch: Option<Fetch>,
}

/// Per-tick outcome of a CDN's external reads (requests).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct CdnTick {
    /// Fresh copies.
    pub hit: f64,
    /// Stale copies while revalidating.
    pub swr: f64,
    /// Stale copies served at once while the origin is failing.
    pub sie: f64,
    /// Waited for a collapsed fetch that succeeded.
    pub wait_ok: f64,
    /// Waited for a fetch that failed, then got a stale copy.
    pub wait_stale: f64,
    /// Went to the origin themselves.
    pub miss: f64,
    /// Waited for a fetch that failed and had no copy to fall back on.
    pub errors: f64,
    /// Requests the CDN sent to its origin (readers' misses and fetches).
    pub origin_requests: f64,
    /// Wait moments: Σn, Σn·mean, Σn·(var + mean²) for `wait_ok`.
    wait_ok_m: [f64; 3],
    wait_stale_m: [f64; 3],
}

impl CdnTick {
    /// True when every reader was answered at once from the edge: no one
    /// waited for a fetch, missed or got an error (the CDN may still have
    /// sent fetches of its own to its origin).
    pub(crate) fn answered_at_edge(&self) -> bool {
        self.wait_ok == 0.0 && self.wait_stale == 0.0 && self.miss == 0.0 && self.errors == 0.0
    }

    /// Moments of the wait of readers who waited for a good fetch.
    pub(crate) fn wait_ok_moments(&self) -> Moments {
        moments_of(&self.wait_ok_m)
    }

    /// Moments of the wait of readers who waited for a failed fetch.
    pub(crate) fn wait_stale_moments(&self) -> Moments {
        moments_of(&self.wait_stale_m)
    }
}

fn moments_of(s: &[f64; 3]) -> Moments {
    if s[0] > 0.0 {
        let mean = s[1] / s[0];
        Moments::new(mean, s[2] / s[0] - mean * mean)
    } else {
        Moments::ZERO
    }
}

fn add_wait(s: &mut [f64; 3], n: f64, a: f64, b: f64, done: f64) {
    if n <= 0.0 {
        return;
    }
    let mean = (done - 0.5 * (a + b)).max(0.0);
    let var = (b - a) * (b - a) / 12.0;
    s[0] += n;
    s[1] += n * mean;
    s[2] += n * (var + mean * mean);
}

/// A CDN's state: its PoP groups and shield.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Cdn {
    pub cfg: CdnCfg,
    groups: Vec<Group>,
    shield: Shield,
    /// End of the last tick stepped: a purge cannot act before it.
    clock: f64,
    /// Fast path: the steady state (see `steady.rs`).
    pub(crate) steady: Steady,
    /// Σ of the groups' shares, in their order (the one entry of the mix
    /// when every group is fresh with one version).
    share_total: f64,
}

impl Cdn {
    /// A warm CDN: every group holds version 0, with expiry phases spread
    /// by `phases` (values in [0, 1)).
    pub(crate) fn new(cfg: CdnCfg, groups: &[(u32, f64)], phases: &[f64]) -> Self {
        let groups = groups
            .iter()
            .enumerate()
            .map(|(i, &(pops, share))| {
                let phase = phases.get(i).copied().unwrap_or(0.5);
                Group {
                    pops: f64::from(pops.max(1)),
                    share,
                    version: 0,
                    has_copy: true,
                    fresh_until: cfg.ttl * phase,
                    wait_from: cfg.ttl * phase,
                    fetch: None,
                    error_mode: false,
                    retry_at: 0.0,
                }
            })
            .collect::<Vec<Group>>();
        let mut share_total = 0.0;
        for g in &groups {
            share_total += g.share;
        }
        Cdn {
            cfg,
            groups,
            shield: Shield {
                version: 0,
                has_copy: true,
                fresh_until: cfg.ttl * 0.5,
                fetch: None,
            },
            clock: 0.0,
            steady: Steady::new(),
            share_total,
        }
    }

    /// Takes the steady and fresh-group paths (`true`, the default) or
    /// visits every group every tick by the full rules (the reference).
    pub(crate) fn set_shortcuts(&mut self, on: bool) {
        self.steady.on = on;
        self.steady.forget();
    }

    /// Makes the steady state claim every group fresh with version 0 for
    /// ever (for tests: the reference never reads it).
    #[cfg(test)]
    pub(crate) fn corrupt_steady_state(&mut self) {
        self.steady.until = f64::INFINITY;
        self.steady.mix = vec![(0, false, self.share_total)];
    }

    /// Drops every copy at time `at` (purge on update); if the tick holding
    /// `at` has already been stepped, from its end.
    pub(crate) fn purge(&mut self, at: f64) {
        let at = at.max(self.clock);
        self.steady.forget();
        for g in &mut self.groups {
            g.has_copy = false;
            g.fetch = None;
            g.error_mode = false;
            g.wait_from = at;
        }
        self.shield.has_copy = false;
        self.shield.fetch = None;
    }

    /// The oldest version any PoP holds.
    pub(crate) fn oldest_version(&self) -> u32 {
        self.groups.iter().map(|g| g.version).min().unwrap_or(0)
    }

    /// The share of reads at time `t` that the edges answer from a copy
    /// older than `version`: groups, weighted by their share of readers,
    /// whose copy is older and still served (within its TTL, or past it
    /// with stale-while-revalidate or stale-if-error). A group without a
    /// copy, or with an expired one it must refetch, answers from its
    /// origin instead. Staff tools that read through a CDN see this.
    pub(crate) fn share_older_than(&self, version: u32, t: f64) -> f64 {
        let mut older = 0.0;
        for g in &self.groups {
            let served = t < g.fresh_until || self.cfg.swr > 0.0 || g.error_mode;
            if g.has_copy && g.version < version && served {
                older += g.share;
            }
        }
        if self.share_total > 0.0 {
            (older / self.share_total).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// Advances one tick [t, t + 1) if every group answers from its copy
    /// all tick (true; see [`Cdn::fresh_current`] for when they are all
    /// hits); otherwise changes nothing (false). A fast path.
    pub(crate) fn pass_fresh(&mut self, t: f64) -> bool {
        if !self.fresh_through(t + 1.0) {
            return false;
        }
        self.clock = t + 1.0;
        true
    }

    /// Whether, while [`Cdn::pass_fresh`] passes ticks, every group is
    /// fresh with version `posted` or newer: every read a current hit.
    pub(crate) fn fresh_current(&self, posted: u32) -> bool {
        self.steady.fresh_current(posted)
    }

    /// Counts in `tally` the hits of `lambda` reads while every group is
    /// fresh, by version, as [`Cdn::step`] does.
    pub(crate) fn tally_fresh(&self, lambda: f64, tally: &mut Tally) {
        self.steady.tally(lambda, tally);
    }

    /// The hits of `lambda` reads while every group is fresh with one
    /// version, as [`Cdn::step`] counts them then (whatever the groups
    /// hold now: plain ticks add them up later).
    pub(crate) fn hits_of(&self, lambda: f64) -> f64 {
        lambda * self.share_total
    }

    /// Whether [`Cdn::pass_fresh`] passes a tick that ends at `end`.
    pub(crate) fn fresh_through(&self, end: f64) -> bool {
        end <= self.fresh_until()
    }

    /// The latest end of a tick [`Cdn::pass_fresh`] passes, until the CDN
    /// is stepped or purged (−∞ when it passes none).
    pub(crate) fn fresh_until(&self) -> f64 {
        if self.cfg.ttl > 0.0 {
            self.steady.until
        } else {
            f64::NEG_INFINITY
        }
    }

    /// Advances one tick [t, t + 1) with `lambda` external reads.
    pub(crate) fn step(
        &mut self,
        t: f64,
        lambda: f64,
        origin: &Origin,
        tally: &mut Tally,
    ) -> CdnTick {
        let mut out = CdnTick::default();
        let cfg = self.cfg;
        self.clock = t + 1.0;
        if cfg.ttl <= 0.0 {
            // Nothing is cached: every request goes to the origin.
            out.miss = lambda;
            out.origin_requests = lambda;
            return out;
        }
        // Fast path: every group answers from its copy all tick.
        if self.steady.on && self.fresh_through(t + 1.0) {
            self.steady.answer(lambda, tally, &mut out);
            self.steady.ticks += 1;
            return out;
        }
        let fresh_path = self.steady.on;
        let mut fresh_groups = 0;
        let ok = origin.err < 0.5 && origin.resp_s < cfg.timeout;
        let end = t + 1.0;
        // The hits of groups fresh all tick, summed while they hold one
        // version and tallied when it changes (one tally addition for
        // them, not one each: each would wait on the last through memory).
        let mut fresh_hits: (u32, f64) = (0, 0.0);
        for gi in 0..self.groups.len() {
            let g = &mut self.groups[gi];
            let lg = lambda * g.share;
            // Fast path: fresh all tick.
            if fresh_path && g.fetch.is_none() && g.has_copy && g.fresh_until >= end {
                fresh_groups += 1;
                out.hit += lg;
                if g.version != fresh_hits.0 {
                    tally.add(fresh_hits.0, fresh_hits.1);
                    fresh_hits = (g.version, 0.0);
                }
                fresh_hits.1 += lg;
                continue;
            }
            let gap = if lg > 0.0 { g.pops / lg } else { f64::INFINITY };
            let mut tau = t;
            for _ in 0..64 {
                if tau >= end {
                    break;
                }
                if let Some(f) = g.fetch {
                    let seg_end = end.min(f.done);
                    let n = lg * (seg_end - tau);
                    if f.background {
                        if g.error_mode {
                            out.sie += n;
                        } else {
                            out.swr += n;
                        }
                        tally.add(g.version, n);
                    } else if cfg.collapse {
                        if f.ok {
                            out.wait_ok += n;
                            add_wait(&mut out.wait_ok_m, n, tau, seg_end, f.done);
                            tally.add(f.version, n);
                        } else if g.has_copy && cfg.sie > 0.0 && f.done <= g.fresh_until + cfg.sie {
                            out.wait_stale += n;
                            add_wait(&mut out.wait_stale_m, n, tau, seg_end, f.done);
                            tally.add(g.version, n);
                        } else {
                            out.errors += n;
                        }
                    } else {
                        out.miss += n;
                        out.origin_requests += n;
                    }
                    tau = seg_end;
                    if f.done <= end {
                        g.fetch = None;
                        if f.ok {
                            g.version = g.version.max(f.version);
                            g.has_copy = true;
                            g.fresh_until = f.done + cfg.ttl;
                            g.wait_from = g.fresh_until;
                            g.error_mode = false;
                        } else if g.has_copy && cfg.sie > 0.0 && f.done <= g.fresh_until + cfg.sie {
                            g.error_mode = true;
                            g.retry_at = f.done + ERROR_RETRY_S;
                        } else {
                            g.error_mode = false;
                            g.wait_from = f.done;
                        }
                    }
                    continue;
                }
                if g.has_copy && tau < g.fresh_until {
                    let seg_end = end.min(g.fresh_until);
                    let n = lg * (seg_end - tau);
                    out.hit += n;
                    tally.add(g.version, n);
                    tau = seg_end;
                    if tau >= g.fresh_until {
                        g.wait_from = g.fresh_until;
                    }
                    continue;
                }
                // Expired, purged or failed: serve stale if allowed.
                let stale_swr = g.has_copy && cfg.swr > 0.0 && tau <= g.fresh_until + cfg.swr;
                let stale_sie =
                    g.has_copy && g.error_mode && cfg.sie > 0.0 && tau <= g.fresh_until + cfg.sie;
                if stale_sie {
                    let seg_end = end.min(g.retry_at.max(tau));
                    let n = lg * (seg_end - tau);
                    out.sie += n;
                    tally.add(g.version, n);
                    tau = seg_end;
                    if tau < end {
                        let f = fetch(&mut self.shield, &cfg, origin, ok, tau, g.version, &mut out);
                        g.fetch = Some(Fetch {
                            background: true,
                            ..f
                        });
                        out.origin_requests += if cfg.shield { 0.0 } else { g.pops };
                    }
                    continue;
                }
                g.error_mode = false;
                // The first request after `wait_from` arrives one gap later:
                // the requests until then are the triggering ones.
                let start = (g.wait_from + gap).max(tau);
                let seg_end = end.min(start);
                let n = lg * (seg_end - tau);
                if stale_swr {
                    out.swr += n;
                    tally.add(g.version, n);
                } else {
                    out.miss += n;
                    if !cfg.shield {
                        out.origin_requests += n;
                    }
                }
                tau = seg_end;
                if start < end {
                    let f = fetch(
                        &mut self.shield,
                        &cfg,
                        origin,
                        ok,
                        start,
                        g.version,
                        &mut out,
                    );
                    if stale_swr {
                        out.origin_requests += if cfg.shield { 0.0 } else { g.pops };
                    }
                    g.fetch = Some(Fetch {
                        background: stale_swr,
                        ..f
                    });
                }
            }
        }
        tally.add(fresh_hits.0, fresh_hits.1);
        self.steady.fresh_groups += fresh_groups;
        if self.steady.on {
            self.steady
                .note(&self.groups, &self.cfg, self.clock, self.share_total);
        }
        out
    }
}

/// Starts a PoP's fetch at `at`: from the shield when there is one (which
/// itself fetches from the origin when stale), else from the origin.
fn fetch(
    shield: &mut Shield,
    cfg: &CdnCfg,
    origin: &Origin,
    ok: bool,
    at: f64,
    held: u32,
    out: &mut CdnTick,
) -> Fetch {
    let net = cfg.origin_net.mean;
    let resp = if ok { origin.resp_s } else { cfg.timeout };
    if !cfg.shield {
        return Fetch {
            done: at + resp,
            ok,
            version: if ok { origin.version } else { held },
            background: false,
        };
    }
    if let Some(f) = shield.fetch {
        if f.done <= at {
            shield.fetch = None;
            if f.ok {
                shield.version = shield.version.max(f.version);
                shield.has_copy = true;
                shield.fresh_until = f.done + cfg.ttl;
            }
        }
    }
    if shield.has_copy && at < shield.fresh_until {
        return Fetch {
            done: at + net,
            ok: true,
            version: shield.version,
            background: false,
        };
    }
    if let Some(f) = shield.fetch {
        return Fetch {
            done: f.done.max(at + net),
            ..f
        };
    }
    out.origin_requests += 1.0;
    let f = Fetch {
        done: at + net + resp,
        ok,
        version: if ok { origin.version } else { held },
        background: false,
    };
    shield.fetch = Some(f);
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queueing::ttl_hit_ratio;

    fn cfg(ttl: f64) -> CdnCfg {
        CdnCfg {
            ttl,
            purge: false,
            swr: 0.0,
            sie: 0.0,
            collapse: true,
            shield: false,
            origin_net: Moments::constant(0.0),
            timeout: 3.0,
            pro: false,
        }
    }

    const ORIGIN: Origin = Origin {
        err: 0.0,
        resp_s: 0.0,
        version: 0,
    };

    #[test]
    fn hit_ratio_matches_the_ttl_closed_form() {
        // One PoP, λ = 10/s, T = 60 s: hit ratio λT/(1 + λT) = 0.99834.
        let mut c = Cdn::new(cfg(60.0), &[(1, 1.0)], &[0.3]);
        let mut tally = Tally::new();
        let mut hits = 0.0;
        let mut total = 0.0;
        for t in 0..60_100 {
            tally.clear();
            let o = c.step(f64::from(t), 10.0, &ORIGIN, &mut tally);
            if t >= 100 {
                hits += o.hit + o.wait_ok;
                total += o.hit + o.wait_ok + o.miss + o.swr;
                assert!((o.hit + o.wait_ok + o.miss - 10.0).abs() < 1e-9);
            }
        }
        let expected = ttl_hit_ratio(10.0, 60.0);
        let got = hits / total;
        assert!((got / expected - 1.0).abs() < 1e-3, "{got} vs {expected}");
    }

    /// Steps `c` visiting every group (as if it were never steady).
    fn step_visiting(
        c: &mut Cdn,
        t: f64,
        lambda: f64,
        origin: &Origin,
        tally: &mut Tally,
    ) -> CdnTick {
        c.steady.forget();
        c.step(t, lambda, origin, tally)
    }

    #[test]
    fn steady_ticks_step_as_visiting_every_group() {
        // Eight groups (TTL 30 s, stale-while-revalidate, stale-if-error,
        // shield): an hour with a new version every ten minutes and the
        // origin failing from minute 20 to 27. Passing steady ticks without
        // visiting the groups gives what visiting them gives.
        let mut cfg = cfg(30.0);
        cfg.swr = 60.0;
        cfg.sie = 3600.0;
        cfg.shield = true;
        cfg.origin_net = Moments::constant(0.02);
        let groups: Vec<(u32, f64)> = (0..8)
            .map(|i| (5, [0.3, 0.2, 0.15, 0.1, 0.1, 0.05, 0.05, 0.05][i]))
            .collect();
        let phases: Vec<f64> = (0..8).map(|i| f64::from(i) / 8.0).collect();
        let mut fast = Cdn::new(cfg, &groups, &phases);
        let mut slow = fast.clone();
        let (mut steady, mut steady_sie) = (0, 0);
        for t in 0..3600 {
            let failing = (1200..1620).contains(&t);
            let origin = Origin {
                err: if failing { 1.0 } else { 0.0 },
                resp_s: 0.05,
                version: t / 600,
            };
            let tf = f64::from(t);
            let lambda = 1000.0 + f64::from(t % 7) * 10.0;
            let was_steady = fast.fresh_through(tf + 1.0);
            let (mut a, mut b) = (Tally::new(), Tally::new());
            let x = fast.step(tf, lambda, &origin, &mut a);
            let y = step_visiting(&mut slow, tf, lambda, &origin, &mut b);
            let close = |p: f64, q: f64| (p - q).abs() <= 1e-9 * p.abs().max(q.abs()) + 1e-12;
            for (p, q, what) in [
                (x.hit, y.hit, "hit"),
                (x.swr, y.swr, "swr"),
                (x.sie, y.sie, "sie"),
                (x.wait_ok, y.wait_ok, "wait ok"),
                (x.wait_stale, y.wait_stale, "wait stale"),
                (x.miss, y.miss, "miss"),
                (x.errors, y.errors, "errors"),
                (x.origin_requests, y.origin_requests, "origin requests"),
            ] {
                assert!(close(p, q), "tick {t}: {what} {p} vs {q}");
            }
            let (ea, eb) = (a.entries(), b.entries());
            let mut ea = ea.to_vec();
            let mut eb = eb.to_vec();
            ea.sort_by_key(|e| e.0);
            eb.sort_by_key(|e| e.0);
            assert_eq!(ea.len(), eb.len(), "tick {t}: {ea:?} vs {eb:?}");
            for (p, q) in ea.iter().zip(&eb) {
                assert!(p.0 == q.0 && close(p.1, q.1), "tick {t}: {ea:?} vs {eb:?}");
            }
            if was_steady {
                steady += 1;
                if x.sie > 0.0 {
                    steady_sie += 1;
                }
            }
        }
        // Both kinds of steady tick were taken: hits only, and stale-if-error
        // copies (between retries that take the 3 s timeout each: 34 ticks).
        assert!(steady > 1500, "{steady}");
        assert!(steady_sie > 20, "{steady_sie}");
    }

    /// The example of a model change made the same wrong way in
    /// both paths: a "soft purge" that drops the copies but forgets to
    /// reset the steady state. The reference never reads that state, so
    /// it gives what a correct purge gives, bit for bit, and the fast path
    /// given the same bug does not: the equivalence tests would fail.
    #[test]
    fn a_purge_that_forgets_the_steady_state_is_caught_by_the_reference() {
        let mut cfg = cfg(30.0);
        cfg.purge = true;
        cfg.swr = 60.0;
        cfg.shield = true;
        let groups: Vec<(u32, f64)> = (0..8).map(|_| (5, 0.125)).collect();
        // Every group expires at once: steady for most of each TTL.
        let phases = [0.0; 8];
        let mut clean = Cdn::new(cfg, &groups, &phases);
        clean.set_shortcuts(false);
        let mut buggy = clean.clone();
        let mut fast_buggy = Cdn::new(cfg, &groups, &phases);
        // Ticks answered by the steady path, each run.
        let mut steady = 0;
        let mut fast_differs = false;
        for t in 0..1800 {
            let tf = f64::from(t);
            let origin = Origin {
                err: 0.0,
                resp_s: 0.05,
                version: t / 300,
            };
            if t % 300 == 140 {
                clean.purge(tf);
                for c in [&mut buggy, &mut fast_buggy] {
                    // The soft purge: the steady state survives it.
                    let kept = c.steady.clone();
                    c.purge(tf);
                    c.steady = kept;
                }
            }
            let (mut a, mut b, mut f) = (Tally::new(), Tally::new(), Tally::new());
            let x = clean.step(tf, 2000.0, &origin, &mut a);
            let y = buggy.step(tf, 2000.0, &origin, &mut b);
            let before = fast_buggy.steady.ticks;
            let z = fast_buggy.step(tf, 2000.0, &origin, &mut f);
            steady += fast_buggy.steady.ticks - before;
            assert_eq!(x, y, "tick {t}");
            assert_eq!(a.entries(), b.entries(), "tick {t}");
            fast_differs |= x != z;
        }
        assert_eq!(clean.steady.ticks + clean.steady.fresh_groups, 0);
        assert!(steady > 0);
        assert!(fast_differs, "the fast path hid the bug");
    }

    #[test]
    fn purge_gives_one_origin_request_per_pop_with_collapsing() {
        let mut c = Cdn::new(cfg(600.0), &[(20, 0.5), (20, 0.5)], &[0.9, 0.9]);
        let mut tally = Tally::new();
        let origin = Origin {
            err: 0.0,
            resp_s: 0.05,
            version: 1,
        };
        c.step(0.0, 10_000.0, &origin, &mut tally);
        c.purge(1.0);
        let o = c.step(1.0, 10_000.0, &origin, &mut tally);
        // 40 PoPs × one trigger each.
        assert!((o.origin_requests - 40.0).abs() < 1e-6, "{o:?}");
        assert_eq!(c.oldest_version(), 1);
    }
}
