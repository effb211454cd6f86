//! The stand-in's two conversions in headless Chromium: a Rust stream
//! through a JavaScript `ReadableStream` and back gives the same chunks,
//! an error and an end as the Rust stream did, and each side's cancel
//! reaches the other.

use std::cell::Cell;
use std::rc::Rc;

use futures_util::{stream, StreamExt};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use wasm_streams::ReadableStream;

wasm_bindgen_test_configure!(run_in_browser);

fn chunks(values: &[f64]) -> Vec<Result<JsValue, JsValue>> {
    values.iter().map(|&v| Ok(JsValue::from_f64(v))).collect()
}

fn numbers(items: &[Result<JsValue, JsValue>]) -> Vec<Result<f64, String>> {
    items
        .iter()
        .map(|item| match item {
            Ok(v) => v.as_f64().ok_or_else(|| format!("not a number: {v:?}")),
            Err(e) => Err(e.as_string().unwrap_or_else(|| format!("{e:?}"))),
        })
        .collect()
}

#[wasm_bindgen_test]
async fn a_stream_comes_back_as_it_went_in() {
    let raw = ReadableStream::from_stream(stream::iter(chunks(&[1.0, 2.0, 3.0]))).into_raw();
    let back: Vec<_> = ReadableStream::from_raw(raw).into_stream().collect().await;
    assert_eq!(numbers(&back), vec![Ok(1.0), Ok(2.0), Ok(3.0)]);

    let raw = ReadableStream::from_stream(stream::iter(Vec::new())).into_raw();
    let back: Vec<_> = ReadableStream::from_raw(raw).into_stream().collect().await;
    assert!(back.is_empty());
}

#[wasm_bindgen_test]
async fn an_error_is_the_last_item() {
    let mut items = chunks(&[7.0]);
    items.push(Err(JsValue::from_str("broken")));
    items.extend(chunks(&[8.0]));
    let raw = ReadableStream::from_stream(stream::iter(items)).into_raw();
    let back: Vec<_> = ReadableStream::from_raw(raw).into_stream().collect().await;
    assert_eq!(numbers(&back), vec![Ok(7.0), Err("broken".to_string())]);
}

#[wasm_bindgen_test]
async fn no_item_is_asked_before_the_reader_pulls() {
    let asked = Rc::new(Cell::new(0));
    let counted = Rc::clone(&asked);
    let source = stream::iter(0..100).map(move |i| {
        counted.set(counted.get() + 1);
        Ok(JsValue::from_f64(f64::from(i)))
    });
    let raw = ReadableStream::from_stream(source).into_raw();
    let mut read = ReadableStream::from_raw(raw).into_stream();
    let first = read.next().await.map(|item| item.map(|v| v.as_f64()));
    assert_eq!(first, Some(Ok(Some(0.0))));
    // One item read, and once every pull under way has run, the queue
    // holds none ahead of the reader.
    next_task().await;
    assert_eq!(asked.get(), 1);
}

#[wasm_bindgen_test]
async fn dropping_the_rust_stream_cancels_the_javascript_one() {
    // A JavaScript stream that records its cancel.
    let stream: web_sys::ReadableStream = js_sys::eval(
        "(() => { let n = 0; const s = new ReadableStream({ \
           pull(c) { c.enqueue(n++); }, \
           cancel() { s.wasCancelled = true; } }); return s; })()",
    )
    .expect("a stream")
    .unchecked_into();
    let mut read = ReadableStream::from_raw(stream.clone()).into_stream();
    assert!(read.next().await.is_some());
    drop(read);
    // The cancel is awaited in a task of its own.
    next_task().await;
    let was = js_sys::Reflect::get(&stream, &"wasCancelled".into()).expect("a property");
    assert_eq!(was.as_bool(), Some(true));
}

#[wasm_bindgen_test]
async fn cancelling_the_javascript_stream_drops_the_rust_one() {
    let (dropped, guard) = drop_flag();
    let source = stream::iter(0..).map(move |i| {
        let _ = &guard;
        Ok(JsValue::from_f64(f64::from(i)))
    });
    let raw = ReadableStream::from_stream(source).into_raw();
    JsFuture::from(raw.cancel()).await.expect("cancelled");
    assert!(dropped.get());
}

#[wasm_bindgen_test]
async fn cancelling_while_an_item_is_awaited_drops_the_rust_stream() {
    let (dropped, guard) = drop_flag();
    // A stream whose first item never comes.
    let source = stream::poll_fn(move |_| {
        let _ = &guard;
        std::task::Poll::<Option<Result<JsValue, JsValue>>>::Pending
    });
    let raw = ReadableStream::from_stream(source).into_raw();
    let reader: web_sys::ReadableStreamDefaultReader = raw.get_reader().unchecked_into();
    let read = reader.read();
    next_task().await;
    assert!(
        !dropped.get(),
        "the stream is held while its item is awaited"
    );
    JsFuture::from(reader.cancel()).await.expect("cancelled");
    next_task().await;
    assert!(dropped.get(), "the cancel dropped the stream");
    // The read under way ends as the cancel ends a stream.
    let result = JsFuture::from(read).await.expect("a read result");
    let done = js_sys::Reflect::get(&result, &"done".into()).expect("done");
    assert_eq!(done.as_bool(), Some(true));
}

/// Sets its flag when dropped.
struct Dropped(Rc<Cell<bool>>);

impl Drop for Dropped {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

/// A flag, and a guard that sets it when dropped (to move into a stream).
fn drop_flag() -> (Rc<Cell<bool>>, Dropped) {
    let dropped = Rc::new(Cell::new(false));
    (Rc::clone(&dropped), Dropped(dropped))
}

/// Waits for a macrotask, so that every task queued before has run.
async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let window = web_sys::window().expect("a window");
        window
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
            .expect("a timeout");
    });
    JsFuture::from(promise).await.expect("a timeout");
}
