//! Databases: the primary's availability and the read replicas' lag.
//!
//! Writes commit on the primary; a replica applies them after its lag L,
//! which follows dL/dt = w/a − 1 on top of its usual network delay, never
//! below it (w: write rate, a: the rate the replica can apply writes, one
//! at a time at the primary's write time). A failover makes the primary
//! unavailable: `failover_s` with Multi-AZ, much longer without.

/// What a replica knows about its lag.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Lag {
    /// The usual delay (network and apply), seconds.
    pub base: f64,
    /// Extra delay from a backlog of writes to apply, seconds (≥ 0).
    pub excess: f64,
}

impl Lag {
    pub(crate) fn new(base: f64) -> Self {
        Lag {
            base: if base.is_finite() { base.max(0.0) } else { 0.0 },
            excess: 0.0,
        }
    }

    /// The lag now, seconds.
    pub(crate) fn now(&self) -> f64 {
        self.base + self.excess
    }

    /// One tick with writes arriving at `write_rate` per second, each taking
    /// `apply_s` to apply: dL/dt = w/a − 1, clipped at 0.
    pub(crate) fn step(&mut self, write_rate: f64, apply_s: f64) {
        let load = (write_rate * apply_s).max(0.0);
        let next = self.excess + (load - 1.0);
        self.excess = if next.is_finite() { next.max(0.0) } else { 0.0 };
    }
}

/// The versions the primary has committed, with their commit times.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct CommitLog {
    commits: Vec<(f64, u32)>,
}

impl CommitLog {
    pub(crate) fn with_capacity(n: usize) -> Self {
        CommitLog {
            commits: Vec::with_capacity(n),
        }
    }

    /// Records that `version` committed at `at`.
    pub(crate) fn push(&mut self, at: f64, version: u32) {
        self.commits.push((at, version));
    }

    /// When the newest version was committed.
    pub(crate) fn newest_time(&self) -> Option<f64> {
        self.commits.last().map(|c| c.0)
    }

    /// The newest version committed at or before `t`.
    pub(crate) fn version_at(&self, t: f64) -> u32 {
        self.commits
            .iter()
            .rev()
            .find(|c| c.0 <= t)
            .map_or(0, |c| c.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_grows_with_writes_and_recovers() {
        let mut l = Lag::new(0.1);
        l.excess = 10.0;
        for _ in 0..5 {
            l.step(0.0, 0.005);
        }
        assert!((l.now() - 5.1).abs() < 1e-12);
        for _ in 0..10 {
            l.step(0.0, 0.005);
        }
        assert_eq!(l.now(), 0.1);
        // w/a = 2: lag grows 1 s per s.
        l.step(400.0, 0.005);
        assert!((l.excess - 1.0).abs() < 1e-12);
    }

    #[test]
    fn commit_log_versions() {
        let mut c = CommitLog::with_capacity(4);
        assert_eq!(c.version_at(10.0), 0);
        c.push(5.0, 1);
        c.push(20.0, 2);
        assert_eq!(c.version_at(4.9), 0);
        assert_eq!(c.version_at(5.0), 1);
        assert_eq!(c.version_at(100.0), 2);
    }
}
