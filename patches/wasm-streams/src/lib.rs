//! The playground's stand-in for crates.io's `wasm-streams` 0.5, patched in
//! by the workspace's `Cargo.toml` (`[patch.crates-io]`).
//!
//! Leptos depends on `server_fn`, whose browser client takes two
//! conversions from `wasm-streams`: a Rust stream into a JavaScript
//! `ReadableStream` (a streaming request's body) and back (a streaming
//! response's body). The playground calls no server function, so neither
//! runs in it. But the real crate exports three classes to JavaScript
//! (`IntoUnderlyingSource`, `IntoUnderlyingByteSource`,
//! `IntoUnderlyingSink`), and the linker keeps every export, used or not,
//! with the futures machinery behind them: the page's first download
//! carried 6.7 KB (gzipped) of code that nothing calls.
//!
//! This crate gives `server_fn` the same two conversions, built on the
//! browser's own stream classes and closures, and exports nothing. Only
//! what `server_fn` 0.8 uses is here; a Leptos whose `server_fn` needs more
//! fails to build, and one that no longer uses `wasm-streams` 0.5 leaves
//! the patch unused (cargo warns), after which the size gate
//! (`scripts/size.sh`) says whether the classes came back.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_util::future::{abortable, AbortHandle};
use futures_util::{Stream, StreamExt};
use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

/// A boxed stream of JavaScript values, as `from_stream` takes them.
type Source = Pin<Box<dyn Stream<Item = Result<JsValue, JsValue>>>>;

/// What the pull and the cancel of a `from_stream` source share.
struct Pulled {
    /// The stream while no pull holds it; `None` once it ended, errored or
    /// was cancelled.
    stream: Option<Source>,
    /// The pull under way, to abort on a cancel.
    pulling: Option<AbortHandle>,
}

/// A JavaScript `ReadableStream`, to be made from a Rust stream or read as
/// one.
pub struct ReadableStream {
    raw: web_sys::ReadableStream,
}

impl ReadableStream {
    /// Wraps a JavaScript `ReadableStream`.
    pub fn from_raw(raw: web_sys::ReadableStream) -> Self {
        Self { raw }
    }

    /// The JavaScript `ReadableStream` this wraps.
    pub fn into_raw(self) -> web_sys::ReadableStream {
        self.raw
    }

    /// A `ReadableStream` whose chunks are `stream`'s items: each item is
    /// asked of `stream` when the reader pulls (no chunk is queued ahead),
    /// an `Err` errors the stream, and the end of `stream` closes it.
    /// Cancelling the `ReadableStream` drops `stream`, stopping an item
    /// it was asked for.
    pub fn from_stream<St>(stream: St) -> Self
    where
        St: Stream<Item = Result<JsValue, JsValue>> + 'static,
    {
        let shared = Rc::new(RefCell::new(Pulled {
            stream: Some(Box::pin(stream)),
            pulling: None,
        }));
        let pulled = Rc::clone(&shared);
        let pull = Closure::<dyn FnMut(web_sys::ReadableStreamDefaultController) -> Promise>::new(
            move |controller: web_sys::ReadableStreamDefaultController| {
                let shared = Rc::clone(&pulled);
                let taken = shared.borrow_mut().stream.take();
                let Some(mut stream) = taken else {
                    return Promise::resolve(&JsValue::UNDEFINED);
                };
                // The stream travels with the item it was asked for, so
                // that no borrow is held across the await, and aborting
                // the pull (a cancel) drops it.
                let (next, pulling) = abortable(async move {
                    let item = stream.next().await;
                    (stream, item)
                });
                shared.borrow_mut().pulling = Some(pulling);
                future_to_promise(async move {
                    let Ok((stream, item)) = next.await else {
                        // Cancelled: the stream went with the pull.
                        return Ok(JsValue::UNDEFINED);
                    };
                    shared.borrow_mut().pulling = None;
                    match item {
                        Some(Ok(chunk)) => {
                            shared.borrow_mut().stream = Some(stream);
                            controller.enqueue_with_chunk(&chunk)?;
                        }
                        Some(Err(error)) => controller.error_with_e(&error),
                        None => controller.close()?,
                    }
                    Ok(JsValue::UNDEFINED)
                })
            },
        );
        let cancel = Closure::<dyn FnMut(JsValue)>::new(move |_reason: JsValue| {
            let (stream, pulling) = {
                let mut shared = shared.borrow_mut();
                (shared.stream.take(), shared.pulling.take())
            };
            if let Some(pulling) = pulling {
                pulling.abort();
            }
            drop(stream);
        });
        let underlying = web_sys::UnderlyingSource::new();
        // The closures now belong to the stream: JavaScript's collector
        // frees them with it.
        underlying.set_pull(pull.into_js_value().unchecked_ref());
        underlying.set_cancel(cancel.into_js_value().unchecked_ref());
        let strategy = web_sys::QueuingStrategy::new();
        strategy.set_high_water_mark(0.0);
        // The constructor throws only for a malformed source or strategy,
        // and these two are well formed.
        let raw = web_sys::ReadableStream::new_with_underlying_source_and_strategy(
            &underlying,
            &strategy,
        )
        .expect_throw("a ReadableStream from a pull source");
        Self { raw }
    }

    /// Reads the stream as a Rust stream of its chunks: an error reading
    /// is the last item. Dropping the Rust stream before the end cancels
    /// the `ReadableStream`.
    pub fn into_stream(self) -> IntoStream {
        let reader = self
            .raw
            .get_reader()
            .unchecked_into::<web_sys::ReadableStreamDefaultReader>();
        IntoStream {
            reader: Some(reader),
            read: None,
        }
    }
}

/// The Rust stream of a `ReadableStream`'s chunks (`ReadableStream::into_stream`).
pub struct IntoStream {
    /// `None` once the stream ended or errored.
    reader: Option<web_sys::ReadableStreamDefaultReader>,
    /// The read under way, if any.
    read: Option<JsFuture>,
}

impl Stream for IntoStream {
    type Item = Result<JsValue, JsValue>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let Some(reader) = &this.reader else {
            return Poll::Ready(None);
        };
        let read = this
            .read
            .get_or_insert_with(|| JsFuture::from(reader.read()));
        let Poll::Ready(result) = Pin::new(read).poll(cx) else {
            return Poll::Pending;
        };
        this.read = None;
        let chunk = result.and_then(|result| {
            let done = Reflect::get(&result, &"done".into())?
                .as_bool()
                .unwrap_or(true);
            (!done)
                .then(|| Reflect::get(&result, &"value".into()))
                .transpose()
        });
        match chunk {
            Ok(Some(value)) => Poll::Ready(Some(Ok(value))),
            Ok(None) => {
                this.reader = None;
                Poll::Ready(None)
            }
            Err(error) => {
                this.reader = None;
                Poll::Ready(Some(Err(error)))
            }
        }
    }
}

impl Drop for IntoStream {
    fn drop(&mut self) {
        if let Some(reader) = self.reader.take() {
            // Awaited so that a refusal is not an uncaught rejection.
            let cancelled = JsFuture::from(reader.cancel());
            wasm_bindgen_futures::spawn_local(async move {
                let _ = cancelled.await;
            });
        }
    }
}
