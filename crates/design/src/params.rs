//! Node parameters: the schema of each parameter ([`ParamSpec`]), the values
//! a node holds ([`Params`]) and the checks that keep them valid.

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::kind::NodeKind;
use crate::number::{clamp, shortest};

/// The schema of one parameter: its key, how it is shown and which values
/// it accepts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamSpec {
    /// The JSON key, snake_case with the unit in the name (`ttl_s`).
    pub key: &'static str,
    /// The name shown in the inspector ("TTL").
    pub label: &'static str,
    /// The unit shown after the value ("s", "ms", "requests"), or "" for
    /// none.
    pub unit: &'static str,
    /// Where its help sentence is (see [`ParamSpec::help`]).
    pub(crate) help: HelpId,
    /// The type of value, its default and its allowed values.
    pub kind: ParamKind,
}

/// Where a parameter's help sentence is: its table's number and its row in
/// that table. The sentences are kept apart from the specs (see
/// `catalogue.rs`), so that code which only reads designs does not carry
/// them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HelpId {
    table: u8,
    row: u8,
}

impl HelpId {
    /// Set by the catalogue for every row; a spec built otherwise has no
    /// help.
    pub(crate) const UNSET: HelpId = HelpId {
        table: u8::MAX,
        row: u8::MAX,
    };

    /// Row `row` of table `table` (the catalogue checks that its rows'
    /// numbers fit a byte).
    pub(crate) const fn new(table: u8, row: usize) -> HelpId {
        HelpId {
            table,
            row: row as u8,
        }
    }
}

/// The type of a parameter with its default and allowed values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParamKind {
    /// A number between `min` and `max` (inclusive). When `step` is a whole
    /// number the value must be a whole number too.
    Number {
        /// The value used when the node does not set one.
        default: f64,
        /// The smallest allowed value.
        min: f64,
        /// The largest allowed value.
        max: f64,
        /// The increment of the inspector's number field.
        step: f64,
    },
    /// An on/off switch.
    Bool {
        /// The value used when the node does not set one.
        default: bool,
    },
    /// One of a fixed list of words.
    Choice {
        /// The value used when the node does not set one.
        default: &'static str,
        /// The allowed values, in display order.
        options: &'static [&'static str],
    },
}

impl ParamKind {
    /// The default as a value.
    pub fn default_value(&self) -> ParamValue {
        match *self {
            ParamKind::Number { default, .. } => ParamValue::Number(default),
            ParamKind::Bool { default } => ParamValue::Bool(default),
            ParamKind::Choice { default, .. } => ParamValue::Text(default.to_string()),
        }
    }

    /// True for a number that must be whole (its step is a whole number).
    pub fn is_whole(&self) -> bool {
        matches!(*self, ParamKind::Number { step, .. } if step >= 1.0 && step.fract() == 0.0)
    }
}

/// A parameter value as stored in a design and in JSON (untagged: a JSON
/// number, `true`/`false` or a string). Read by a plain visitor rather
/// than serde's untagged derive, which buffers every value first and
/// weighs on the page's wasm.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// A number (also used for whole numbers).
    Number(f64),
    /// An on/off switch.
    Bool(bool),
    /// One option of a choice.
    Text(String),
}

impl<'de> Deserialize<'de> for ParamValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// Takes a number, a boolean or a string as they come.
        struct AnyValue;
        impl serde::de::Visitor<'_> for AnyValue {
            type Value = ParamValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number, true or false, or a string")
            }
            fn visit_bool<E>(self, v: bool) -> Result<ParamValue, E> {
                Ok(ParamValue::Bool(v))
            }
            fn visit_f64<E>(self, v: f64) -> Result<ParamValue, E> {
                Ok(ParamValue::Number(v))
            }
            // (Whole numbers as an `f64` takes them.)
            fn visit_i64<E>(self, v: i64) -> Result<ParamValue, E> {
                Ok(ParamValue::Number(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<ParamValue, E> {
                Ok(ParamValue::Number(v as f64))
            }
            fn visit_str<E>(self, v: &str) -> Result<ParamValue, E> {
                Ok(ParamValue::Text(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<ParamValue, E> {
                Ok(ParamValue::Text(v))
            }
        }
        d.deserialize_any(AnyValue)
    }
}

impl ParamValue {
    /// The number, if this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            ParamValue::Number(v) => Some(*v),
            _ => None,
        }
    }

    /// The switch, if this is on/off.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            ParamValue::Bool(v) => Some(*v),
            _ => None,
        }
    }

    /// The text, if this is text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ParamValue::Text(v) => Some(v),
            _ => None,
        }
    }
}

