//! Share links: a whole design, with the kata and the seed it runs with,
//! in the fragment of a URL (`https://…/#d2.…`), so that opening the link
//! restores exactly what was shared. Described for people in
//! `docs/design-format.md` ("Share links").
//!
//! A link is `d2.`, the base64url spelling (no padding) of a raw deflate
//! stream of a compact binary payload (laid out as in `v1`), then `.` and a
//! six-letter checksum of all the text before it (see `checksum.rs`): a link
//! with any one character changed, added or lost is refused as
//! [`ShareError::Damaged`] instead of opening to another design. The prefix
//! versions the whole link: `d1.` links, made before the checksum, have the
//! same payload and no checksum, and keep opening forever; a later
//! playground that needs another layout writes `d3.…` (keeping the
//! checksum ending, so a damaged `d3` link is told from one too new).
//!
//! [`decode`] never panics. A text that is no link, or a damaged one, gives
//! a [`ShareError`] whose `Display` a learner understands; otherwise the
//! design inside goes through the same checks and repairs as a JSON file
//! ([`crate::format::parse`]), each reported as a [`Diagnostic`].
//!
//! ```
//! use design::{share, Design, NodeKind, Point};
//!
//! let mut d = Design::default();
//! let users = d.add_node(NodeKind::Users, Point { x: 64.0, y: 160.0 });
//! let cdn = d.add_node(NodeKind::Cdn, Point { x: 256.0, y: 160.0 });
//! d.connect(&users, &cdn).expect("users read through a CDN");
//!
//! let link = share::encode(&d, "status-dashboard", 7);
//! assert!(link.starts_with("d2."));
//! let shared = share::decode(&format!("https://example.org/play/#{link}"))
//!     .expect("a link we made");
//! assert_eq!(shared.design, d);
//! assert_eq!((shared.kata.as_str(), shared.seed), ("status-dashboard", 7));
//! assert!(shared.diagnostics.is_empty());
//!
//! // One character changed: refused, never another design.
//! let damaged = link.replacen("d2.", "d2.A", 1);
//! assert_eq!(share::decode(&damaged), Err(share::ShareError::Damaged));
//! ```

use std::fmt;

use crate::diagnostic::Diagnostic;
use crate::document::Design;
use crate::format::{self, FormatError};
use crate::validate::{check_id, shorten};

mod base64url;
mod checksum;
mod crc32;
mod v1;
mod wire;

use checksum::Ending;

/// The link format [`encode`] writes and the newest [`decode`] reads.
pub const VERSION: u64 = 2;

/// The most bytes the compressed payload of a link may unpack to. A
/// 2,000-node design needs far less; the limit stops a small crafted link
/// from unpacking to gigabytes.
pub const MAX_INFLATED_BYTES: usize = 256 * 1024;

/// The longest link text [`decode`] looks at, in bytes. Longer text is
/// refused as [`ShareError::TooLarge`] before any decoding.
pub const MAX_LINK_BYTES: usize = 1024 * 1024;

/// What a share link holds.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Shared {
    /// The design, with every bad piece dropped or repaired: it always
    /// passes [`crate::validate()`] without diagnostics.
    pub design: Design,
    /// The kata the design was shared for (its id, such as
    /// `"status-dashboard"`), or `""` for none. Not checked against the
    /// katas that exist: that is the app's business.
    pub kata: String,
    /// The seed of the simulated run, so the receiver sees the same run.
    pub seed: u64,
    /// What was dropped, repaired or ignored while reading the link; empty
    /// for every link [`encode`] makes from a valid design.
    pub diagnostics: Vec<Diagnostic>,
}

