//! Fast path: **run-length** totals and latency slots.
//!
//! A node tick identical to its last one (the same sample, the same cost
//! to the bit) adds only to a count, [`NodeRuns::pending`], made totals
//! when a different tick comes or the report is read
//! ([`NodeRuns::add_tick`], [`NodeRuns::settle`], [`NodeRuns::settled`]).
//! A latency identical to the last one (or one of the [`SLOT_OLDER`]
//! before it) adds only to a [`Slot`]'s weight (**slot merging**), made
//! kinks in a sketch once per distinct distribution: a node's own latency
//! in [`NodeRuns::slots`], a request path's in [`PathRuns`] (flushed into
//! the open windows when they change). Each adds the same terms as the
//! reference, in fewer sketch additions.
//!
//! `Sim::set_shortcuts(false)` turns it off: `forward` then passes
//! `on = false` to [`NodeRuns::add_tick`], which adds every tick to the
//! totals as it comes, and adds each own latency straight to the node's
//! sketch and each path's straight to the open windows, so no slot is
//! filled and nothing is pending.
//!
//! Counted in `Sim::fast_path_counts` (`counts.rs`) as
//! `run_length_ticks` (node ticks that only added to the count) and
//! `slot_merges` (latencies merged into an entry a slot already held).

use super::plan::{NodeAcc, PathDef};
use super::report::NodeSample;
use super::sketch::{Kinks, LatKey, Sketch};
use super::{add_to_active_windows, merge_latency, WindowRt};

/// How many earlier distributions a [`Slot`] keeps besides its current one.
pub(crate) const SLOT_OLDER: usize = 4;

/// Per-class accumulator of latency with run-length compression: the same
/// distribution tick after tick only adds to `w`, and one seen a little
/// earlier (a replayed pulse's latency alternating with the quiet one, a
/// queue back at a load it had before) adds to its entry in `older`. The
/// weights become kinks in a sketch only when an entry is pushed out of
/// `older` or the slot is flushed: one sketch addition per distinct
/// distribution, not one per change.
#[derive(Clone, Debug, Default)]
pub(crate) struct Slot {
    /// The current distribution and its weight (what a tick that repeats
    /// the last one adds to).
    pub key: Option<LatKey>,
    /// The current distribution's weight (requests).
    pub w: f64,
    /// Earlier distributions and their weights, oldest first.
    older: Vec<(LatKey, f64)>,
    /// Additions merged into an entry already held (a fast-path count).
    pub merges: u32,
}

impl Slot {
    /// Adds `w` requests of distribution `key`, making it the current one.
    /// Returns the entry pushed out of `older` to make room, if any: the
    /// caller adds it to its sketches now.
    pub(crate) fn add(&mut self, key: LatKey, w: f64) -> Option<(LatKey, f64)> {
        if self.key == Some(key) {
            self.w += w;
            self.merges += 1;
            return None;
        }
        let prev = self.key.take().map(|k| (k, self.w));
        let earlier = self.older.iter().position(|e| e.0 == key);
        if earlier.is_some() {
            self.merges += 1;
        }
        let start = earlier.map_or(0.0, |i| self.older.remove(i).1);
        self.key = Some(key);
        self.w = start + w;
        let prev = prev?;
        let out = if self.older.len() >= SLOT_OLDER {
            Some(self.older.remove(0))
        } else {
            None
        };
        self.older.push(prev);
        out
    }

    /// Every distribution held and its weight, the current one last.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (LatKey, f64)> + '_ {
        self.older
            .iter()
            .copied()
            .chain(self.key.map(|k| (k, self.w)))
    }

    /// Empties the slot.
    pub(crate) fn clear(&mut self) {
        self.key = None;
        self.w = 0.0;
        self.older.clear();
    }
}

/// Adds `w` requests of distribution `d` to a run-length slot; an entry
/// pushed out goes to `sketch` at once.
#[inline(always)]
pub(crate) fn deposit(slot: &mut Slot, sketch: &mut Sketch, kinks: &mut Kinks, w: f64, d: LatKey) {
    if !(w > 0.0 && w.is_finite()) {
        return;
    }
    if let Some((old, w)) = slot.add(d, w) {
        kinks.prepare(w, &old.dist());
        kinks.apply(sketch);
    }
}