impl fmt::Display for ParamValue {
    /// Writes the bare value: `60`, `true`, `medium`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Number(v) => write!(f, "{}", shortest(*v)),
            ParamValue::Bool(v) => write!(f, "{v}"),
            ParamValue::Text(v) => f.write_str(v),
        }
    }
}

impl From<f64> for ParamValue {
    /// A number.
    fn from(v: f64) -> Self {
        ParamValue::Number(v)
    }
}

impl From<i32> for ParamValue {
    /// A whole number.
    fn from(v: i32) -> Self {
        ParamValue::Number(f64::from(v))
    }
}

impl From<u32> for ParamValue {
    /// A whole number.
    fn from(v: u32) -> Self {
        ParamValue::Number(f64::from(v))
    }
}

impl From<bool> for ParamValue {
    /// An on/off switch.
    fn from(v: bool) -> Self {
        ParamValue::Bool(v)
    }
}

impl From<&str> for ParamValue {
    /// A choice.
    fn from(v: &str) -> Self {
        ParamValue::Text(v.to_string())
    }
}

impl From<String> for ParamValue {
    /// A choice.
    fn from(v: String) -> Self {
        ParamValue::Text(v)
    }
}

/// Why a parameter value was refused, in words a learner understands
/// (its `Display`).
#[derive(Clone, Debug, PartialEq)]
pub enum ParamError {
    /// The kind has no parameter with this key.
    UnknownKey {
        /// The node's kind.
        kind: NodeKind,
        /// The key asked for.
        key: String,
    },
    /// A number was expected.
    NotANumber {
        /// The parameter's label.
        label: &'static str,
    },
    /// On or off was expected.
    NotOnOff {
        /// The parameter's label.
        label: &'static str,
    },
    /// The value is not one of the choice's options.
    NotAnOption {
        /// The parameter's label.
        label: &'static str,
        /// The value given, as text.
        value: String,
        /// The allowed values.
        options: &'static [&'static str],
    },
    /// The number is outside the allowed range.
    OutOfRange {
        /// The parameter's label.
        label: &'static str,
        /// The smallest allowed value.
        min: f64,
        /// The largest allowed value.
        max: f64,
        /// The parameter's unit.
        unit: &'static str,
    },
    /// The parameter counts things and the number has a fraction.
    NotWhole {
        /// The parameter's label.
        label: &'static str,
    },
    /// The value would be above another parameter that bounds it
    /// (min instances above max instances).
    AboveUpper {
        /// The parameter's label.
        label: &'static str,
        /// The bounding parameter's label.
        upper_label: &'static str,
        /// The bounding parameter's current value.
        upper: f64,
    },
    /// The value would be below another parameter that bounds it
    /// (max instances below min instances).
    BelowLower {
        /// The parameter's label.
        label: &'static str,
        /// The bounding parameter's label.
        lower_label: &'static str,
        /// The bounding parameter's current value.
        lower: f64,
    },
}

/// `label` as it reads in the middle of a sentence: "Max instances" becomes
/// "max instances", "TTL" stays "TTL". The labels are the catalogue's,
/// which start with two ASCII characters (a test checks it): ASCII case
/// rules are enough, and carry no Unicode case tables into the page.
pub(crate) fn mid_sentence(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if !second.is_ascii_uppercase() => {
            std::iter::once(first.to_ascii_lowercase())
                .chain(label.chars().skip(1))
                .collect()
        }
        _ => label.to_string(),
    }
}

