//! A set of node ids in id order, kept as a sorted list.

use design::NodeId;

/// A set of node ids, iterated in id order as a `BTreeSet` would be.
///
/// A sorted list rather than a `BTreeSet`: the tree's code for one more
/// key type would be the page's first download's to carry. Ids go in one
/// at a time by binary search, never by sorting the list, which would
/// bring a sort routine into that download too. An id that sorts after
/// all the others is pushed on the end; any other moves those after it,
/// so collecting n ids out of order costs O(n²) moves: natively 0.58 ms
/// for 2,000 ids `api-1` … `api-2000` (the design limit; their text order
/// is not their number order), against 0.37 ms into a `BTreeSet`. That is
/// the set's share of one pointer move while box-selecting all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdSet(Vec<NodeId>);

impl IdSet {
    /// The empty set.
    pub fn new() -> Self {
        IdSet(Vec::new())
    }

    /// Adds `id`; false if it was there already.
    pub fn insert(&mut self, id: NodeId) -> bool {
        // Ids that come in order (a design's nodes often do) go on the end.
        if self.0.last().is_none_or(|last| *last < id) {
            self.0.push(id);
            return true;
        }
        match self.0.binary_search(&id) {
            Ok(_) => false,
            Err(at) => {
                self.0.insert(at, id);
                true
            }
        }
    }

    /// Removes `id`; false if it was not there.
    pub fn remove(&mut self, id: &NodeId) -> bool {
        match self.0.binary_search(id) {
            Ok(at) => {
                self.0.remove(at);
                true
            }
            Err(_) => false,
        }
    }

    /// Whether `id` is in the set.
    pub fn contains(&self, id: &NodeId) -> bool {
        self.0.binary_search(id).is_ok()
    }

    /// How many ids the set holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The ids in order.
    pub fn iter(&self) -> std::slice::Iter<'_, NodeId> {
        self.0.iter()
    }

    /// Empties the set.
    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// Keeps only the ids for which `keep` is true.
    pub fn retain(&mut self, keep: impl FnMut(&NodeId) -> bool) {
        self.0.retain(keep);
    }
}

impl Extend<NodeId> for IdSet {
    fn extend<I: IntoIterator<Item = NodeId>>(&mut self, ids: I) {
        for id in ids {
            self.insert(id);
        }
    }
}

impl FromIterator<NodeId> for IdSet {
    fn from_iter<I: IntoIterator<Item = NodeId>>(ids: I) -> Self {
        let mut set = IdSet::new();
        set.extend(ids);
        set
    }
}

impl<'a> IntoIterator for &'a IdSet {
    type Item = &'a NodeId;
    type IntoIter = std::slice::Iter<'a, NodeId>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u8),
        Remove(u8),
        Retain(u8),
        Clear,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => any::<u8>().prop_map(Op::Insert),
            3 => any::<u8>().prop_map(Op::Remove),
            1 => any::<u8>().prop_map(Op::Retain),
            1 => Just(Op::Clear),
        ]
    }

    fn id(n: u8) -> NodeId {
        NodeId::new(format!("n-{}", n % 40))
    }

    proptest! {
        /// Every operation answers as a `BTreeSet`'s does, and the two
        /// hold the same ids in the same order after each.
        #[test]
        fn behaves_as_a_btree_set(ops in proptest::collection::vec(op(), 0..120)) {
            let mut ours = IdSet::new();
            let mut tree = BTreeSet::new();
            for op in ops {
                match op {
                    Op::Insert(n) => prop_assert_eq!(ours.insert(id(n)), tree.insert(id(n))),
                    Op::Remove(n) => prop_assert_eq!(ours.remove(&id(n)), tree.remove(&id(n))),
                    Op::Retain(n) => {
                        let drop = id(n);
                        ours.retain(|i| *i < drop);
                        tree.retain(|i| *i < drop);
                    }
                    Op::Clear => {
                        ours.clear();
                        tree.clear();
                    }
                }
                prop_assert_eq!(ours.len(), tree.len());
                prop_assert_eq!(ours.is_empty(), tree.is_empty());
                prop_assert!(ours.iter().eq(tree.iter()));
                for n in 0..40 {
                    prop_assert_eq!(ours.contains(&id(n)), tree.contains(&id(n)));
                }
            }
        }
    }

    #[test]
    fn collecting_keeps_one_of_each_in_order() {
        let set: IdSet = ["b", "a", "c", "a", "b"]
            .map(NodeId::new)
            .into_iter()
            .collect();
        let ids: Vec<&str> = set.iter().map(NodeId::as_str).collect();
        assert_eq!(ids, ["a", "b", "c"]);
    }
}