/// A node's run-length state: the ticks identical to its last one not yet
/// added to its totals, that tick's cost, and its own latency's slots.
#[derive(Clone, Debug, Default)]
pub(crate) struct NodeRuns {
    /// Ticks identical to the last one, not yet added to the totals.
    pub pending: f64,
    /// The last tick's cost.
    pub last_cost: f64,
    /// The node's own latency, per latency slot of its tick (`lat_w`).
    pub slots: [Slot; 4],
}

impl NodeRuns {
    /// Counts a tick with sample `tick` and cost `cost` into `acc`, `last`
    /// being the node's last tick. With `on` (the fast path), a tick like
    /// the last one only counts; otherwise the pending ticks and this one
    /// are added and `tick` becomes the last. Returns whether it did (the
    /// node's sample changed).
    #[inline(always)]
    pub(crate) fn add_tick(
        &mut self,
        acc: &mut NodeAcc,
        last: &mut NodeSample,
        tick: NodeSample,
        cost: f64,
        on: bool,
    ) -> bool {
        if on && tick == *last && cost.to_bits() == self.last_cost.to_bits() {
            self.pending += 1.0;
            return false;
        }
        acc.add_ticks(last, self.last_cost, self.pending);
        self.pending = 0.0;
        acc.add_ticks(&tick, cost, 1.0);
        *last = tick;
        self.last_cost = cost;
        true
    }

    /// Adds the pending ticks (like `last`) to `acc`.
    pub(crate) fn settle(&mut self, acc: &mut NodeAcc, last: &NodeSample) {
        acc.add_ticks(last, self.last_cost, self.pending);
        self.pending = 0.0;
    }

    /// `acc` with the pending ticks (like `last`) added.
    pub(crate) fn settled(&self, acc: &NodeAcc, last: &NodeSample) -> NodeAcc {
        let mut a = acc.clone();
        a.add_ticks(last, self.last_cost, self.pending);
        a
    }

    /// `k` more ticks whose own latency repeats the current one of each
    /// slot with weight `lat_w` (a reused or quiet node).
    #[inline(always)]
    pub(crate) fn repeat_latency(&mut self, lat_w: &[f64; 4], k: f64) {
        for (j, slot) in self.slots.iter_mut().enumerate() {
            if lat_w[j] > 0.0 && slot.key.is_some() {
                slot.w += k * lat_w[j];
            }
        }
    }

    /// Adds a computed tick's own latency (weights `lat_w` of
    /// distributions `lat_d`): with `on` (the fast path) to the slots, an
    /// entry pushed out going to `sketch`; otherwise (the reference)
    /// straight to `sketch`.
    #[inline(always)]
    pub(crate) fn add_latency(
        &mut self,
        sketch: &mut Sketch,
        kinks: &mut Kinks,
        lat_w: &[f64; 4],
        lat_d: &[LatKey; 4],
        on: bool,
    ) {
        if on {
            for j in 0..4 {
                deposit(&mut self.slots[j], sketch, kinks, lat_w[j], lat_d[j]);
            }
        } else {
            for j in 0..4 {
                if lat_w[j] > 0.0 && lat_w[j].is_finite() {
                    kinks.add_once(lat_w[j], &lat_d[j].dist(), sketch);
                }
            }
        }
    }

    /// Additions merged into an entry already held.
    pub(crate) fn merges(&self) -> u64 {
        self.slots.iter().map(|s| u64::from(s.merges)).sum()
    }
}

/// Every path's latency, run-length compressed: one slot per path, its
/// entries added to the open windows when they change (`flush`).
#[derive(Clone, Debug, Default)]
pub(crate) struct PathRuns {
    /// Per path, its latency's slot.
    slots: Vec<Slot>,
}

impl PathRuns {
    /// Slots for `n` paths.
    pub(crate) fn new(n: usize) -> PathRuns {
        PathRuns {
            slots: vec![Slot::default(); n],
        }
    }

