//! Content versions and freshness.
//!
//! Update k (counted from 1) is posted by the operator at `updates_s[k−1]`;
//! a node holding version v has the first v updates. A response carrying
//! version v at time t is *stale* when a newer update has been posted: its
//! staleness is t minus the time the first update it lacks was posted
//! (0 when it is current).

/// Requests served in one tick, by the version they carried.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Tally {
    entries: Vec<(u32, f64)>,
}

/// Distinct versions a tally keeps apart; more are merged into the nearest.
const TALLY_CAP: usize = 64;

impl Tally {
    pub(crate) fn new() -> Self {
        Tally {
            entries: Vec::with_capacity(TALLY_CAP),
        }
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }

    /// Counts `w` requests that carried version `v`.
    #[inline(always)]
    pub(crate) fn add(&mut self, v: u32, w: f64) {
        if !(w > 0.0 && w.is_finite()) {
            return;
        }
        if let Some(last) = self.entries.last_mut() {
            if last.0 == v {
                last.1 += w;
                return;
            }
        }
        if let Some(e) = self.entries.iter_mut().find(|e| e.0 == v) {
            e.1 += w;
            return;
        }
        if self.entries.len() < TALLY_CAP {
            self.entries.push((v, w));
        } else if let Some(e) = self.entries.iter_mut().min_by_key(|e| e.0.abs_diff(v)) {
            e.1 += w;
        }
    }

    /// (version, requests) pairs.
    pub(crate) fn entries(&self) -> &[(u32, f64)] {
        &self.entries
    }

    /// All requests counted.
    pub(crate) fn total(&self) -> f64 {
        self.entries.iter().map(|e| e.1).sum()
    }

    /// Requests that carried version `k` or newer.
    pub(crate) fn at_least(&self, k: u32) -> f64 {
        self.entries.iter().filter(|e| e.0 >= k).map(|e| e.1).sum()
    }
}

/// Staleness (seconds) at time `t` of a response carrying version `v`,
/// given the post times of every update and how many have been posted.
pub(crate) fn staleness(updates_s: &[f64], posted: u32, v: u32, t: f64) -> f64 {
    if v >= posted {
        return 0.0;
    }
    match updates_s.get(v as usize) {
        Some(&u) => (t - u).max(0.0),
        None => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tally_and_staleness() {
        let mut t = Tally::new();
        t.add(1, 5.0);
        t.add(1, 5.0);
        t.add(0, 2.0);
        t.add(0, f64::NAN);
        assert_eq!(t.total(), 12.0);
        assert_eq!(t.at_least(1), 10.0);
        let u = [100.0, 400.0];
        assert_eq!(staleness(&u, 2, 2, 500.0), 0.0);
        assert_eq!(staleness(&u, 2, 1, 500.0), 100.0);
        assert_eq!(staleness(&u, 2, 0, 500.0), 400.0);
        assert_eq!(staleness(&u, 1, 1, 500.0), 0.0);
    }
}
