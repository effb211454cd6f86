//! The Redis-like cache: one hot key under a TTL.
//!
//! The key is fresh for `ttl` after a refill; the first read after expiry
//! arrives 1/λ later and misses, and so does every read that arrives while
//! the refill is in flight (cache-aside has no request collapsing). Over a
//! TTL cycle of T + 1/λ there is one miss: hit ratio λT/(1 + λT) (the
//! closed form in `docs/validation.md`, checked there). A write through a
//! service connected to the cache deletes the key (cache-aside
//! invalidation).

/// The state of the cached key.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CacheKey {
    /// Version held.
    pub version: u32,
    has: bool,
    fresh_until: f64,
    wait_from: f64,
    /// End of the last tick stepped.
    clock: f64,
    /// Whether a key fresh all tick is answered at once (off in the
    /// engine's reference run: every tick walks the rules below).
    pub(crate) shortcuts: bool,
    /// Ticks answered so (a fast-path count).
    pub(crate) fresh_ticks: u32,
}

/// Reads in one tick, by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct CacheTick {
    pub hits: f64,
    pub misses: f64,
}

impl CacheKey {
    /// A warm key holding version 0, expiring at `fresh_until`.
    pub(crate) fn new(fresh_until: f64) -> Self {
        CacheKey {
            version: 0,
            has: true,
            fresh_until,
            wait_from: fresh_until,
            clock: 0.0,
            shortcuts: true,
            fresh_ticks: 0,
        }
    }

    /// Deletes the key at time `at` (from the end of the last tick stepped
    /// if that is later).
    pub(crate) fn invalidate(&mut self, at: f64) {
        self.has = false;
        self.wait_from = at.max(self.clock);
    }

    /// One tick [t, t + 1) with `lambda` reads. A refill takes `fill_s`,
    /// brings `backing_version`, and only succeeds when `backing_ok`.
    pub(crate) fn step(
        &mut self,
        t: f64,
        lambda: f64,
        ttl: f64,
        fill_s: f64,
        backing_version: u32,
        backing_ok: bool,
    ) -> CacheTick {
        let mut out = CacheTick::default();
        self.clock = t + 1.0;
        if !(lambda > 0.0) {
            return out;
        }
        if ttl <= 0.0 {
            out.misses = lambda;
            return out;
        }
        let end = t + 1.0;
        if self.shortcuts && self.has && self.fresh_until >= end {
            self.fresh_ticks += 1;
            out.hits = lambda;
            return out;
        }
        let gap = 1.0 / lambda;
        let fill = if fill_s.is_finite() {
            fill_s.max(0.0)
        } else {
            0.0
        };
        // Times within the tick are offsets from its start, so that the
        // same situation gives bit-identical outputs whatever the tick
        // (an engine shortcut reuses a node's outputs when its inputs
        // repeat exactly).
        let mut tau = 0.0;
        for _ in 0..256 {
            if tau >= 1.0 {
                break;
            }
            let fresh = self.fresh_until - t;
            if self.has && tau < fresh {
                let seg = fresh.min(1.0);
                out.hits += lambda * (seg - tau);
                tau = seg;
                if tau >= fresh {
                    self.wait_from = self.fresh_until;
                }
                continue;
            }
            // The triggering read arrives one gap after expiry; it and
            // every read during the refill miss.
            let start = (self.wait_from - t + gap).max(tau);
            let done = start + fill;
            let seg = done.min(1.0);
            out.misses += lambda * (seg - tau);
            tau = seg;
            if done <= 1.0 {
                if backing_ok {
                    self.version = backing_version;
                    self.has = true;
                    self.fresh_until = t + done + ttl;
                    self.wait_from = self.fresh_until;
                } else {
                    self.wait_from = t + done;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queueing::ttl_hit_ratio;

    #[test]
    fn hit_ratio_matches_closed_form() {
        // λ = 10/s, T = 60 s ⇒ 0.99834 (`docs/validation.md`, case C1).
        let mut k = CacheKey::new(0.0);
        let (mut hits, mut total) = (0.0, 0.0);
        for t in 0..60_000 {
            let o = k.step(f64::from(t), 10.0, 60.0, 0.0, 0, true);
            hits += o.hits;
            total += o.hits + o.misses;
        }
        let expected = ttl_hit_ratio(10.0, 60.0);
        assert!(
            ((hits / total) / expected - 1.0).abs() < 1e-4,
            "{}",
            hits / total
        );
    }

    #[test]
    fn invalidation_refills_with_the_new_version() {
        let mut k = CacheKey::new(100.0);
        k.invalidate(5.0);
        let o = k.step(5.0, 1000.0, 30.0, 0.001, 3, true);
        assert!(o.misses > 0.0 && o.misses < 3.0);
        assert_eq!(k.version, 3);
    }
}