/// " s" for a unit, "" for none.
pub(crate) fn unit_suffix(unit: &str) -> String {
    if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    }
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamError::UnknownKey { kind, key } => {
                write!(f, "{} nodes have no setting called “{key}”", kind.name())
            }
            ParamError::NotANumber { label } => write!(f, "{label} must be a number"),
            ParamError::NotOnOff { label } => write!(f, "{label} must be on or off"),
            ParamError::NotAnOption {
                label,
                value,
                options,
            } => write!(
                f,
                "{label} must be one of {}; “{value}” is not one of them",
                options.join(", ")
            ),
            ParamError::OutOfRange {
                label,
                min,
                max,
                unit,
            } => write!(
                f,
                "{label} must be between {} and {}{}",
                shortest(*min),
                shortest(*max),
                unit_suffix(unit)
            ),
            ParamError::NotWhole { label } => write!(f, "{label} must be a whole number"),
            ParamError::AboveUpper {
                label,
                upper_label,
                upper,
            } => write!(
                f,
                "{label} cannot be above {} ({})",
                mid_sentence(upper_label),
                shortest(*upper)
            ),
            ParamError::BelowLower {
                label,
                lower_label,
                lower,
            } => write!(
                f,
                "{label} cannot be below {} ({})",
                mid_sentence(lower_label),
                shortest(*lower)
            ),
        }
    }
}

impl std::error::Error for ParamError {}

/// Pairs of parameters of one kind where the first must not be above the
/// second.
pub(crate) const ORDERED: &[(NodeKind, &str, &str)] =
    &[(NodeKind::Api, "min_instances", "max_instances")];

impl ParamSpec {
    /// One or two sentences a learner understands: what the parameter does
    /// and what turning it up or down costs (shown by the inspector).
    pub fn help(&self) -> &'static str {
        crate::catalogue::help(self.help.table, self.help.row)
    }

    /// The default as a value.
    pub fn default_value(&self) -> ParamValue {
        self.kind.default_value()
    }

    /// Checks a value against this schema: its type, its range, that counts
    /// are whole and that choices are among the options.
    pub fn check(&self, value: &ParamValue) -> Result<(), ParamError> {
        let label = self.label;
        match (&self.kind, value) {
            (ParamKind::Number { min, max, .. }, ParamValue::Number(v)) => {
                if v.is_nan() {
                    Err(ParamError::NotANumber { label })
                } else if *v < *min || *v > *max {
                    Err(ParamError::OutOfRange {
                        label,
                        min: *min,
                        max: *max,
                        unit: self.unit,
                    })
                } else if self.kind.is_whole() && v.fract() != 0.0 {
                    Err(ParamError::NotWhole { label })
                } else {
                    Ok(())
                }
            }
            (ParamKind::Number { .. }, _) => Err(ParamError::NotANumber { label }),
            (ParamKind::Bool { .. }, ParamValue::Bool(_)) => Ok(()),
            (ParamKind::Bool { .. }, _) => Err(ParamError::NotOnOff { label }),
            (ParamKind::Choice { options, .. }, ParamValue::Text(text)) => {
                if options.contains(&text.as_str()) {
                    Ok(())
                } else {
                    Err(ParamError::NotAnOption {
                        label,
                        value: text.clone(),
                        options,
                    })
                }
            }
            (ParamKind::Choice { options, .. }, other) => Err(ParamError::NotAnOption {
                label,
                value: other.to_string(),
                options,
            }),
        }
    }

    /// Reads what a learner typed into the inspector: a number ("0.5",
    /// "1e3"), on/off ("on", "off", "true", "false", "yes", "no") or an
    /// option (any letter case), and checks it.
    pub fn parse_input(&self, text: &str) -> Result<ParamValue, ParamError> {
        let text = text.trim();
        let value = match self.kind {
            ParamKind::Number { .. } => match crate::number::parse_decimal(text) {
                Some(v) => ParamValue::Number(v),
                None => return Err(ParamError::NotANumber { label: self.label }),
            },
            ParamKind::Bool { .. } => match text.to_ascii_lowercase().as_str() {
                "on" | "true" | "yes" | "1" => ParamValue::Bool(true),
                "off" | "false" | "no" | "0" => ParamValue::Bool(false),
                _ => return Err(ParamError::NotOnOff { label: self.label }),
            },
            ParamKind::Choice { options, .. } => {
                let found = options.iter().find(|o| o.eq_ignore_ascii_case(text));
                ParamValue::Text(found.map_or(text, |o| o).to_string())
            }
        };
        self.check(&value)?;
        Ok(value)
    }

    /// A value as shown to people: "60 s", "on", "medium".
    pub fn describe(&self, value: &ParamValue) -> String {
        match value {
            ParamValue::Number(v) => format!("{}{}", shortest(*v), unit_suffix(self.unit)),
            ParamValue::Bool(true) => "on".to_string(),
            ParamValue::Bool(false) => "off".to_string(),
            ParamValue::Text(text) => text.clone(),
        }
    }

    /// Repairs a value that fails [`ParamSpec::check`]: numbers are rounded
    /// (for counts) and clamped into range; anything else cannot be repaired
    /// (`None`: use the default). `Ok` when the value was already valid.
    pub(crate) fn repair(
        &self,
        value: &ParamValue,
    ) -> Result<ParamValue, (Option<ParamValue>, ParamError)> {
        match self.check(value) {
            Ok(()) => Ok(value.clone()),
            Err(err) => {
                let fixed = match (&self.kind, value) {
                    (ParamKind::Number { min, max, .. }, ParamValue::Number(v)) if !v.is_nan() => {
                        let v = if self.kind.is_whole() { v.round() } else { *v };
                        Some(ParamValue::Number(clamp(v, *min, *max)))
                    }
                    _ => None,
                };
                Err((fixed, err))
            }
        }
    }
}