/// Why a text could not be opened as a share link. Its `Display` says so in
/// words a learner understands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareError {
    /// The text (or the URL's fragment) does not start with `d<version>.`.
    NotALink,
    /// The link's checksum does not match its text, or a `d2` link has no
    /// checksum: a character was changed, added or lost while copying.
    Damaged,
    /// The link was made by a newer playground, in a format this one does
    /// not read.
    TooNew {
        /// The link format found (`3` for `d3.…`).
        version: u64,
    },
    /// After the prefix there are characters that are not base64url, or a
    /// length no base64url text has: the link was changed while copying.
    /// (A `d2` link whose checksum matches cannot have been; only `d1`
    /// links, or ones made by hand, give this.)
    NotBase64,
    /// The compressed data is damaged or cut off: it does not unpack.
    Corrupted,
    /// The link is longer than [`MAX_LINK_BYTES`] or unpacks to more than
    /// [`MAX_INFLATED_BYTES`].
    TooLarge,
    /// The data unpacks but does not follow the layout of a design.
    Malformed {
        /// What is wrong, completing "what is inside is not a design (…)":
        /// "it stops in the middle", "there is more after the end of the
        /// design"…
        problem: &'static str,
    },
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareError::NotALink => f.write_str(
                "This is not a design link: a design link ends in “#d2.” followed by letters, digits, “-”, “_” and “.”.",
            ),
            ShareError::Damaged => f.write_str(
                "This design link is damaged: its checksum does not match, so a character was changed, added or lost while copying. Copy the whole link again, or ask for it again.",
            ),
            ShareError::TooNew { version } => write!(
                f,
                "This link was made by a newer version of the playground (link format d{version}); this one opens links up to d{VERSION}. Reload the page to get the newest playground."
            ),
            ShareError::NotBase64 => f.write_str(
                "This design link contains characters that do not belong in it, or is missing some; it was probably changed while copying. Copy the whole link again.",
            ),
            ShareError::Corrupted => f.write_str(
                "This design link is damaged or cut off, so the design in it cannot be unpacked. Copy the whole link again.",
            ),
            ShareError::TooLarge => write!(
                f,
                "This design link is too large to open: it holds more than {} KiB, far more than any design needs.",
                MAX_INFLATED_BYTES / 1024
            ),
            ShareError::Malformed { problem } => write!(
                f,
                "This design link unpacks, but what is inside is not a design ({problem}); it may have been cut off or edited by hand. Copy the whole link again."
            ),
        }
    }
}

impl std::error::Error for ShareError {}

/// The share link of `design` for `kata` run with `seed`: `d2.`, the
/// payload and its checksum, to put after the `#` of the playground's URL.
/// [`decode`] gives back exactly the same design (ids, labels, positions
/// and parameters included), kata and seed. A 12-node design takes about
/// 235 characters.
///
/// Never fails: a design that would not validate is written as it is, and
/// [`decode`] repairs it as [`crate::format::parse`] repairs its JSON (a
/// connection to a node that does not exist is left out).
pub fn encode(design: &Design, kata: &str, seed: u64) -> String {
    let payload = v1::write(design, kata, seed);
    let packed = miniz_oxide::deflate::compress_to_vec(&payload, 10);
    let head = format!("d{VERSION}.{}", base64url::encode(&packed));
    let sum = checksum::sum(&head);
    format!("{head}.{sum}")
}

/// Reads a share link: `d2.…` or `d1.…`, the same after a `#`, or a whole
/// URL whose fragment is one; spaces around it are ignored.
///
/// Returns a [`ShareError`] when the text is not a link, comes from a newer
/// playground, is damaged, cut off or too large; a `d2` link with any one
/// character changed, added or lost is always [`ShareError::Damaged`].
/// Otherwise returns the design with every bad piece dropped or repaired,
/// as [`crate::format::parse`] does for a file, and a diagnostic for each;
/// a kata name that is not a plain name (over 64 characters, spaces,
/// control characters) is replaced by `""` with a warning. Never panics.
///
/// It is [`packed`], [`inflate`] and [`read_inflated`] in turn. A web page
/// may unpack the middle step with the browser's own inflater instead (a
/// `DecompressionStream("deflate-raw")`), keeping the rules [`inflate`]
/// states, and then carries no inflater of its own.
pub fn decode(text: &str) -> Result<Shared, ShareError> {
    read_inflated(&inflate(&packed(text)?)?)
}

/// A link's design still packed: what its base64url text spells, once
/// the prefix and the checksum are checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packed {
    /// A raw deflate stream (RFC 1951, no zlib or gzip wrapper) of the
    /// payload [`read_inflated`] reads.
    pub deflated: Vec<u8>,
}

