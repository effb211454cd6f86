//! Fast path: **change masks**.
//!
//! Each tick the forward pass notes which nodes changed their shares or
//! latency ([`Changes::note`], from [`node_changed`]): a reused node did
//! not, a source never does, and a CDN whose waits did not change changed
//! only its shares. A path through none of them keeps last tick's share
//! and latency (an *unchanged path*, [`Changes::path`]); one whose nodes
//! changed only shares keeps its latency with a new share (a *share-only
//! path*, [`Changes::share_only`]); and the reverse pass is skipped when no
//! node it reads changed ([`Changes::reverse_moved`]). With at most 64
//! nodes the sets are bit masks (bit i: node i); larger designs ask each
//! node.
//!
//! `Sim::set_shortcuts(false)` turns it off: [`node_changed`] then says
//! every CDN changed both, and `evaluate_paths` and the reverse pass do not
//! ask, computing every path and running the reverse pass every tick (the
//! paths' last share and latency, [`Changes::paths`], are then only where
//! `evaluate_paths` writes what it computed).
//!
//! Counted in `Sim::fast_path_counts` (`counts.rs`) as `unchanged_paths`,
//! `share_only_paths` and `skipped_reverse_passes`.

use super::plan::{Model, NodeRt, EXT};
use super::sketch::LatKey;

/// What changed this tick, and every path's last share and latency.
#[derive(Clone, Debug)]
pub(crate) struct Changes {
    /// Per path: its share, latency key and mean from the last tick it was
    /// computed (valid while no node on it changed).
    pub paths: Vec<Option<(f64, LatKey, f64)>>,
    /// Per path, the set of nodes on it (bit i: node i), when the design
    /// has at most 64 nodes; empty otherwise.
    path_masks: Vec<u64>,
    /// The nodes the reverse pass reads (bit i: node i), when `path_masks`
    /// is in use.
    reverse_mask: u64,
    /// Nodes that changed this tick (bit i: node i; see `path_masks`).
    changed_mask: u64,
    /// Nodes whose latency (not only shares) changed this tick.
    latency_mask: u64,
    /// Per node: whether its last tick changed its shares or latency (for
    /// designs too large for the masks).
    changed: Vec<bool>,
}

impl Changes {
    /// The state of a plan with `n_nodes` nodes, request paths `paths`
    /// (each its hops `(node, slot)`) and reverse pass `reverse`; every
    /// node counts as changed.
    pub(crate) fn new<'a>(
        n_nodes: usize,
        paths: impl ExactSizeIterator<Item = &'a [(u32, u32)]>,
        reverse: &[(usize, usize)],
    ) -> Changes {
        let n_paths = paths.len();
        let path_masks: Vec<u64> = if n_nodes <= 64 {
            paths
                .map(|hops| hops.iter().fold(0u64, |m, h| m | (1u64 << h.0)))
                .collect()
        } else {
            Vec::new()
        };
        let reverse_mask = if path_masks.is_empty() {
            0
        } else {
            reverse.iter().fold(0u64, |m, &(i, _)| m | (1u64 << i))
        };
        Changes {
            paths: vec![None; n_paths],
            path_masks,
            reverse_mask,
            changed_mask: 0,
            latency_mask: 0,
            changed: vec![true; n_nodes],
        }
    }

    /// Starts a forward pass: nothing changed yet.
    #[inline(always)]
    pub(crate) fn begin(&mut self) {
        self.changed_mask = 0;
        self.latency_mask = 0;
    }

    /// Notes node `i`'s tick: whether it `changed` its shares or latency,
    /// and whether its latency did.
    #[inline(always)]
    pub(crate) fn note(&mut self, i: usize, changed: bool, latency_changed: bool) {
        self.changed[i] = changed;
        if changed && i < 64 {
            self.changed_mask |= 1u64 << i;
            if latency_changed {
                self.latency_mask |= 1u64 << i;
            }
        }
    }

    /// Whether a node the reverse pass (`reverse`) reads changed.
    pub(crate) fn reverse_moved(&self, reverse: &[(usize, usize)]) -> bool {
        if self.path_masks.is_empty() {
            reverse.iter().any(|&(i, _)| self.changed[i])
        } else {
            self.reverse_mask & self.changed_mask != 0
        }
    }

    /// For path `p` (hops `hops`): whether no node on it changed, and
    /// whether none changed its latency (false without masks).
    #[inline(always)]
    pub(crate) fn path(&self, p: usize, hops: &[(u32, u32)]) -> (bool, bool) {
        match self.path_masks.get(p) {
            Some(&m) => (m & self.changed_mask == 0, m & self.latency_mask == 0),
            None => (!hops.iter().any(|h| self.changed[h.0 as usize]), false),
        }
    }

    /// A path (`p`, class `c`, hops `hops`) whose nodes changed only
    /// shares: when it went through every hop last tick and does again,
    /// it has last tick's latency with the new share, which this sets.
    /// Returns whether it did.
    #[inline(always)]
    pub(crate) fn share_only(
        &mut self,
        p: usize,
        c: usize,
        hops: &[(u32, u32)],
        nodes: &[NodeRt],
    ) -> bool {
        let Some((old_w, _, _)) = &mut self.paths[p] else {
            return false;
        };
        if !(*old_w > 0.0 && old_w.is_finite()) {
            return false;
        }
        let mut w = 1.0;
        for &(node, slot) in hops {
            let n = &nodes[node as usize];
            w *= n.frac[c].get(slot as usize).copied().unwrap_or(0.0);
            if w <= 0.0 {
                break;
            }
        }
        if w > 0.0 && w.is_finite() {
            *old_w = w;
            true
        } else {
            false
        }
    }
}

/// Whether node `n`'s tick changed what paths and the reverse pass read,
/// and whether its latency did: a node reused (`reused`) did not, a
/// source never does, and a CDN whose waits did not change changed only
/// its shares (it remembers its last ones in its `CdnFast`). With `on`
/// false (the reference) every CDN changed both.
#[inline(always)]
pub(crate) fn node_changed(n: &mut NodeRt, reused: bool, on: bool) -> (bool, bool) {
    match &mut n.model {
        Model::Source { .. } => (false, true),
        Model::Cdn(m) => {
            let f = &mut m.fast;
            let same_extras = f.prev_extras == m.extras;
            let same = f.prev_frac == n.frac[EXT] && same_extras;
            if !same {
                f.prev_frac.clear();
                f.prev_frac.extend_from_slice(&n.frac[EXT]);
                f.prev_extras = m.extras;
            }
            (!same || !on, !same_extras || !on)
        }
        _ => (!reused, true),
    }
}
