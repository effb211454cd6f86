//! Reading a share link on the page: `design::share`'s steps, with the
//! middle one (unpacking the raw deflate stream) done by the browser's own
//! inflater, a `DecompressionStream("deflate-raw")`, so that the page's
//! first download carries no inflater of its own. The browser unpacks
//! asynchronously, so reading a link is `async`; natively (the tests, the
//! `kata` tool) `design::share::decode` reads the same links the same way.
//!
//! The rules are `design::share::inflate`'s: more than
//! `MAX_INFLATED_BYTES` unpacked is too large (the stream is cancelled
//! there, so a crafted link cannot fill the memory), and a stream that is
//! damaged, cut off or followed by more bytes is corrupted (the browser
//! refuses all three with a `TypeError`).

use std::fmt;

use design::share::{self, Packed, ShareError, Shared, MAX_INFLATED_BYTES};
use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ReadableStreamDefaultReader, ReadableStreamReadResult, ReadableWritablePair};

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
}

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
    let inflated = inflate(&packed).await?;
    Ok(share::read_inflated(&inflated)?)
}

/// Unpacks `packed` with the browser's inflater, keeping
/// `design::share::inflate`'s rules.
async fn inflate(packed: &Packed) -> Result<Vec<u8>, LinkError> {
    let inflater = DecompressionStream::new("deflate-raw").map_err(|_| LinkError::NoInflater)?;
    let parts = Array::of1(&Uint8Array::from(packed.deflated.as_slice()));
    let blob = Blob::new_with_u8_array_sequence(&parts).map_err(|_| LinkError::NoInflater)?;
    // A DecompressionStream is a readable and writable pair itself.
    let unpacked = blob
        .stream()
        .pipe_through(inflater.unchecked_ref::<ReadableWritablePair>());
    let reader: ReadableStreamDefaultReader = unpacked.get_reader().unchecked_into();
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
            // Stop unpacking; what cancelling answers does not matter.
            let _ = reader.cancel();
            return Err(ShareError::TooLarge.into());
        }
        bytes.resize(end, 0);
        chunk.copy_to(&mut bytes[start..]);
    }
}
