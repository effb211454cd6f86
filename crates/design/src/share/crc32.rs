//! CRC-32 (IEEE 802.3, the one of zip, gzip and PNG: reflected polynomial
//! `0xEDB88320`, initial value and final XOR `0xFFFFFFFF`), a byte at a time
//! from a 256-entry table built at compile time. Written here to keep the
//! crate's dependencies to serde, serde_json and miniz_oxide.
//!
//! A CRC-32 notices every change confined to 32 consecutive bits, so every
//! changed, swapped or doubled character of a short text; other changes
//! slip through once in 2^32.

/// The remainder of each byte value, for the byte-at-a-time loop.
const TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut bit = 0;
        while bit < 8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            bit += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// The CRC-32 of `bytes`.
pub(crate) fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc = TABLE[usize::from((crc as u8) ^ b)] ^ (crc >> 8);
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

    /// The table against the bit-at-a-time definition.
    #[test]
    fn the_table_is_the_polynomial() {
        let slow = |bytes: &[u8]| {
            let mut crc = !0u32;
            for &b in bytes {
                crc ^= u32::from(b);
                for _ in 0..8 {
                    crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
                }
            }
            !crc
        };
        let bytes: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        for len in 0..bytes.len() {
            assert_eq!(crc32(&bytes[..len]), slow(&bytes[..len]), "{len}");
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
