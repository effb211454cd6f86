//! Base64url without padding (`docs/design-format.md`, "The text"): the
//! alphabet `A–Z a–z 0–9 - _`, safe in a URL fragment without escaping.
//! Written by hand to keep the crate's dependencies to serde, serde_json
//! and miniz_oxide.
//!
//! Decoding is strict: only the 64 letters of the alphabet, no padding, no
//! spaces, and the unused low bits of the last letter must be zero, so every
//! byte string has exactly one spelling and a changed last letter is noticed.

pub(crate) const ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `bytes` in base64url without padding.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        // A chunk of k bytes gives k + 1 letters.
        for i in 0..=chunk.len() {
            let six = (n >> (18 - 6 * i)) & 0x3f;
            out.push(char::from(ALPHABET[six as usize]));
        }
    }
    out
}

/// The value of one letter, if it is in the alphabet.
fn value(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// The bytes spelled by `text`, or `None` if it is not canonical base64url
/// without padding (a letter outside the alphabet, a length that leaves a
/// single letter over, or non-zero unused bits at the end).
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    let text = text.as_bytes();
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    for chunk in text.chunks(4) {
        let mut n: u32 = 0;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c)? << (18 - 6 * i);
        }
        // k letters carry k - 1 whole bytes; the bits after them must be 0.
        let whole = chunk.len() - 1;
        let unused_bits = 24 - 8 * whole;
        if n & ((1u32 << unused_bits) - 1) != 0 {
            return None;
        }
        for i in 0..whole {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4648_vectors() {
        let cases: [(&[u8], &str); 7] = [
            (b"", ""),
            (b"f", "Zg"),
            (b"fo", "Zm8"),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg"),
            (b"fooba", "Zm9vYmE"),
            (b"foobar", "Zm9vYmFy"),
        ];
        for (bytes, text) in cases {
            assert_eq!(encode(bytes), text);
            assert_eq!(decode(text).as_deref(), Some(bytes));
        }
    }

    #[test]
    fn uses_the_url_safe_letters() {
        assert_eq!(encode(&[0xfb, 0xff, 0xbf]), "-_-_");
        assert_eq!(decode("-_-_"), Some(vec![0xfb, 0xff, 0xbf]));
        assert_eq!(encode(&[0xff]), "_w");
    }

    #[test]
    fn round_trips_every_byte_and_length() {
        let bytes: Vec<u8> = (0..=255).collect();
        for len in 0..bytes.len() {
            let text = encode(&bytes[..len]);
            assert_eq!(text.len(), (len * 4).div_ceil(3));
            assert_eq!(decode(&text).as_deref(), Some(&bytes[..len]));
        }
    }

    #[test]
    fn refuses_what_is_not_canonical() {
        for bad in [
            "Zg==", "Zm9v+", "Zm9/", "Zm 9v", "Z", "Zm9vY", "é", "Zh", "Zm9", "Zm-",
        ] {
            // "Zh" and "Zm-" spell the same bytes as "Zg" and "Zm8" with
            // non-zero unused bits.
            assert_eq!(decode(bad), None, "{bad}");
        }
    }
}
