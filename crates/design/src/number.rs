//! Numbers read from what a person typed, and written for people.
//!
//! **Reading** ([`parse_decimal`], crate-internal): a decimal number a
//! person typed ("0.5", "+3", ".25", "1e3"). The number goes through
//! `serde_json`'s parser, which the crate has for design documents anyway,
//! rather than `str::parse::<f64>`: that one brings the standard library's
//! own decimal-to-float tables into every program that reads input, and
//! the page's wasm would then carry two exact float parsers. Both round
//! correctly (`serde_json` is built with `float_roundtrip`), so a number
//! reads as the very same `f64` either way; the tests check it. What JSON
//! would refuse but people write (a `+`, a bare `.5` or `5.`, leading
//! zeros) is rewritten as JSON first.
//!
//! **Writing** ([`shortest`], [`fixed`]): the same text `format!("{}", v)`
//! and `format!("{:.2}", v)` give for an `f64`, without the standard
//! library's float formatter. For the same reason as above: `serde_json`
//! brings a shortest-digits float writer of its own, and a program that
//! also formats floats with `{}` carries two (the standard library's cost
//! the page's first download 8.5 KB gzipped, with its tables). Everything
//! the page writes before its later part comes (a node's position, an
//! edge's path, a viewBox, a repaired coordinate's message) goes through
//! these two; the tests check them against the standard library's output.
//! [`clamp`] is `f64::clamp` without its bounds check, whose panic
//! message writes floats.

use std::fmt;

/// The value of `text` (surrounding whitespace allowed) if it is a finite
/// decimal number: an optional sign, digits with an optional decimal
/// point (at least one digit), and an optional exponent (`e` or `E`, an
/// optional sign, digits). `None` for anything else, including `inf` and
/// `NaN`.
pub(crate) fn parse_decimal(text: &str) -> Option<f64> {
    let text = text.trim();
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((w, f)) => (w, f),
        None => (mantissa, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) || (whole.is_empty() && fraction.is_empty()) {
        return None;
    }
    let mut json = String::with_capacity(text.len() + 3);
    if negative {
        json.push('-');
    }
    let whole = whole.trim_start_matches('0');
    json.push_str(if whole.is_empty() { "0" } else { whole });
    if !fraction.is_empty() {
        json.push('.');
        json.push_str(fraction);
    }
    if let Some(exponent) = exponent {
        let unsigned = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if unsigned.is_empty() || !digits(unsigned) {
            return None;
        }
        json.push('e');
        json.push_str(exponent);
    }
    let value: f64 = serde_json::from_str(&json).ok()?;
    value.is_finite().then_some(value)
}

/// `value` as `format!("{value}")` writes it: the fewest digits that read
/// back as the same `f64`, in plain decimal notation (never an exponent),
/// `-` for a negative sign (also `-0`), and `inf`, `-inf` or `NaN`.
///
/// The digits come from `serde_json`'s float writer (shortest round trip,
/// like the standard library's); only the notation is changed here. The
/// two differ only when the exact value lies halfway between two shortest
/// writings (a 16- or 17-digit number such as 1005047712472451.25): the
/// last digit is then rounded to even here, up by the standard library,
/// and both read back as the same `f64`.
pub fn shortest(value: f64) -> Shortest {
    Shortest(value)
}

/// [`shortest`] as a `String`: an SVG attribute's number, a CSS value.
pub fn plain(value: f64) -> String {
    shortest(value).to_string()
}

/// An `f64` written with [`shortest`]'s digits (see there).
#[derive(Clone, Copy, Debug)]
pub struct Shortest(f64);

impl fmt::Display for Shortest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = self.0;
        let Some(number) = serde_json::Number::from_f64(value) else {
            return f.write_str(non_finite(value));
        };
        // serde_json writes "300.0", "0.001", "1e+16", "-1.5e-7".
        let json = number.to_string();
        let (negative, json) = match json.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, json.as_str()),
        };
        let (mantissa, exponent) = match json.split_once('e') {
            Some((m, e)) => (m, e.trim_start_matches('+').parse::<i32>().unwrap_or(0)),
            None => (json, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let fraction = fraction.trim_end_matches('0');
        // The digits without leading zeros, and where the decimal point
        // goes among them (may be before the first or after the last).
        let digits: String = [whole, fraction].concat();
        let leading = digits.len() - digits.trim_start_matches('0').len();
        let digits = &digits[leading..];
        let point = whole.len() as i32 + exponent - leading as i32;
        let mut out = String::with_capacity(digits.len() + 4);
        if negative {
            out.push('-');
        }
        write_plain(&mut out, digits, point);
        f.write_str(&out)
    }
}

