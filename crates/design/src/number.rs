//! Reading a decimal number a person typed ("0.5", "+3", ".25", "1e3").
//!
//! The number goes through `serde_json`'s parser, which the crate has for
//! design documents anyway, rather than `str::parse::<f64>`: that one
//! brings the standard library's own decimal-to-float tables into every
//! program that reads input, and the page's wasm would then carry two
//! exact float parsers. Both round correctly (`serde_json` is built with
//! `float_roundtrip`), so a number reads as the very same `f64` either way;
//! the tests check it. What JSON would refuse but people write (a `+`, a
//! bare `.5` or `5.`, leading zeros) is rewritten as JSON first.

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

#[cfg(test)]
mod tests {
    use super::parse_decimal;
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
}