/// The parameter values a node sets, by key. Only values that were set are
/// held; [`crate::Node::num`] and friends fall back to the schema default.
///
/// Values enter through [`Params::set`], which refuses anything the schema
/// does not allow, or through [`crate::format::parse`], which repairs them.
///
/// Held as a list sorted by key, not a `BTreeMap`: a node sets a handful of
/// values, and the tree's code for this key and value would be carried by
/// the page's first download. It serialises as a map, in key order.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Params(Vec<(String, ParamValue)>);

impl Params {
    /// No values set: every parameter at its default.
    pub fn new() -> Self {
        Params::default()
    }

    /// The value set for `key`, if any (no fallback to the default).
    pub fn get(&self, key: &str) -> Option<&ParamValue> {
        self.find(key).ok().map(|at| &self.0[at].1)
    }

    /// Sets `key` of a node of `kind` to `value` after checking that the
    /// kind has that parameter, the type, the range, whole numbers, choice
    /// options and bounds between parameters (min instances ≤ max
    /// instances). On error nothing changes.
    pub fn set(
        &mut self,
        kind: NodeKind,
        key: &str,
        value: impl Into<ParamValue>,
    ) -> Result<(), ParamError> {
        let value = value.into();
        let spec = kind.param(key).ok_or_else(|| ParamError::UnknownKey {
            kind,
            key: key.to_string(),
        })?;
        spec.check(&value)?;
        if let ParamValue::Number(v) = value {
            self.check_order(kind, spec, v)?;
        }
        self.insert_unchecked(spec.key.to_string(), value);
        Ok(())
    }

    /// Puts `key` back to its default (removes the set value), after the
    /// same bound checks as [`Params::set`].
    pub fn reset(&mut self, kind: NodeKind, key: &str) -> Result<(), ParamError> {
        let spec = kind.param(key).ok_or_else(|| ParamError::UnknownKey {
            kind,
            key: key.to_string(),
        })?;
        if let ParamKind::Number { default, .. } = spec.kind {
            self.check_order(kind, spec, default)?;
        }
        self.remove_unchecked(key);
        Ok(())
    }

    /// The set values in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ParamValue)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// How many values are set.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when every parameter is at its default.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Stores a value without any check (for the parser, after repair),
    /// replacing one set for the same key.
    pub(crate) fn insert_unchecked(&mut self, key: String, value: ParamValue) {
        match self.find(&key) {
            Ok(at) => self.0[at].1 = value,
            Err(at) => self.0.insert(at, (key, value)),
        }
    }

    /// Drops a value without any check.
    pub(crate) fn remove_unchecked(&mut self, key: &str) {
        if let Ok(at) = self.find(key) {
            self.0.remove(at);
        }
    }

    /// Where `key` is in the sorted list, or where it would go.
    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    /// Refuses `v` for `spec` if it would break an [`ORDERED`] pair.
    fn check_order(&self, kind: NodeKind, spec: &ParamSpec, v: f64) -> Result<(), ParamError> {
        for &(k, lower, upper) in ORDERED {
            if k != kind {
                continue;
            }
            if spec.key == lower {
                let bound = self.number(kind, upper);
                if v > bound {
                    return Err(ParamError::AboveUpper {
                        label: spec.label,
                        upper_label: label_of(kind, upper),
                        upper: bound,
                    });
                }
            } else if spec.key == upper {
                let bound = self.number(kind, lower);
                if v < bound {
                    return Err(ParamError::BelowLower {
                        label: spec.label,
                        lower_label: label_of(kind, lower),
                        lower: bound,
                    });
                }
            }
        }
        Ok(())
    }

