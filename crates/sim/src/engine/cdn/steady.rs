//! Fast path: steady CDN ticks. While every PoP group answers every reader
//! from its copy with no fetch in flight — fresh, or stale while the origin
//! fails (stale-if-error between retries) — a tick is stepped from the
//! remembered mix of answers without visiting the groups. The state here
//! is recomputed after every tick that visits the groups and dropped by a
//! purge; the reference run (`Cdn::set_shortcuts(false)`) neither keeps
//! nor reads it.

use super::super::versions::Tally;
use super::{CdnCfg, CdnTick, Group};

/// The steady state of a CDN's groups, and how often it was used.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Steady {
    /// Whether the steady path and the fresh-group path of `Cdn::step` are
    /// taken (off in the reference run).
    pub(super) on: bool,
    /// Until when every group answers from its copy (−∞ when they do
    /// not): a tick that ends by then is stepped without visiting them.
    pub(super) until: f64,
    /// Meanwhile, per version and kind of answer (stale-if-error or hit),
    /// in the order of the groups giving it first: the share of reads
    /// those groups take.
    pub(super) mix: Vec<(u32, bool, f64)>,
    /// Ticks stepped from the mix (a fast-path count).
    pub(crate) ticks: u32,
    /// Groups fresh all tick counted as hits without walking their rules
    /// (a fast-path count).
    pub(crate) fresh_groups: u32,
}

impl Steady {
    /// On, with no steady state yet.
    pub(super) fn new() -> Self {
        Steady {
            on: true,
            until: f64::NEG_INFINITY,
            mix: Vec::new(),
            ticks: 0,
            fresh_groups: 0,
        }
    }

    /// Drops the steady state (the groups changed outside a step: a purge).
    pub(super) fn forget(&mut self) {
        self.until = f64::NEG_INFINITY;
        self.mix.clear();
    }

    /// Recomputes the steady state after the groups were visited, at
    /// `clock` (as `Cdn::step` would visit them: a fresh group's readers
    /// get hits until its copy expires; one serving stale-if-error gets
    /// them stale copies until its next retry, and while a tick starts
    /// within its stale-if-error window). `share_total`: Σ of the groups'
    /// shares, in their order.
    pub(super) fn note(&mut self, groups: &[Group], cfg: &CdnCfg, clock: f64, share_total: f64) {
        self.forget();
        let Some(first) = groups.first() else {
            return;
        };
        let key = (first.version, first.error_mode);
        let mut until = f64::INFINITY;
        let mut one_kind = true;
        for g in groups {
            let limit = if g.fetch.is_some() || !g.has_copy {
                f64::NEG_INFINITY
            } else if g.error_mode {
                // (Expired: a stale-if-error group's copy always is.)
                if cfg.sie > 0.0 && g.fresh_until <= clock {
                    g.retry_at.min(g.fresh_until + cfg.sie + 1.0)
                } else {
                    f64::NEG_INFINITY
                }
            } else {
                g.fresh_until
            };
            if !(limit > clock) {
                return;
            }
            until = until.min(limit);
            one_kind &= (g.version, g.error_mode) == key;
        }
        if one_kind {
            // The common case: one entry, the groups' shares summed in
            // their order (as below).
            self.mix.push((key.0, key.1, share_total));
        } else {
            for g in groups {
                let key = (g.version, g.error_mode);
                match self.mix.iter_mut().find(|m| (m.0, m.1) == key) {
                    Some(m) => m.2 += g.share,
                    None => self.mix.push((g.version, g.error_mode, g.share)),
                }
            }
        }
        self.until = until;
    }

    /// Adds the answers of `lambda` reads in a steady tick to `out` and
    /// counts them in `tally` by version.
    pub(super) fn answer(&self, lambda: f64, tally: &mut Tally, out: &mut CdnTick) {
        for &(v, sie, share) in &self.mix {
            let n = lambda * share;
            if sie {
                out.sie += n;
            } else {
                out.hit += n;
            }
            tally.add(v, n);
        }
    }

    /// Whether every group is fresh with version `posted` or newer: every
    /// read a current hit.
    pub(super) fn fresh_current(&self, posted: u32) -> bool {
        !self.mix.is_empty() && self.mix.iter().all(|m| !m.1 && m.0 >= posted)
    }

    /// Counts in `tally` the hits of `lambda` reads while every group is
    /// fresh, by version.
    pub(super) fn tally(&self, lambda: f64, tally: &mut Tally) {
        for &(v, _, share) in &self.mix {
            tally.add(v, lambda * share);
        }
    }
}
