//! CRC-32 (IEEE 802.3, the one of zip, gzip and PNG: reflected polynomial
//! `0xEDB88320`, initial value and final XOR `0xFFFFFFFF`), a bit at a time.
//! Written here to keep the crate's dependencies to serde, serde_json and
//! miniz_oxide.
//!
//! A CRC-32 notices every change confined to 32 consecutive bits, so every
//! changed, swapped or doubled character of a short text; other changes
//! slip through once in 2^32.
//!
//! No 256-entry table: its kilobyte does not compress, and the page's first
//! download would carry it to check one link. Eight shifts a byte instead
//! take 0.25 ms for 50 KB and 5.6 ms for 1 MiB, the longest link the
//! playground reads, against 2.6 ms with the table (natively, the median
//! of nine; BENCHMARKS.md, "First load").

/// The reflected polynomial.
const POLY: u32 = 0xEDB8_8320;

/// The CRC-32 of `bytes`.
pub(crate) fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            // The polynomial when the bit shifted out is 1, else nothing.
            crc = (crc >> 1) ^ (POLY & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b"a"), 0xE8B7_BE43);
        assert_eq!(crc32(b"abc"), 0x3524_41C2);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
        assert_eq!(crc32(&[0u8; 32]), 0x190A_55AD);
        assert_eq!(crc32(&[0xffu8; 32]), 0xFF6C_AB0B);
    }

    /// The bit-at-a-time loop against the usual byte-at-a-time table
    /// (each entry built by the textbook branch on the low bit).
    #[test]
    fn bits_agree_with_the_table() {
        let mut table = [0u32; 256];
        for (i, entry) in table.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 == 1 { POLY ^ (c >> 1) } else { c >> 1 };
            }
            *entry = c;
        }
        let by_table = |bytes: &[u8]| {
            let mut crc = !0u32;
            for &b in bytes {
                crc = table[usize::from((crc as u8) ^ b)] ^ (crc >> 8);
            }
            !crc
        };
        let bytes: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        for len in 0..bytes.len() {
            assert_eq!(crc32(&bytes[..len]), by_table(&bytes[..len]), "{len}");
        }
    }

    /// Every single-byte change of a text changes its CRC.
    #[test]
    fn every_changed_byte_is_noticed() {
        let text = b"d2.JU6xboMwFAwGYwOR3DLSqkKdujC06pglnVqpAyUfEBnsNKgk";
        let crc = crc32(text);
        for i in 0..text.len() {
            for b in 0..=255u8 {
                if b != text[i] {
                    let mut changed = text.to_vec();
                    changed[i] = b;
                    assert_ne!(crc32(&changed), crc, "{i} {b}");
                }
            }
        }
    }
}
