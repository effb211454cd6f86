//! Reading a share link on the page: `design::share`'s steps, with the
//! middle one (unpacking the raw deflate stream) done by the browser's own
//! inflater, a `DecompressionStream("deflate-raw")`, so that the page's
//! first download carries no inflater of its own. The browser unpacks
//! asynchronously, so reading a link is `async`; natively (the tests, the
//! `kata` tool) `design::share::decode` reads the same links the same way.
//!
//! The rules are `design::share::inflate`'s: more than
//! `MAX_INFLATED_BYTES` unpacked is too large, and a stream that is
//! damaged, cut off or followed by more bytes is corrupted (current
//! browsers refuse all three with a `TypeError`). The stream is fed 256
//! bytes at a time, each once the output of the one before has been read,
//! and cancelled at the limit: an inflater unpacks the whole of what it
//! is given at once, and 256 bytes of deflate unpack to at most 264 KB,
//! so a crafted link cannot make the browser unpack gigabytes. A stream
//! fails as a whole, dropping what it unpacked but was not read yet: so a
//! link both too large and damaged is too large here, as natively, unless
//! both show in the same 256 bytes (only a link made by hand can be either).

use std::fmt;

use design::share::{self, Packed, ShareError, Shared, MAX_INFLATED_BYTES};
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    ReadableStream, ReadableStreamDefaultReader, ReadableStreamReadResult, WritableStream,
    WritableStreamDefaultWriter,
};

// web-sys has `DecompressionStream` only among its unstable APIs (behind
// a cfg for the whole crate); its constructor is all the page needs.
#[wasm_bindgen]
extern "C" {
    /// The browser's inflater: a readable and writable stream pair.
    #[wasm_bindgen(extends = js_sys::Object)]
    type DecompressionStream;

    /// `new DecompressionStream(format)`; throws for a format the
    /// browser does not know.
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<DecompressionStream, JsValue>;

    /// Where the packed bytes go in.
    #[wasm_bindgen(method, getter)]
    fn writable(this: &DecompressionStream) -> WritableStream;

    /// Where the unpacked bytes come out.
    #[wasm_bindgen(method, getter)]
    fn readable(this: &DecompressionStream) -> ReadableStream;
}

/// How many packed bytes the inflater is given at a time.
const FEED_BYTES: usize = 256;

/// Why a link could not be opened on the page.
#[derive(Clone, Debug, PartialEq)]
pub enum LinkError {
    /// What `design::share` refuses natively too.
    Share(ShareError),
    /// This browser has no `DecompressionStream` for raw deflate (browsers
    /// older than 2023 do not), so no link can be unpacked here.
    NoInflater,
}

impl From<ShareError> for LinkError {
    fn from(error: ShareError) -> Self {
        LinkError::Share(error)
    }
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::Share(error) => error.fmt(f),
            LinkError::NoInflater => f.write_str(
                "This browser cannot unpack design links (it has no DecompressionStream for raw deflate). Open the link in a current version of Chrome, Edge, Firefox or Safari.",
            ),
        }
    }
}

/// Reads a share link as `design::share::decode` does: the same designs,
/// the same errors.
pub async fn decode(text: &str) -> Result<Shared, LinkError> {
    let packed = share::packed(text)?;
    let inflated = inflate(packed).await?;
    Ok(share::read_inflated(&inflated)?)
}

/// Unpacks `packed` with the browser's inflater, keeping
/// `design::share::inflate`'s rules.
async fn inflate(packed: Packed) -> Result<Vec<u8>, LinkError> {
    let inflater = DecompressionStream::new("deflate-raw").map_err(|_| LinkError::NoInflater)?;
    // A new stream is not locked: taking its writer and reader cannot fail.
    let writer = inflater
        .writable()
        .get_writer()
        .map_err(|_| ShareError::Corrupted)?;
    let reader: ReadableStreamDefaultReader = inflater.readable().get_reader().unchecked_into();
    wasm_bindgen_futures::spawn_local(feed(writer, packed.deflated));
    let mut bytes = Vec::new();
    loop {
        // A damaged, cut off or overlong stream rejects the read.
        let read: ReadableStreamReadResult = JsFuture::from(reader.read())
            .await
            .map_err(|_| ShareError::Corrupted)?
            .unchecked_into();
        if read.get_done().unwrap_or(true) {
            return Ok(bytes);
        }
        // The stream's chunks are Uint8Arrays.
        let chunk: Uint8Array = read.get_value().unchecked_into();
        let start = bytes.len();
        let end = start.saturating_add(chunk.length() as usize);
        if end > MAX_INFLATED_BYTES {
            // Stop unpacking (the feeder stops too); how the stream
            // answers does not matter, but it is awaited, so that no
            // refusal goes unheard to the console.
            let _ = JsFuture::from(reader.cancel()).await;
            return Err(ShareError::TooLarge.into());
        }
        bytes.resize(end, 0);
        chunk.copy_to(&mut bytes[start..]);
    }
}

/// Gives the inflater `packed` a [`FEED_BYTES`] piece at a time, then
/// closes it. The inflater takes a piece only once the output of the one
/// before has been read; an empty piece last waits for the output of the
/// last one, so that no unpacked byte is dropped when closing finds the
/// stream cut off. (Chromium hands a piece's output to the waiting read
/// in one chunk, so there it is never dropped; the standard lets a
/// browser enqueue it in several.) Stops when the stream fails or is
/// cancelled: the reader says why.
async fn feed(writer: WritableStreamDefaultWriter, packed: Vec<u8>) {
    for piece in packed.chunks(FEED_BYTES).chain([&[][..]]) {
        let taken = JsFuture::from(writer.write_with_chunk(&Uint8Array::from(piece))).await;
        if taken.is_err() {
            return;
        }
    }
    let _ = JsFuture::from(writer.close()).await;
}