/// The first step of [`decode`]: finds the link in `text` (as [`decode`]
/// says), checks its version and checksum and reads its base64url text.
/// Every [`ShareError`] but [`ShareError::Corrupted`], [`ShareError::Malformed`]
/// and an unpacked [`ShareError::TooLarge`] comes from here.
pub fn packed(text: &str) -> Result<Packed, ShareError> {
    let text = text.trim();
    if text.len() > MAX_LINK_BYTES {
        return Err(ShareError::TooLarge);
    }
    match text.split_once('#') {
        None => read_link(text),
        // A link with a `#` typed into it is judged whole, so that it is
        // refused as damaged rather than as no link.
        Some((_, fragment)) => match read_link(fragment) {
            Err(ShareError::NotALink) => match read_link(text) {
                Err(err) if err != ShareError::NotALink => Err(err),
                _ => Err(ShareError::NotALink),
            },
            read => read,
        },
    }
}

/// Reads a link without its `#`.
fn read_link(text: &str) -> Result<Packed, ShareError> {
    match (split_version(text), checksum::ending(text)) {
        (Some((2, _)), Ending::Good(head)) => {
            let body = split_version(head).map_or("", |(_, body)| body);
            read_base64(body)
        }
        (Some((version, _)), Ending::Good(_)) if version > VERSION => {
            Err(ShareError::TooNew { version })
        }
        (_, Ending::Bad) | (Some((2, _)), _) => Err(ShareError::Damaged),
        // d1 links have no checksum.
        (Some((1, body)), _) => read_base64(body),
        (Some((version, _)), _) => Err(ShareError::TooNew { version }),
        (None, _) => Err(ShareError::NotALink),
    }
}

/// The packed payload a link's base64url text spells, the same in `d1`
/// and `d2` links.
fn read_base64(body: &str) -> Result<Packed, ShareError> {
    let deflated = base64url::decode(body).ok_or(ShareError::NotBase64)?;
    Ok(Packed { deflated })
}

/// `d<version>.<body>` → `(version, body)`, for a version from 1 up.
fn split_version(text: &str) -> Option<(u64, &str)> {
    let rest = text.strip_prefix('d')?;
    let (digits, body) = rest.split_once('.')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // A version too large for u64 is still a newer one.
    let version = digits.parse::<u64>().unwrap_or(u64::MAX);
    (version >= 1).then_some((version, body))
}

/// The second step of [`decode`]: unpacks the deflate stream. The rules,
/// which an inflater in a browser must keep too: more than
/// [`MAX_INFLATED_BYTES`] unpacked is [`ShareError::TooLarge`]; a stream
/// that is damaged, cut off, or followed by more bytes after its end is
/// [`ShareError::Corrupted`].
pub fn inflate(packed: &Packed) -> Result<Vec<u8>, ShareError> {
    use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
    use miniz_oxide::inflate::TINFLStatus;
    let input = packed.deflated.as_slice();
    // One byte over the limit tells "too large" from "exactly the limit";
    // the whole output is the window the stream's matches copy from.
    let mut out = vec![0; MAX_INFLATED_BYTES + 1];
    let mut state = Box::<DecompressorOxide>::default();
    let flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let (status, read, written) = decompress(&mut state, input, &mut out, 0, flags);
    match status {
        TINFLStatus::HasMoreOutput => Err(ShareError::TooLarge),
        _ if written > MAX_INFLATED_BYTES => Err(ShareError::TooLarge),
        // Done gives back the bytes it read ahead: `read` ends where the
        // stream does.
        TINFLStatus::Done if read == input.len() => {
            out.truncate(written);
            Ok(out)
        }
        _ => Err(ShareError::Corrupted),
    }
}

/// The last step of [`decode`]: reads the unpacked payload (the layout of
/// `v1`, the same in `d1` and `d2` links) and the design in it.
pub fn read_inflated(payload: &[u8]) -> Result<Shared, ShareError> {
    let payload = v1::read(payload).map_err(|problem| ShareError::Malformed { problem })?;
    finish(payload.kata, payload.seed, payload.document)
}