    /// The number for `key`: the set value clamped into range, or the
    /// default; 0 for a key the kind does not have as a number.
    pub(crate) fn number(&self, kind: NodeKind, key: &str) -> f64 {
        let stored = self.get(key).and_then(ParamValue::as_f64);
        match kind.param(key).map(|spec| spec.kind) {
            Some(ParamKind::Number {
                default, min, max, ..
            }) => match stored {
                Some(v) if !v.is_nan() => clamp(v, min, max),
                _ => default,
            },
            _ => stored.filter(|v| v.is_finite()).unwrap_or(0.0),
        }
    }

    /// The switch for `key`: the set value or the default; false for a key
    /// the kind does not have as a switch.
    pub(crate) fn flag(&self, kind: NodeKind, key: &str) -> bool {
        let stored = self.get(key).and_then(ParamValue::as_bool);
        match kind.param(key).map(|spec| spec.kind) {
            Some(ParamKind::Bool { default }) => stored.unwrap_or(default),
            _ => stored.unwrap_or(false),
        }
    }

    /// The option for `key`: the set value if it is an option, or the
    /// default; "" for a key the kind does not have as a choice.
    pub(crate) fn choice(&self, kind: NodeKind, key: &str) -> &str {
        let stored = self.get(key).and_then(ParamValue::as_str);
        match kind.param(key).map(|spec| spec.kind) {
            Some(ParamKind::Choice { default, options }) => match stored {
                Some(text) if options.contains(&text) => text,
                _ => default,
            },
            _ => stored.unwrap_or(""),
        }
    }
}