/// `value` rounded to `places` decimals, as `format!("{value:.places$}")`
/// writes it: the exact binary value rounded half to even, then every
/// decimal written (`2.50`, `-0.0` for a small negative number), and
/// `inf`, `-inf` or `NaN`. Exact for up to 22 places while `|value| ×
/// 10^places` is below 2^113 (about 10^34), which is all the page asks
/// (0–2 places, values far below 10^30); beyond, the digits are
/// [`shortest`]'s, padded with zeros (1e40 to 2 places gives 1 and 40
/// zeros, then `.00`, where `{:.2}` writes the binary value's 41 exact
/// digits, `10000000000000000303786028427003666890752.00`).
pub fn fixed(value: f64, places: u8) -> Fixed {
    Fixed { value, places }
}

/// An `f64` rounded to a number of decimals (see [`fixed`]).
#[derive(Clone, Copy, Debug)]
pub struct Fixed {
    value: f64,
    places: u8,
}

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Fixed { value, places } = *self;
        if !value.is_finite() {
            return f.write_str(non_finite(value));
        }
        let places = usize::from(places);
        let mut out = String::new();
        if value.is_sign_negative() {
            out.push('-');
        }
        match scaled_and_rounded(value.abs(), places) {
            // value × 10^places as an integer: its last `places` digits
            // are the decimals.
            Some(units) => {
                let digits = format!("{units:0>width$}", width = places + 1);
                let (whole, decimals) = digits.split_at(digits.len() - places);
                out.push_str(whole);
                if places > 0 {
                    out.push('.');
                    out.push_str(decimals);
                }
            }
            None => {
                let plain = shortest(value.abs()).to_string();
                let written = plain.split_once('.').map_or(0, |(_, d)| d.len());
                out.push_str(&plain);
                if places > written {
                    if written == 0 {
                        out.push('.');
                    }
                    out.extend(std::iter::repeat_n('0', places - written));
                }
            }
        }
        f.write_str(&out)
    }
}

/// `value` kept within `lo..=hi` (`lo ≤ hi`), as `f64::clamp` keeps it: a
/// NaN stays NaN. Unlike `f64::clamp` it has no check that panics when
/// `lo > hi`, whose message writes both bounds with the standard
/// library's float formatter: with bounds that are not constants (a
/// parameter's range, a run's length), that check alone brought the
/// formatter into the page. Callers pass bounds with `lo ≤ hi`; if they
/// did not, the value would be compared with `lo` first.
pub fn clamp(value: f64, lo: f64, hi: f64) -> f64 {
    if value < lo {
        lo
    } else if value > hi {
        hi
    } else {
        value
    }
}

/// How the standard library writes a number that is not finite.
fn non_finite(value: f64) -> &'static str {
    if value.is_nan() {
        "NaN"
    } else if value > 0.0 {
        "inf"
    } else {
        "-inf"
    }
}

/// Appends significant `digits` (no leading zero; empty means 0) with the
/// decimal point `point` digits after the first one (before it when
/// negative), in plain notation, without trailing zeros after the point.
fn write_plain(out: &mut String, digits: &str, point: i32) {
    if digits.is_empty() {
        out.push('0');
        return;
    }
    match usize::try_from(point) {
        Err(_) | Ok(0) => {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', point.unsigned_abs() as usize));
            out.push_str(digits.trim_end_matches('0'));
        }
        Ok(point) if point >= digits.len() => {
            out.push_str(digits);
            out.extend(std::iter::repeat_n('0', point - digits.len()));
        }
        Ok(point) => {
            let (whole, decimals) = digits.split_at(point);
            out.push_str(whole);
            let decimals = decimals.trim_end_matches('0');
            if !decimals.is_empty() {
                out.push('.');
                out.push_str(decimals);
            }
        }
    }
}

/// `x × 10^places` rounded half to even, exactly, for a finite `x ≥ 0`;
/// `None` when that does not fit the arithmetic below (`x × 10^places ≥
/// 2^113`).
fn scaled_and_rounded(x: f64, places: usize) -> Option<u128> {
    let power = 10u128.checked_pow(u32::try_from(places).ok()?)?;
    // x = mantissa × 2^exponent exactly.
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    let (mantissa, exponent) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), biased - 1075)
    };
    if mantissa == 0 {
        return Some(0);
    }
    let scaled = u128::from(mantissa).checked_mul(power)?;
    if exponent >= 0 {
        let shift = u32::try_from(exponent).ok()?;
        if shift >= scaled.leading_zeros().saturating_sub(15) {
            return None;
        }
        return Some(scaled << shift);
    }
    let shift = exponent.unsigned_abs();
    if shift >= 128 {
        // The quotient is 0 (even): round up only past one half, 2^127
        // when shift = 128 (scaled < 2^128 ≤ the half beyond).
        return Some(u128::from(shift == 128 && scaled > 1u128 << 127));
    }
    let quotient = scaled >> shift;
    let remainder = scaled & ((1u128 << shift) - 1);
    let half = 1u128 << (shift - 1);
    let round_up = remainder > half || (remainder == half && quotient & 1 == 1);
    Some(quotient + u128::from(round_up))
}

