//! A fast hasher for the small maps keyed by node ids.
//!
//! A design has at most [`crate::limits::MAX_NODES`] nodes, and these maps
//! live for one validation or one simulation set-up: SipHash's resistance
//! to chosen collisions buys nothing there and costs most of a lookup.
//! [`IdHasher`] mixes a word at a time (the multiply-rotate scheme of
//! rustc's `FxHasher`). It is deterministic, so iteration order no longer
//! varies from run to run (nothing relies on that order either way).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with [`IdHasher`].
pub type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;
/// A `HashSet` with [`IdHasher`].
pub type IdSet<K> = HashSet<K, BuildHasherDefault<IdHasher>>;

/// Multiply-rotate hashing, a word at a time (see the module docs).
#[derive(Clone, Copy, Debug, Default)]
pub struct IdHasher(u64);

/// The multiplier (from rustc's `FxHasher`).
const K: u64 = 0x517c_c1b7_2722_0a95;

impl IdHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for IdHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            self.add(u64::from_le_bytes(b));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_share_a_prefix_hash_apart_and_maps_work() {
        let ids: Vec<String> = (0..500).map(|i| format!("api_{i}")).collect();
        let mut m: IdMap<&str, usize> = IdMap::default();
        for (i, id) in ids.iter().enumerate() {
            m.insert(id.as_str(), i);
        }
        assert_eq!(m.len(), 500);
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(m.get(id.as_str()), Some(&i));
        }
        // Distinct ids, distinct hashes (for these): no systematic
        // collisions from the tail padding.
        let hashes: IdSet<u64> = ids
            .iter()
            .map(|id| {
                let mut h = IdHasher::default();
                h.write(id.as_bytes());
                h.finish()
            })
            .collect();
        assert_eq!(hashes.len(), 500);
    }
}