/// The label of `key` of `kind`, or the key itself.
fn label_of(kind: NodeKind, key: &'static str) -> &'static str {
    kind.param(key).map_or(key, |spec| spec.label)
}

impl Serialize for Params {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Params {
    /// A map of keys to values, as a `BTreeMap` reads one: a key given
    /// twice keeps its last value.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ParamsVisitor;

        impl<'de> Visitor<'de> for ParamsVisitor {
            type Value = Params;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of parameter values")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Params, A::Error> {
                let mut params = Params::new();
                while let Some((key, value)) = map.next_entry::<String, ParamValue>()? {
                    params.insert_unchecked(key, value);
                }
                Ok(params)
            }
        }

        deserializer.deserialize_map(ParamsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn key(n: u8) -> String {
        format!("k{}", n % 12)
    }

    proptest! {
        /// The sorted list answers as a `BTreeMap` does after any mix of
        /// stores and drops, iterates in the same order, and writes and
        /// reads the same JSON.
        #[test]
        fn params_behave_as_a_btree_map(
            ops in proptest::collection::vec((any::<bool>(), any::<u8>(), -5.0..5.0f64), 0..60)
        ) {
            let mut ours = Params::new();
            let mut tree = BTreeMap::new();
            for (store, n, v) in ops {
                if store {
                    ours.insert_unchecked(key(n), ParamValue::Number(v));
                    tree.insert(key(n), ParamValue::Number(v));
                } else {
                    ours.remove_unchecked(&key(n));
                    tree.remove(&key(n));
                }
                prop_assert_eq!(ours.len(), tree.len());
                prop_assert!(ours.iter().eq(tree.iter().map(|(k, v)| (k.as_str(), v))));
                for n in 0..12 {
                    prop_assert_eq!(ours.get(&key(n)), tree.get(&key(n)));
                }
            }
            let text = serde_json::to_string(&ours).unwrap();
            prop_assert_eq!(&text, &serde_json::to_string(&tree).unwrap());
            let back: Params = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(back, ours);
        }
    }

    #[test]
    fn params_read_from_json_keep_a_repeated_key_last_value() {
        let params: Params = serde_json::from_str(r#"{"b": 1, "a": true, "b": "x"}"#).unwrap();
        let read: Vec<(&str, &ParamValue)> = params.iter().collect();
        assert_eq!(
            read,
            [
                ("a", &ParamValue::Bool(true)),
                ("b", &ParamValue::Text("x".into()))
            ]
        );
        assert!(serde_json::from_str::<Params>("[]").is_err());
    }

    #[test]
    fn set_accepts_valid_values_and_stores_them() {
        let mut p = Params::new();
        p.set(NodeKind::Cdn, "ttl_s", 30.0).unwrap();
        p.set(NodeKind::Cdn, "purge_on_update", true).unwrap();
        p.set(NodeKind::Cdn, "plan", "pro").unwrap();
        assert_eq!(p.get("ttl_s"), Some(&ParamValue::Number(30.0)));
        assert_eq!(p.get("purge_on_update"), Some(&ParamValue::Bool(true)));
        assert_eq!(p.get("plan"), Some(&ParamValue::Text("pro".into())));
        assert_eq!(p.len(), 3);
    }

    #[test]
    fn a_param_value_reads_what_it_writes_and_refuses_the_rest_in_words() {
        for (json, value) in [
            ("30", ParamValue::Number(30.0)),
            ("-2", ParamValue::Number(-2.0)),
            ("0.25", ParamValue::Number(0.25)),
            ("true", ParamValue::Bool(true)),
            ("\"pro\"", ParamValue::Text("pro".into())),
        ] {
            let read: ParamValue = serde_json::from_str(json).unwrap();
            assert_eq!(read, value, "{json}");
            let back = serde_json::to_string(&read).unwrap();
            assert_eq!(serde_json::from_str::<ParamValue>(&back).unwrap(), value);
        }
        for json in ["null", "[1]", "{}"] {
            let err = serde_json::from_str::<ParamValue>(json).unwrap_err();
            assert!(
                err.to_string()
                    .contains("a number, true or false, or a string"),
                "{json}: {err}"
            );
        }
    }

    #[test]
    fn set_refuses_with_words() {
        let mut p = Params::new();
        let err = p.set(NodeKind::Cdn, "ttl_s", 90_000.0).unwrap_err();
        assert_eq!(err.to_string(), "TTL must be between 0 and 86400 s");
        let err = p.set(NodeKind::Cdn, "ttl_s", -1.0).unwrap_err();
        assert!(matches!(err, ParamError::OutOfRange { .. }));
        let err = p.set(NodeKind::Cdn, "ttl_s", f64::NAN).unwrap_err();
        assert_eq!(err.to_string(), "TTL must be a number");
        let err = p.set(NodeKind::Cdn, "ttl_s", f64::INFINITY).unwrap_err();
        assert!(matches!(err, ParamError::OutOfRange { .. }));
        let err = p.set(NodeKind::Cdn, "ttl_s", "long").unwrap_err();
        assert_eq!(err.to_string(), "TTL must be a number");
        let err = p.set(NodeKind::Cdn, "collapse", 1.0).unwrap_err();
        assert_eq!(err.to_string(), "Request collapsing must be on or off");
        let err = p.set(NodeKind::Cdn, "plan", "free").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Pricing plan must be one of pay_as_you_go, pro; “free” is not one of them"
        );
        let err = p.set(NodeKind::Cdn, "size", "large").unwrap_err();
        assert_eq!(err.to_string(), "CDN nodes have no setting called “size”");
        let err = p.set(NodeKind::ReadReplica, "count", 1.5).unwrap_err();
        assert_eq!(err.to_string(), "Replicas must be a whole number");
        let err = p.set(NodeKind::ReadReplica, "count", 16).unwrap_err();
        assert_eq!(err.to_string(), "Replicas must be between 1 and 15");
        assert!(p.is_empty(), "refused values never reach the params");
    }

    #[test]
    fn min_and_max_instances_stay_ordered() {
        let mut p = Params::new();
        let err = p.set(NodeKind::Api, "min_instances", 12).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Min instances cannot be above max instances (10)"
        );
        let err = p.set(NodeKind::Api, "max_instances", 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Max instances cannot be below min instances (2)"
        );
        p.set(NodeKind::Api, "min_instances", 1).unwrap();
        p.set(NodeKind::Api, "max_instances", 1).unwrap();
        // Resetting min back to its default (2) would put it above max (1).
        assert!(p.reset(NodeKind::Api, "min_instances").is_err());
        p.set(NodeKind::Api, "max_instances", 5).unwrap();
        p.reset(NodeKind::Api, "min_instances").unwrap();
        assert_eq!(p.get("min_instances"), None);
    }

    #[test]
    fn accessors_fall_back_to_defaults() {
        let mut p = Params::new();
        assert_eq!(p.number(NodeKind::Cdn, "ttl_s"), 60.0);
        assert!(p.flag(NodeKind::Cdn, "collapse"));
        assert_eq!(p.choice(NodeKind::Api, "size"), "medium");
        p.insert_unchecked("ttl_s".into(), ParamValue::Number(1e9));
        assert_eq!(p.number(NodeKind::Cdn, "ttl_s"), 86_400.0, "clamped");
        p.insert_unchecked("ttl_s".into(), ParamValue::Bool(true));
        assert_eq!(p.number(NodeKind::Cdn, "ttl_s"), 60.0, "wrong type");
        p.insert_unchecked("size".into(), ParamValue::Text("huge".into()));
        assert_eq!(p.choice(NodeKind::Api, "size"), "medium");
        assert_eq!(p.number(NodeKind::Cdn, "nothing"), 0.0);
        assert!(!p.flag(NodeKind::Cdn, "nothing"));
        assert_eq!(p.choice(NodeKind::Cdn, "nothing"), "");
    }

    #[test]
    fn parse_input_reads_what_people_type() {
        let ttl = NodeKind::Cdn.param("ttl_s").unwrap();
        assert_eq!(ttl.parse_input(" 30 "), Ok(ParamValue::Number(30.0)));
        assert!(ttl.parse_input("thirty").is_err());
        assert!(ttl.parse_input("NaN").is_err());
        let purge = NodeKind::Cdn.param("purge_on_update").unwrap();
        assert_eq!(purge.parse_input("On"), Ok(ParamValue::Bool(true)));
        assert_eq!(purge.parse_input("false"), Ok(ParamValue::Bool(false)));
        assert!(purge.parse_input("maybe").is_err());
        let size = NodeKind::Api.param("size").unwrap();
        assert_eq!(
            size.parse_input("Large"),
            Ok(ParamValue::Text("large".into()))
        );
        assert!(size.parse_input("huge").is_err());
    }

    #[test]
    fn repair_rounds_and_clamps() {
        let count = NodeKind::ReadReplica.param("count").unwrap();
        assert_eq!(count.repair(&2.0.into()), Ok(ParamValue::Number(2.0)));
        let (fixed, _) = count.repair(&2.6.into()).unwrap_err();
        assert_eq!(fixed, Some(ParamValue::Number(3.0)));
        let (fixed, _) = count.repair(&99.0.into()).unwrap_err();
        assert_eq!(fixed, Some(ParamValue::Number(15.0)));
        let (fixed, _) = count.repair(&f64::NEG_INFINITY.into()).unwrap_err();
        assert_eq!(fixed, Some(ParamValue::Number(1.0)));
        let (fixed, _) = count.repair(&true.into()).unwrap_err();
        assert_eq!(fixed, None);
    }

    #[test]
    fn describe_and_display() {
        let ttl = NodeKind::Cdn.param("ttl_s").unwrap();
        assert_eq!(ttl.describe(&60.0.into()), "60 s");
        assert_eq!(ttl.describe(&true.into()), "on");
        assert_eq!(ParamValue::Number(0.5).to_string(), "0.5");
        assert_eq!(mid_sentence("Max instances"), "max instances");
        assert_eq!(mid_sentence("TTL"), "TTL");
        assert_eq!(mid_sentence(""), "");
    }

    /// `mid_sentence` follows ASCII case rules: for every label they give
    /// what Unicode's give (each label starts with two ASCII characters).
    #[test]
    fn ascii_case_rules_suit_every_label() {
        for kind in NodeKind::ALL {
            for spec in kind.params() {
                let mut chars = spec.label.chars();
                let unicode = match (chars.next(), chars.next()) {
                    (Some(first), Some(second)) if !second.is_uppercase() => first
                        .to_lowercase()
                        .chain(spec.label.chars().skip(1))
                        .collect(),
                    _ => spec.label.to_string(),
                };
                assert_eq!(mid_sentence(spec.label), unicode);
                assert!(
                    spec.label.chars().take(2).all(|c| c.is_ascii()),
                    "{}",
                    spec.label
                );
            }
        }
    }

    #[test]
    fn params_serde_is_a_plain_object() {
        let mut p = Params::new();
        p.set(NodeKind::Cdn, "ttl_s", 30).unwrap();
        p.set(NodeKind::Cdn, "shield", true).unwrap();
        p.set(NodeKind::Cdn, "plan", "pro").unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, r#"{"plan":"pro","shield":true,"ttl_s":30.0}"#);
        let back: Params = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
    }
}
