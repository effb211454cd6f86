//! The building blocks of the binary payload inside a share link: unsigned
//! LEB128 varints, zigzag signed integers, length-prefixed UTF-8 text,
//! compact numbers and raw little-endian `f64`s.
//!
//! Link formats depend on these exact byte layouts: change nothing here.
//! A later link format that needs another layout adds its own helpers.

/// 2^53: integers below it in magnitude are exact in an `f64`.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// The powers of ten a compact number may be scaled by (see [`Writer::num`]).
const POW10: [f64; 7] = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6];

/// The scale tag saying "an 8-byte `f64` follows".
const RAW: u64 = 7;

/// What is wrong with a payload, completing "what is inside is not a
/// design (…)".
pub(crate) type Problem = &'static str;

/// Signed to unsigned, small magnitudes to small numbers: 0, -1, 1, -2… →
/// 0, 1, 2, 3…
pub(crate) fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// The inverse of [`zigzag`].
pub(crate) fn unzigzag(u: u64) -> i64 {
    ((u >> 1) as i64) ^ -((u & 1) as i64)
}

/// The value a compact number `(m, e)` stands for: `m / 10^e`. The encoder
/// checks its choice with this very function, so decoding is exact.
fn scaled(m: i64, e: usize) -> f64 {
    let p = POW10.get(e).copied().unwrap_or(1.0);
    if e == 0 {
        m as f64
    } else {
        m as f64 / p
    }
}

/// `v` as a whole number that converts back to exactly `v` (bit for bit,
/// so never -0.0), if it is one.
pub(crate) fn exact_int(v: f64) -> Option<i64> {
    if v.fract() == 0.0 && v.abs() < EXACT {
        let i = v as i64;
        ((i as f64).to_bits() == v.to_bits()).then_some(i)
    } else {
        None
    }
}

/// Appends the payload's pieces to a byte vector.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    pub(crate) bytes: Vec<u8>,
}

impl Writer {
    pub(crate) fn byte(&mut self, b: u8) {
        self.bytes.push(b);
    }

    /// Unsigned LEB128: seven bits a byte, low bits first, the top bit set
    /// on every byte but the last.
    pub(crate) fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.bytes.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.bytes.push(v as u8);
    }

    /// A signed integer, zigzagged then as a varint.
    pub(crate) fn signed(&mut self, v: i64) {
        self.varint(zigzag(v));
    }

    /// Text: its length in bytes as a varint, then its UTF-8 bytes.
    pub(crate) fn text(&mut self, s: &str) {
        self.varint(s.len() as u64);
        self.bytes.extend_from_slice(s.as_bytes());
    }

    /// Any `f64`, exactly, in as few bytes as it allows: a varint `t` whose
    /// low three bits `e` (0 to 6) scale the zigzagged integer `m = t >> 3`
    /// to `m / 10^e` (so 30 takes 1 byte, 0.35 or 12.5 two); when no such
    /// `m` and `e` give back exactly `v` (bit for bit: -0.0, NaN, 0.1 + 0.2…),
    /// `t = 7` and the 8 bytes of `v` follow, little-endian.
    pub(crate) fn num(&mut self, v: f64) {
        for (e, p) in POW10.iter().enumerate() {
            let m = (v * p).round();
            if m.abs() < EXACT {
                let m = m as i64;
                if scaled(m, e).to_bits() == v.to_bits() {
                    self.varint((zigzag(m) << 3) | e as u64);
                    return;
                }
            }
        }
        self.varint(RAW);
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
}

/// Reads the payload's pieces from a byte slice; every read fails with a
/// [`Problem`] instead of reading past the end.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
}

