//! Drawing a big design a chunk at a time. Creating the elements of a
//! 1,000-node design in one task holds the page's thread for more than a
//! second, so when many nodes (or connections) come on screen at once — a
//! link, an import, a course page's design — the canvas draws a chunk of
//! them per task and the page answers input in between. An edit that adds
//! a few is drawn at once, so the node it added can be focused straight
//! away. The task that builds the canvas draws none ([`DRAWN_AT_FIRST`]):
//! a design's first nodes come one task later.

use std::collections::HashSet;
use std::hash::Hash;

/// How many new items are drawn per task.
pub const DRAW_CHUNK: usize = 50;

/// How many items of `next` to draw now, given the list drawn before
/// (`previous`, of which the first `drawn_before` were drawn). The canvas
/// draws the first items of a list: kept items stay drawn (as far as they
/// were), and at most [`DRAW_CHUNK`] new ones are added.
pub fn drawn_now<T: Eq + Hash>(previous: &[T], drawn_before: usize, next: &[T]) -> usize {
    let before: HashSet<&T> = previous.iter().collect();
    let new_items = next.iter().filter(|item| !before.contains(item)).count();
    let kept = next.len() - new_items;
    (drawn_before.min(kept) + new_items.min(DRAW_CHUNK)).min(next.len())
}

/// How many items the canvas draws in the task that builds it: none, the
/// first chunk comes a task later. V8 compiles each wasm function the
/// first time it runs, on the page's thread, so building the canvas and
/// drawing its first nodes and connections each compile their own view
/// code: in one task they made the longest task of a page opening (about
/// 20 ms of a quiet machine's time, past 50 ms on a busy one).
pub const DRAWN_AT_FIRST: usize = 0;

/// How many items to draw after one more task: another chunk, up to all
/// `len` of them.
pub fn drawn_next(drawn: usize, len: usize) -> usize {
    (drawn + DRAW_CHUNK).min(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(range: std::ops::Range<usize>) -> Vec<String> {
        range.map(|i| format!("n{i}")).collect()
    }

    #[test]
    fn a_small_design_is_drawn_at_once() {
        assert_eq!(drawn_now(&[], 0, &ids(0..12)), 12);
    }

    #[test]
    fn the_canvas_draws_its_first_design_from_the_task_after_it_is_built() {
        let mut drawn = DRAWN_AT_FIRST;
        let mut tasks = 1;
        while drawn < 12 {
            drawn = drawn_next(drawn, 12);
            tasks += 1;
        }
        assert_eq!(tasks, 2, "the canvas's own task, then the whole design");
    }

    #[test]
    fn a_big_design_is_drawn_a_chunk_per_task() {
        let big = ids(0..996);
        let mut drawn = drawn_now(&[], 0, &big);
        let mut tasks = 1;
        while drawn < big.len() {
            drawn = drawn_next(drawn, big.len());
            tasks += 1;
        }
        assert_eq!(drawn, 996);
        assert_eq!(tasks, 996_usize.div_ceil(DRAW_CHUNK));
    }

    #[test]
    fn an_added_node_is_drawn_at_once_even_past_a_chunk_edge() {
        let before = ids(0..50);
        let after = ids(0..51);
        assert_eq!(drawn_now(&before, 50, &after), 51);
        let before = ids(0..996);
        let after = ids(0..997);
        assert_eq!(drawn_now(&before, 996, &after), 997);
    }

    #[test]
    fn a_replaced_big_design_is_drawn_in_chunks_again() {
        let first = ids(0..996);
        let second: Vec<String> = (0..996).map(|i| format!("m{i}")).collect();
        assert_eq!(drawn_now(&first, 996, &second), DRAW_CHUNK);
    }

    #[test]
    fn an_edit_while_catching_up_does_not_draw_everything_at_once() {
        let before = ids(0..996);
        let after = ids(0..997);
        assert_eq!(drawn_now(&before, 100, &after), 101);
    }

    #[test]
    fn deleting_keeps_what_was_drawn() {
        let before = ids(0..996);
        let after = ids(1..996);
        assert_eq!(drawn_now(&before, 996, &after), 995);
        assert_eq!(drawn_now(&before, 996, &[]), 0);
    }
}
