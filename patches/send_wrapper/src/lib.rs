//! The playground's stand-in for crates.io's `send_wrapper` 0.6, patched in
//! by the workspace's `Cargo.toml` (`[patch.crates-io]`).
//!
//! Leptos keeps the browser's values (DOM nodes, closures, event
//! listeners) in a `SendWrapper`: a wrapper that is `Send` and `Sync`
//! whatever it holds, and that panics when the value is used or dropped on
//! a thread other than the one that made it. The real crate records
//! `std::thread::current()`'s id in every wrapper and compares it at each
//! use. In a page built for `wasm32-unknown-unknown` without the `atomics`
//! feature there is only one thread (a web worker is another instance with
//! memory of its own, which a wrapper cannot reach), so the comparison can
//! never fail; but asking for the current thread brings the standard
//! library's thread handle into the page — its lazy set-up, its reference
//! count and name, 3.7 KB of code before gzip — inlined beside each of
//! Leptos's uses.
//!
//! This crate keeps the real one's public API (`new`, `valid`, `take`,
//! `Deref`, `DerefMut`, `Debug`, `Clone`, and with the `futures` feature
//! `Future` and `Stream`) and its rule. Where more than one thread can
//! exist (native builds, wasm with `atomics`) it records and checks the
//! thread as the real crate does; in a single-threaded wasm build the
//! thread is the only one, so there is nothing to record. A Leptos that no
//! longer depends on `send_wrapper` 0.6 leaves the patch unused (cargo
//! warns).

use std::fmt;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};

#[cfg(feature = "futures")]
mod futures;

/// The thread a wrapper belongs to, where more than one can exist.
#[cfg(not(all(target_arch = "wasm32", not(target_feature = "atomics"))))]
mod owner {
    use std::thread::{self, ThreadId};

    /// The id of the thread that made the wrapper.
    #[derive(Clone, Copy)]
    pub(crate) struct Owner(ThreadId);

    impl Owner {
        /// The calling thread.
        pub(crate) fn here() -> Self {
            Owner(thread::current().id())
        }

        /// Whether the calling thread is this one.
        pub(crate) fn is_here(self) -> bool {
            self.0 == thread::current().id()
        }
    }
}

/// The only thread there is, in a wasm build without `atomics`.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
mod owner {
    /// Nothing to record: every caller runs on the one thread.
    #[derive(Clone, Copy)]
    pub(crate) struct Owner;

    impl Owner {
        /// The calling thread.
        pub(crate) fn here() -> Self {
            Owner
        }

        /// Always true: there is no other thread to call from.
        pub(crate) fn is_here(self) -> bool {
            true
        }
    }
}

use owner::Owner;

/// A value that may be moved to and shared with other threads, but used
/// and dropped only on the thread that wrapped it: anything else panics.
pub struct SendWrapper<T> {
    data: ManuallyDrop<T>,
    owner: Owner,
}

impl<T> SendWrapper<T> {
    /// Wraps `data`, which belongs to the calling thread from now on.
    pub fn new(data: T) -> SendWrapper<T> {
        SendWrapper {
            data: ManuallyDrop::new(data),
            owner: Owner::here(),
        }
    }

    /// Whether the value may be used here: true on the thread that wrapped
    /// it.
    pub fn valid(&self) -> bool {
        self.owner.is_here()
    }

    /// The value, unwrapped.
    ///
    /// # Panics
    /// On any thread but the one that wrapped it (the value is then
    /// leaked, not dropped on the wrong thread).
    #[track_caller]
    pub fn take(self) -> T {
        if !self.valid() {
            invalid_deref();
        }
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again, so the value is
        // moved out exactly once.
        unsafe { ManuallyDrop::take(&mut this.data) }
    }

    #[track_caller]
    fn assert_valid_for_deref(&self) {
        if !self.valid() {
            invalid_deref();
        }
    }

    #[cfg(feature = "futures")]
    #[track_caller]
    fn assert_valid_for_poll(&self) {
        if !self.valid() {
            invalid_poll();
        }
    }
}

// SAFETY: the value is only ever reached (deref, take, poll, drop) on the
// thread that wrapped it; every such access checks the thread first and
// panics elsewhere, as crates.io's send_wrapper does.
unsafe impl<T> Send for SendWrapper<T> {}
// SAFETY: as for `Send`: a shared reference reaches the value only through
// `Deref`, which checks the thread.
unsafe impl<T> Sync for SendWrapper<T> {}

impl<T> Deref for SendWrapper<T> {
    type Target = T;

