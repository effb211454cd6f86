//! Undo and redo as whole-document snapshots.
//!
//! A design of a few hundred nodes clones in microseconds, so snapshots are
//! simpler and safer than inverse commands: every edit, however it was made,
//! undoes exactly.

/// The undo and redo stacks of snapshots of a document `T`.
#[derive(Debug, Clone)]
pub struct History<T> {
    undo: Vec<T>,
    redo: Vec<T>,
    limit: usize,
}

impl<T> History<T> {
    /// An empty history keeping at most `limit` undo steps.
    pub fn new(limit: usize) -> Self {
        History {
            undo: Vec::new(),
            redo: Vec::new(),
            limit: limit.max(1),
        }
    }

    /// Records `before`, the document as it was before an edit. Clears redo:
    /// a new edit starts a new branch.
    pub fn record(&mut self, before: T) {
        if self.undo.len() == self.limit {
            self.undo.remove(0);
        }
        self.undo.push(before);
        self.redo.clear();
    }

    /// Steps back: takes the current document, returns the one to restore.
    pub fn undo(&mut self, current: T) -> Result<T, T> {
        match self.undo.pop() {
            Some(previous) => {
                self.redo.push(current);
                Ok(previous)
            }
            None => Err(current),
        }
    }

    /// Steps forward again after an undo.
    pub fn redo(&mut self, current: T) -> Result<T, T> {
        match self.redo.pop() {
            Some(next) => {
                self.undo.push(current);
                Ok(next)
            }
            None => Err(current),
        }
    }

    /// Whether there is anything to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether there is anything to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_redo_walks_back_and_forth() {
        let mut h = History::new(10);
        h.record(1);
        h.record(2);
        assert_eq!(h.undo(3), Ok(2));
        assert_eq!(h.undo(2), Ok(1));
        assert_eq!(h.undo(1), Err(1));
        assert_eq!(h.redo(1), Ok(2));
        h.record(2);
        assert!(!h.can_redo(), "a new edit clears redo");
    }

    #[test]
    fn keeps_at_most_limit_steps() {
        let mut h = History::new(2);
        for i in 0..5 {
            h.record(i);
        }
        assert_eq!(h.undo(9), Ok(4));
        assert_eq!(h.undo(4), Ok(3));
        assert_eq!(h.undo(3), Err(3));
    }
}
