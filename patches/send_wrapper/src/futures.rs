//! A wrapped future or stream is polled only on the thread that wrapped it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use crate::SendWrapper;

impl<F: Future> Future for SendWrapper<F> {
    type Output = F::Output;

    /// # Panics
    /// On any thread but the one that wrapped the future.
    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.assert_valid_for_poll();
        // SAFETY: the future is never moved out of a pinned wrapper (`take`
        // consumes the wrapper, which a pinned one cannot give up), so
        // pinning the wrapper pins the future. (A pinned future dropped on
        // another thread is leaked, not dropped, as crates.io's crate does;
        // in a single-threaded wasm build that cannot happen.)
        unsafe { self.map_unchecked_mut(|w| &mut *w.data) }.poll(cx)
    }
}

impl<S: Stream> Stream for SendWrapper<S> {
    type Item = S::Item;

    /// # Panics
    /// On any thread but the one that wrapped the stream.
    #[track_caller]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.assert_valid_for_poll();
        // SAFETY: as for `Future::poll`.
        unsafe { self.map_unchecked_mut(|w| &mut *w.data) }.poll_next(cx)
    }

    #[track_caller]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.assert_valid_for_poll();
        self.data.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::SendWrapper;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    #[test]
    fn a_wrapped_future_is_polled_on_its_thread() {
        let mut fut = pin!(SendWrapper::new(async { 3 }));
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready(3));
    }
}