const STOPS: Problem = "it stops in the middle";

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes }
    }

    /// How many bytes are left.
    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len()
    }

    pub(crate) fn byte(&mut self) -> Result<u8, Problem> {
        let (&b, rest) = self.bytes.split_first().ok_or(STOPS)?;
        self.bytes = rest;
        Ok(b)
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8], Problem> {
        let n = usize::try_from(n).map_err(|_| STOPS)?;
        if n > self.bytes.len() {
            return Err(STOPS);
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    /// An unsigned LEB128 varint of at most 64 bits.
    pub(crate) fn varint(&mut self) -> Result<u64, Problem> {
        let mut v: u64 = 0;
        for i in 0..10 {
            let b = self.byte()?;
            let bits = u64::from(b & 0x7f);
            if i == 9 && bits > 1 {
                return Err("a number in it is too large");
            }
            v |= bits << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("a number in it is too large")
    }

    /// A zigzagged signed varint.
    pub(crate) fn signed(&mut self) -> Result<i64, Problem> {
        self.varint().map(unzigzag)
    }

    /// A varint used as a count or an index.
    pub(crate) fn count(&mut self) -> Result<usize, Problem> {
        usize::try_from(self.varint()?).map_err(|_| "a count in it is too large")
    }

    /// Length-prefixed UTF-8 text.
    pub(crate) fn text(&mut self) -> Result<String, Problem> {
        let len = self.varint()?;
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| "a piece of its text is not valid UTF-8")
    }

    /// A number written by [`Writer::num`].
    pub(crate) fn num(&mut self) -> Result<f64, Problem> {
        let t = self.varint()?;
        let e = (t & 7) as usize;
        if t & 7 == RAW {
            if t != RAW {
                return Err("a number in it is spelled wrongly");
            }
            let raw = self.take(8)?;
            let mut le = [0u8; 8];
            le.copy_from_slice(raw);
            return Ok(f64::from_le_bytes(le));
        }
        Ok(scaled(unzigzag(t >> 3), e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_are_leb128() {
        let cases: [(u64, &[u8]); 6] = [
            (0, &[0]),
            (1, &[1]),
            (127, &[0x7f]),
            (128, &[0x80, 0x01]),
            (300, &[0xac, 0x02]),
            (
                u64::MAX,
                &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
            ),
        ];
        for (v, bytes) in cases {
            let mut w = Writer::default();
            w.varint(v);
            assert_eq!(w.bytes, bytes, "{v}");
            let mut r = Reader::new(bytes);
            assert_eq!(r.varint(), Ok(v));
            assert_eq!(r.remaining(), 0);
        }
    }

    #[test]
    fn varints_refuse_overflow_and_truncation() {
        let too_big = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert!(Reader::new(&too_big).varint().is_err());
        let too_long = [0x80; 11];
        assert!(Reader::new(&too_long).varint().is_err());
        assert_eq!(Reader::new(&[0x80]).varint(), Err(STOPS));
        assert_eq!(Reader::new(&[]).varint(), Err(STOPS));
    }

    #[test]
    fn zigzag_pairs() {
        for (v, u) in [(0i64, 0u64), (-1, 1), (1, 2), (-2, 3), (2, 4)] {
            assert_eq!(zigzag(v), u);
            assert_eq!(unzigzag(u), v);
        }
        for v in [i64::MIN, i64::MAX, -123_456_789, 987_654_321] {
            assert_eq!(unzigzag(zigzag(v)), v);
        }
    }

    fn num_bytes(v: f64) -> Vec<u8> {
        let mut w = Writer::default();
        w.num(v);
        w.bytes
    }

    #[test]
    fn compact_numbers() {
        // 30 = 30 / 10^0: zigzag 60, shifted 480 → two bytes; 1 → one.
        assert_eq!(num_bytes(1.0), [2 << 3]);
        assert_eq!(num_bytes(30.0), [0xe0, 0x03]);
        // 0.35 = 35 / 10^2 → (70 << 3) | 2.
        assert_eq!(num_bytes(0.35), [0xb2, 0x04]);
        assert_eq!(num_bytes(-0.0).len(), 9);
        assert_eq!(num_bytes(f64::NAN).len(), 9);
        assert_eq!(num_bytes(0.1 + 0.2).len(), 9);
        for v in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.35,
            12.5,
            0.1,
            0.01,
            1e-7,
            123_456.789,
            -2_000.5,
            1e6,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            0.1 + 0.2,
            9_007_199_254_740_991.0,
            9_007_199_254_740_992.0,
        ] {
            let bytes = num_bytes(v);
            let mut r = Reader::new(&bytes);
            let back = r.num().unwrap();
            assert_eq!(back.to_bits(), v.to_bits(), "{v}");
            assert_eq!(r.remaining(), 0);
        }
    }

    #[test]
    fn raw_numbers_must_be_spelled_canonically() {
        let mut bytes = vec![0x0f];
        bytes.extend_from_slice(&1.5f64.to_le_bytes());
        assert!(Reader::new(&bytes).num().is_err());
        assert_eq!(Reader::new(&[7, 0, 0]).num(), Err(STOPS));
    }

    #[test]
    fn exact_ints() {
        assert_eq!(exact_int(16.0), Some(16));
        assert_eq!(exact_int(-3.0), Some(-3));
        assert_eq!(exact_int(-0.0), None);
        assert_eq!(exact_int(0.5), None);
        assert_eq!(exact_int(f64::NAN), None);
        assert_eq!(exact_int(1e300), None);
    }

    #[test]
    fn text_is_length_prefixed_utf8() {
        let mut w = Writer::default();
        w.text("Status API ✓");
        let mut r = Reader::new(&w.bytes);
        assert_eq!(r.text().as_deref(), Ok("Status API ✓"));
        assert!(Reader::new(&[2, 0xff, 0xfe]).text().is_err());
        assert_eq!(Reader::new(&[5, b'a']).text(), Err(STOPS));
        assert_eq!(
            Reader::new(&[0xff, 0xff, 0xff, 0xff, 0x0f]).text(),
            Err(STOPS)
        );
    }
}