    /// # Panics
    /// On any thread but the one that wrapped the value.
    #[track_caller]
    fn deref(&self) -> &T {
        self.assert_valid_for_deref();
        &self.data
    }
}

impl<T> DerefMut for SendWrapper<T> {
    /// # Panics
    /// On any thread but the one that wrapped the value.
    #[track_caller]
    fn deref_mut(&mut self) -> &mut T {
        self.assert_valid_for_deref();
        &mut self.data
    }
}

impl<T> Drop for SendWrapper<T> {
    /// Drops the value on its own thread. Elsewhere it panics, unless the
    /// value needs no drop or the thread is already panicking (then the
    /// value is leaked), as crates.io's send_wrapper does.
    #[track_caller]
    fn drop(&mut self) {
        if !std::mem::needs_drop::<T>() || self.valid() {
            // SAFETY: dropped once, here; `data` is not touched again.
            unsafe { ManuallyDrop::drop(&mut self.data) };
        } else if !std::thread::panicking() {
            invalid_drop();
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for SendWrapper<T> {
    /// # Panics
    /// On any thread but the one that wrapped the value.
    #[track_caller]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendWrapper")
            .field("data", self.deref())
            .finish()
    }
}

impl<T: Clone> Clone for SendWrapper<T> {
    /// # Panics
    /// On any thread but the one that wrapped the value.
    #[track_caller]
    fn clone(&self) -> Self {
        Self::new(self.deref().clone())
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn invalid_deref() -> ! {
    panic!("a SendWrapper's value was used on a thread other than the one that wrapped it")
}

#[cfg(feature = "futures")]
#[cold]
#[inline(never)]
#[track_caller]
fn invalid_poll() -> ! {
    panic!("a SendWrapper's future or stream was polled on a thread other than the one that wrapped it")
}

#[cold]
#[inline(never)]
#[track_caller]
fn invalid_drop() {
    panic!("a SendWrapper's value was dropped on a thread other than the one that wrapped it")
}

#[cfg(test)]
mod tests {
    use super::SendWrapper;
    use std::rc::Rc;

    #[test]
    fn the_value_is_reached_on_its_own_thread() {
        let mut w = SendWrapper::new(Rc::new(41));
        assert!(w.valid());
        *Rc::get_mut(&mut w).unwrap() += 1;
        assert_eq!(**w, 42);
        assert_eq!(
            format!("{:?}", SendWrapper::new(7)),
            "SendWrapper { data: 7 }"
        );
        let copy = w.clone();
        assert_eq!(*copy.take(), 42);
        assert_eq!(*w.take(), 42);
    }

    #[test]
    fn the_value_is_dropped_once() {
        let counted = Rc::new(());
        let w = SendWrapper::new(Rc::clone(&counted));
        assert_eq!(Rc::strong_count(&counted), 2);
        drop(w);
        assert_eq!(Rc::strong_count(&counted), 1);
        let w = SendWrapper::new(Rc::clone(&counted));
        let taken = w.take();
        assert_eq!(Rc::strong_count(&counted), 2);
        drop(taken);
        assert_eq!(Rc::strong_count(&counted), 1);
    }

    /// Where threads exist, another thread is refused: it may move and
    /// hold the wrapper, not use it.
    #[cfg(not(all(target_arch = "wasm32", not(target_feature = "atomics"))))]
    #[test]
    fn another_thread_is_refused() {
        use std::{sync::Arc, thread};
        let w = Arc::new(SendWrapper::new(Rc::new(1)));
        let shared = Arc::clone(&w);
        let on_other = thread::spawn(move || {
            let valid = shared.valid();
            let used = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ***shared));
            // Handed back, so that the wrapper is dropped at home.
            (valid, used.is_err(), shared)
        })
        .join()
        .unwrap();
        assert_eq!((on_other.0, on_other.1), (false, true));
        drop(on_other.2);
        assert_eq!(***w, 1);
    }

    #[cfg(not(all(target_arch = "wasm32", not(target_feature = "atomics"))))]
    #[test]
    fn dropping_on_another_thread_panics_unless_nothing_needs_dropping() {
        use std::thread;
        let needs_drop = SendWrapper::new(vec![1]);
        let outcome = thread::spawn(move || drop(needs_drop)).join();
        assert!(outcome.is_err(), "dropping a Vec elsewhere must panic");
        let plain = SendWrapper::new(5u32);
        thread::spawn(move || drop(plain)).join().unwrap();
    }
}