/// Checks the kata name and reads the design through the JSON format's
/// checks and repairs.
fn finish(kata: String, seed: u64, document: serde_json::Value) -> Result<Shared, ShareError> {
    let mut diagnostics = Vec::new();
    let kata = match check_id(&kata) {
        Err(reason) if !kata.is_empty() => {
            diagnostics.push(Diagnostic::warning(
                None,
                format!(
                    "The link's kata name “{}” {reason}; it was ignored.",
                    shorten(&kata)
                ),
            ));
            String::new()
        }
        _ => kata,
    };
    // Read from the parsed payload itself: writing it out as text to parse
    // it again took a third of opening a 1,000-node link.
    let parsed = format::parse_value(document).map_err(|err| match err {
        FormatError::TooLarge { .. } => ShareError::TooLarge,
        // The document is JSON with version 1 by construction.
        _ => ShareError::Malformed {
            problem: "its design could not be read",
        },
    })?;
    diagnostics.extend(parsed.diagnostics);
    Ok(Shared {
        design: parsed.design,
        kata,
        seed,
        diagnostics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(split_version("d1.abc"), Some((1, "abc")));
        assert_eq!(split_version("d1."), Some((1, "")));
        assert_eq!(split_version("d12.x.y"), Some((12, "x.y")));
        assert_eq!(
            split_version("d99999999999999999999999.x"),
            Some((u64::MAX, "x"))
        );
        for bad in [
            "", "d", "d.", "d0.x", "dx.y", "d1", "D1.x", "e1.x", "d-1.x", "d+1.x",
        ] {
            assert_eq!(split_version(bad), None, "{bad}");
        }
    }

    fn packed_of(bytes: &[u8]) -> Packed {
        Packed {
            deflated: miniz_oxide::deflate::compress_to_vec(bytes, 10),
        }
    }

    #[test]
    fn inflate_gives_back_what_was_packed() {
        for n in [0, 1, 63, 64, 65, 1_000, 70_000] {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 7 % 251) as u8).collect();
            assert_eq!(inflate(&packed_of(&bytes)), Ok(bytes), "{n} bytes");
        }
        let limit = vec![0u8; MAX_INFLATED_BYTES];
        assert_eq!(
            inflate(&packed_of(&limit)).map(|v| v.len()),
            Ok(MAX_INFLATED_BYTES)
        );
    }

    #[test]
    fn inflate_keeps_its_rules() {
        let over = vec![0u8; MAX_INFLATED_BYTES + 1];
        assert_eq!(inflate(&packed_of(&over)), Err(ShareError::TooLarge));
        let huge = vec![7u8; 4 * MAX_INFLATED_BYTES];
        assert_eq!(inflate(&packed_of(&huge)), Err(ShareError::TooLarge));
        let text = b"a design, a design, a design, packed".repeat(20);
        let good = packed_of(&text);
        // Cut off anywhere: refused.
        for cut in 0..good.deflated.len() {
            let short = Packed {
                deflated: good.deflated[..cut].to_vec(),
            };
            assert_eq!(inflate(&short), Err(ShareError::Corrupted), "cut at {cut}");
        }
        // Bytes after the end of the stream: refused, as browsers refuse them.
        for junk in [&[0u8][..], &[1, 2, 3]] {
            let mut longer = good.clone();
            longer.deflated.extend_from_slice(junk);
            assert_eq!(inflate(&longer), Err(ShareError::Corrupted), "{junk:?}");
        }
        // A block type that does not exist (0b11).
        let bad = Packed {
            deflated: vec![0b111, 0, 0],
        };
        assert_eq!(inflate(&bad), Err(ShareError::Corrupted));
    }

    #[test]
    fn errors_read_as_sentences() {
        let all = [
            ShareError::NotALink,
            ShareError::Damaged,
            ShareError::TooNew { version: 3 },
            ShareError::NotBase64,
            ShareError::Corrupted,
            ShareError::TooLarge,
            ShareError::Malformed {
                problem: "it stops in the middle",
            },
        ];
        for err in all {
            let words = err.to_string();
            assert!(words.starts_with("This "), "{words}");
            assert!(words.ends_with('.'), "{words}");
        }
        assert!(ShareError::TooNew { version: 3 }
            .to_string()
            .contains("made by a newer version of the playground"));
        assert!(ShareError::TooLarge.to_string().contains("256 KiB"));
    }
}
