//! The checksum that ends every link from format 2 on: `.` and six
//! base64url letters spelling a 36-bit number, big-endian, whose top four
//! bits are the length in bytes of everything before the `.` (the *head*,
//! `d2.…`) modulo 16 and whose low 32 bits are the head's CRC-32.
//!
//! The checksum covers the link's own text, prefix included, not the bytes
//! it spells, so two spellings of the same bytes are two different links and
//! a change to the version number is noticed. Every one-character change is
//! caught, with no exception: a changed character in the head changes the
//! CRC-32 (a character is 8 bits, and a CRC-32 catches every change within
//! 32 consecutive bits); an added or lost one changes the length; a change
//! in the six letters themselves no longer spells the head's sum; and a
//! change to the `.` before them leaves no ending at all.

use super::base64url::ALPHABET;
use super::crc32::crc32;

/// How many letters the checksum has.
pub(crate) const LEN: usize = 6;

/// The shortest head an ending is looked for after. The shortest link
/// `encode` makes has an 11-byte head; this keeps a short text such as
/// `notes.readme` from being taken for a damaged link.
const MIN_HEAD: usize = 8;

/// The six letters that end the link whose text before the `.` is `head`.
pub(crate) fn sum(head: &str) -> String {
    let value = ((head.len() as u64 % 16) << 32) | u64::from(crc32(head.as_bytes()));
    (0..LEN)
        .map(|i| char::from(ALPHABET[((value >> (6 * (LEN - 1 - i))) & 0x3f) as usize]))
        .collect()
}

/// What the end of a text says about its checksum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ending<'a> {
    /// The text does not end in `.` and six base64url letters after a head
    /// that could be a link's.
    Missing,
    /// It does, and they are the sum of the head, given here.
    Good(&'a str),
    /// It does, they are not the head's sum, and the head is made of a
    /// link's characters (letters, digits, `-`, `_`, `.`) but for at most
    /// one: a link with a character changed, added or lost.
    Bad,
}

/// Reads the checksum at the end of `text`.
pub(crate) fn ending(text: &str) -> Ending<'_> {
    let Some((head, letters)) = text.rsplit_once('.') else {
        return Ending::Missing;
    };
    let is_letter = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if letters.len() != LEN || !letters.chars().all(is_letter) || head.len() < MIN_HEAD {
        return Ending::Missing;
    }
    if sum(head) == letters {
        return Ending::Good(head);
    }
    let strangers = head.chars().filter(|&c| !is_letter(c) && c != '.').count();
    if strangers <= 1 {
        Ending::Bad
    } else {
        Ending::Missing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sum_spells_the_length_and_the_crc() {
        // "123456789" is 9 bytes long and has the CRC-32 0xCBF43926:
        // 0x9_CBF4_3926 in six letters of six bits.
        let value: u64 = 0x9_CBF4_3926;
        let expected: String = (0..6)
            .map(|i| char::from(ALPHABET[((value >> (30 - 6 * i)) & 63) as usize]))
            .collect();
        assert_eq!(sum("123456789"), expected);
        assert_eq!(sum("123456789"), "nL9Dkm");
        assert_eq!(sum(""), "AAAAAA");
    }

    #[test]
    fn endings() {
        let head = "d2.AAAAAAAA";
        let link = format!("{head}.{}", sum(head));
        assert_eq!(ending(&link), Ending::Good(head));
        assert_eq!(ending("d2.AAAAAAAA.AAAAAA"), Ending::Bad);
        assert_eq!(ending("x2.AAAAAAAA.AAAAAA"), Ending::Bad);
        assert_eq!(ending("d2.AA%AAAAA.AAAAAA"), Ending::Bad);
        for missing in [
            "",
            "d2.AAAAAAAA",
            "d2.AAAAAAAA.AAAAA",
            "d2.AAAAAAAA.AAAAAAA",
            "d2.AAAAAAAA.AAA%AA",
            "d2.AAA.AAAAAA",
            "my notes on it.readme",
            "d1.JU6xboMwFAwGYwOR3DLSqkKdujC06pglnVqpAyUf",
        ] {
            assert_eq!(ending(missing), Ending::Missing, "{missing}");
        }
    }
}