#[cfg(test)]
mod tests {
    use super::{clamp, fixed, parse_decimal, shortest};
    use proptest::prelude::*;

    /// What the standard library reads, kept to finite numbers.
    fn std_value(text: &str) -> Option<f64> {
        let t = text.trim();
        // The standard library also reads "inf", "infinity" and "nan".
        if t.bytes()
            .any(|b| b.is_ascii_alphabetic() && !matches!(b, b'e' | b'E'))
        {
            return None;
        }
        t.parse::<f64>().ok().filter(|v| v.is_finite())
    }

    #[test]
    fn reads_what_people_type() {
        for (text, want) in [
            ("0.5", Some(0.5)),
            (" 30 ", Some(30.0)),
            ("+3", Some(3.0)),
            ("-2.5", Some(-2.5)),
            (".25", Some(0.25)),
            ("5.", Some(5.0)),
            ("007", Some(7.0)),
            ("1e3", Some(1000.0)),
            ("2.5E-3", Some(0.0025)),
            ("1e+2", Some(100.0)),
            ("-0", Some(-0.0)),
            ("", None),
            ("-", None),
            (".", None),
            ("e5", None),
            ("1e", None),
            ("1e+", None),
            ("1.2.3", None),
            ("1,000", None),
            ("1_000", None),
            ("inf", None),
            ("NaN", None),
            ("1e400", None),
            ("ten", None),
            ("--1", None),
            ("0x10", None),
        ] {
            let got = parse_decimal(text);
            assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "{text:?}");
        }
    }

    #[test]
    fn hard_cases_round_as_the_standard_library_does() {
        for text in [
            "0.1",
            "0.30000000000000004",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            "4.9e-324",
            "1.7976931348623157e308",
            "9007199254740993",
            "123456789012345678901234567890",
            "0.000000000000000000000000000001",
            "1.00000000000000011102230246251565404236316680908203125",
        ] {
            assert_eq!(
                parse_decimal(text).map(f64::to_bits),
                std_value(text).map(f64::to_bits),
                "{text}"
            );
        }
    }

    proptest! {
        /// Any number written as people write numbers reads as the same
        /// `f64` the standard library reads.
        #[test]
        fn agrees_with_the_standard_library(
            sign in prop::sample::select(vec!["", "+", "-"]),
            whole in "[0-9]{0,20}",
            point in any::<bool>(),
            fraction in "[0-9]{0,20}",
            exponent in prop::option::of((prop::sample::select(vec!["e", "E"]), prop::sample::select(vec!["", "+", "-"]), 0u32..330)),
        ) {
            let mut text = format!("{sign}{whole}");
            if point {
                text.push('.');
                text.push_str(&fraction);
            }
            if let Some((e, s, n)) = exponent {
                text.push_str(&format!("{e}{s}{n}"));
            }
            prop_assert_eq!(
                parse_decimal(&text).map(f64::to_bits),
                std_value(&text).map(f64::to_bits),
                "{}", text
            );
        }

        /// Every finite f64, as Rust prints it, reads back as itself.
        #[test]
        fn reads_back_what_rust_prints(bits in any::<u64>()) {
            let v = f64::from_bits(bits);
            prop_assume!(v.is_finite());
            prop_assert_eq!(parse_decimal(&v.to_string()).map(f64::to_bits), Some(v.to_bits()));
            prop_assert_eq!(parse_decimal(&format!("{v:e}")).map(f64::to_bits), Some(v.to_bits()));
        }
    }

    /// Numbers whose writing is easy to get wrong: zeros, halves, powers
    /// of ten at the edges of serde_json's exponent notation, the
    /// smallest and largest values.
    const AWKWARD: [f64; 30] = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        0.05,
        0.125,
        2.5,
        -2.5,
        0.1,
        0.3,
        0.35,
        1e15,
        1e16,
        1e17,
        1e21,
        1e22,
        1e23,
        0.001,
        0.0001,
        1e-5,
        1e-7,
        1.5e-7,
        12345678.9,
        9007199254740993.0,
        5e-324,
        2.2250738585072014e-308,
        f64::MAX,
        f64::NAN,
        f64::INFINITY,
    ];

    #[test]
    fn clamp_keeps_what_f64_clamp_keeps() {
        let values = [
            -2.0,
            -0.0,
            0.0,
            0.5,
            1.0,
            3.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for v in values {
            for (lo, hi) in [
                (0.0, 1.0),
                (-1.0, -1.0),
                (-0.0, 0.0),
                (f64::NEG_INFINITY, 2.0),
            ] {
                let (ours, std) = (clamp(v, lo, hi), v.clamp(lo, hi));
                assert_eq!(ours.to_bits(), std.to_bits(), "{v} in {lo}..={hi}");
            }
        }
    }

    #[test]
    fn shortest_writes_what_the_standard_library_writes() {
        for v in AWKWARD
            .into_iter()
            .chain([f64::NEG_INFINITY, -f64::MAX, 0.1 + 0.2])
        {
            assert_eq!(shortest(v).to_string(), format!("{v}"), "{v:e}");
        }
    }

    #[test]
    fn fixed_writes_what_the_standard_library_writes() {
        let exact = AWKWARD
            .into_iter()
            .filter(|v| !v.is_finite() || v.abs() < 1e25);
        for v in exact.chain([f64::NEG_INFINITY, -0.01, -0.04, 0.045, 1.005, 999.95]) {
            for places in 0..=4u8 {
                let p = usize::from(places);
                assert_eq!(
                    fixed(v, places).to_string(),
                    format!("{v:.p$}"),
                    "{v:e} to {p}"
                );
            }
        }
        // Exact up to 2^113; beyond, the shortest digits, padded.
        assert_eq!(fixed(1e30, 2).to_string(), format!("{:.2}", 1e30));
        assert_eq!(
            fixed(1e40, 2).to_string(),
            format!("1{}.00", "0".repeat(40))
        );
        assert_eq!(fixed(0.1, 23).to_string(), "0.10000000000000000000000");
        // Exact halves round to even, as the standard library does.
        for (v, places, want) in [
            (0.5, 0, "0"),
            (1.5, 0, "2"),
            (2.5, 0, "2"),
            (0.125, 2, "0.12"),
            (0.375, 2, "0.38"),
            (-0.5, 0, "-0"),
        ] {
            assert_eq!(fixed(v, places).to_string(), want);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// Any f64 at all is written as `{}` writes it, but for the last
        /// digit of a value exactly halfway between two shortest
        /// writings: both then read back as the value.
        #[test]
        fn shortest_agrees_on_any_f64(bits in any::<u64>()) {
            let v = f64::from_bits(bits);
            let ours = shortest(v).to_string();
            let std = format!("{v}");
            if ours != std {
                prop_assert_eq!(ours.len(), std.len(), "{} against {}", ours, std);
                prop_assert_eq!(&ours[..ours.len() - 1], &std[..std.len() - 1]);
                prop_assert_eq!(ours.parse::<f64>().map(f64::to_bits), Ok(bits));
                // A tie: ours rounded to even, the standard library up.
                let last = |s: &str| s.bytes().last().map_or(0, |b| b - b'0');
                prop_assert_eq!(last(&ours) % 2, 0);
                prop_assert_eq!(last(&std), last(&ours) + 1);
            }
        }

        /// Any f64 below 10^25 (where the writing is exact) is written
        /// as `{:.N}` writes it, for 0 to 6 places; tiny numbers too.
        #[test]
        fn fixed_agrees_below_ten_to_the_twenty_five(
            negative in any::<bool>(),
            biased_exponent in 0u64..=1105,
            fraction in any::<u64>(),
            places in 0u8..=6,
        ) {
            // Below 2^83 (≈ 9.7 × 10^24), subnormals included.
            let bits = (u64::from(negative) << 63)
                | (biased_exponent << 52)
                | (fraction & ((1 << 52) - 1));
            let v = f64::from_bits(bits);
            let p = usize::from(places);
            prop_assert_eq!(fixed(v, places).to_string(), format!("{v:.p$}"));
        }

        /// Numbers the page writes (coordinates, rates, percentages) are
        /// written as `{:.N}` writes them, exact halves included.
        #[test]
        fn fixed_agrees_on_everyday_numbers(
            whole in -100_000i64..100_000,
            eighths in 0u32..8,
            millis in 0u32..1000,
            places in 0u8..=3,
        ) {
            let p = usize::from(places);
            let halves_and_eighths = whole as f64 + f64::from(eighths) / 8.0;
            let thousandths = whole as f64 + f64::from(millis) / 1000.0;
            for v in [halves_and_eighths, thousandths] {
                prop_assert_eq!(fixed(v, places).to_string(), format!("{v:.p$}"));
            }
        }
    }
}