    /// Adds weight `w` of latency `key` to path `p` (class `c`) for the
    /// open windows (`active`). With `on` (the fast path) it goes to the
    /// path's slot: a path whose latency is last tick's (`same`) only adds
    /// to the slot's current weight when the slot holds one (a window edge
    /// may have flushed it since); an earlier latency pushed out of the
    /// slot to make room goes to the open windows' sketches at once (the
    /// slot's own content waits for [`PathRuns::flush`]). Otherwise (the
    /// reference) it goes to the open windows' sketches at once.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub(crate) fn add(
        &mut self,
        p: usize,
        c: usize,
        w: f64,
        key: LatKey,
        same: bool,
        on: bool,
        kinks: &mut Kinks,
        windows: &mut [WindowRt],
        active: u64,
    ) {
        if !on {
            add_to_active_windows(kinks, windows, active, c, w, &key.dist());
            return;
        }
        let slot = &mut self.slots[p];
        if same && slot.key.is_some() {
            slot.w += w;
        } else if let Some((old, w)) = slot.add(key, w) {
            add_to_active_windows(kinks, windows, active, c, w, &old.dist());
        }
    }

    /// Moves every slot's entries into the pending latencies of the open
    /// windows (`active`), emptying the slots.
    pub(crate) fn flush(&mut self, paths: &[PathDef], windows: &mut [WindowRt], active: u64) {
        for (p, slot) in self.slots.iter_mut().enumerate() {
            let c = paths[p].class;
            for (k, w) in slot.entries() {
                for (wi, win) in windows.iter_mut().enumerate() {
                    if active & (1 << wi) != 0 {
                        merge_latency(&mut win.acc[c].pending, k, w);
                    }
                }
            }
            slot.clear();
        }
    }

    /// Merges the entries of class `c`'s paths into `list`, as `flush`
    /// would.
    pub(crate) fn merge_class(&self, paths: &[PathDef], c: usize, list: &mut Vec<(LatKey, f64)>) {
        for (p, slot) in self.slots.iter().enumerate() {
            if paths[p].class == c {
                for (k, w) in slot.entries() {
                    merge_latency(list, k, w);
                }
            }
        }
    }

    /// Additions merged into an entry already held.
    pub(crate) fn merges(&self) -> u64 {
        self.slots.iter().map(|s| u64::from(s.merges)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A slot keeps one entry per distinct distribution, its weights
    /// summed, the current one last; past `SLOT_OLDER` earlier ones it
    /// hands back the oldest, and nothing is lost.
    #[test]
    fn slots_sum_each_distribution_once() {
        let key = |ms: f64| LatKey::point(ms / 1e3);
        let mut slot = Slot::default();
        assert!(slot.add(key(1.0), 2.0).is_none());
        assert!(slot.add(key(1.0), 3.0).is_none());
        assert!(slot.add(key(2.0), 1.0).is_none());
        assert!(slot.add(key(1.0), 4.0).is_none()); // back to an earlier one
        let entries: Vec<(LatKey, f64)> = slot.entries().collect();
        assert_eq!(entries, vec![(key(2.0), 1.0), (key(1.0), 9.0)]);
        assert_eq!((slot.key, slot.w), (Some(key(1.0)), 9.0));
        let mut out = Vec::new();
        for k in 3..(SLOT_OLDER + 5) {
            out.extend(slot.add(key(k as f64), 1.0));
        }
        assert_eq!(out.len(), 3);
        assert_eq!(out[0], (key(2.0), 1.0), "the oldest goes first");
        assert_eq!(out[1], (key(1.0), 9.0));
        let held: f64 = slot.entries().map(|e| e.1).sum();
        let handed: f64 = out.iter().map(|e| e.1).sum();
        assert_eq!(
            held + handed,
            2.0 + 3.0 + 1.0 + 4.0 + (SLOT_OLDER + 2) as f64
        );
        assert_eq!(slot.entries().count(), SLOT_OLDER + 1);
        slot.clear();
        assert_eq!(slot.entries().count(), 0);
    }
}
