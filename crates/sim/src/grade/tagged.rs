//! Reading the grade's internally tagged enums, [`Edit`] (tagged by
//! `edit`) and [`Advice`] (tagged by `status`), from the JSON they write.
//!
//! serde's derive for an internally tagged enum buffers every field of the
//! object before it knows the variant, and that buffering is a large part
//! of what reading a grade costs the page's wasm. Here each enum is read
//! as one flat object instead: the tag beside every field any of its
//! variants takes, each optional, then checked for the variant the tag
//! names. The JSON is the same both ways; writing still uses the derive.

use std::fmt;

use design::{NodeId, NodeKind, ParamValue};
use serde::Deserialize;

use super::fix::{Edit, Fix};
use super::verify::{Advice, TestedFix};
use super::Measure;

/// A tagged object without a field its variant needs: "a connect edit
/// needs `to`" (reported through serde's error, in words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MissingField {
    /// The variant, as its tag names it ("a connect edit", "tested
    /// advice").
    what: &'static str,
    /// The field it lacks.
    field: &'static str,
}

impl fmt::Display for MissingField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} needs `{}`", self.what, self.field)
    }
}

impl std::error::Error for MissingField {}

/// The field's value, or which one is missing.
fn need<T>(value: Option<T>, what: &'static str, field: &'static str) -> Result<T, MissingField> {
    value.ok_or(MissingField { what, field })
}

/// An [`Edit`] as JSON has it.
#[derive(Deserialize)]
pub(crate) struct EditFields {
    edit: EditTag,
    node: Option<NodeId>,
    key: Option<String>,
    value: Option<ParamValue>,
    kind: Option<NodeKind>,
    label: Option<String>,
    x: Option<f64>,
    y: Option<f64>,
    params: Option<Vec<(String, ParamValue)>>,
    from: Option<NodeId>,
    to: Option<NodeId>,
}

/// [`Edit`]'s variants, as its `edit` tag names them.
#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum EditTag {
    SetParam,
    AddNode,
    Connect,
    Disconnect,
}

impl TryFrom<EditFields> for Edit {
    type Error = MissingField;

    fn try_from(f: EditFields) -> Result<Edit, MissingField> {
        Ok(match f.edit {
            EditTag::SetParam => {
                let what = "a set_param edit";
                Edit::SetParam {
                    node: need(f.node, what, "node")?,
                    key: need(f.key, what, "key")?,
                    value: need(f.value, what, "value")?,
                }
            }
            EditTag::AddNode => {
                let what = "an add_node edit";
                Edit::AddNode {
                    node: need(f.node, what, "node")?,
                    kind: need(f.kind, what, "kind")?,
                    label: need(f.label, what, "label")?,
                    x: need(f.x, what, "x")?,
                    y: need(f.y, what, "y")?,
                    params: need(f.params, what, "params")?,
                }
            }
            EditTag::Connect => Edit::Connect {
                from: need(f.from, "a connect edit", "from")?,
                to: need(f.to, "a connect edit", "to")?,
            },
            EditTag::Disconnect => Edit::Disconnect {
                from: need(f.from, "a disconnect edit", "from")?,
                to: need(f.to, "a disconnect edit", "to")?,
            },
        })
    }
}

/// An [`Advice`] as JSON has it (a tested fix's fields sit beside the
/// tag).
#[derive(Deserialize)]
pub(crate) struct AdviceFields {
    status: AdviceTag,
    tried: Option<usize>,
    fix: Option<Fix>,
    before: Option<Measure>,
    after: Option<Measure>,
    passes: Option<bool>,
    breaks: Option<Vec<String>>,
    passed_with_fix: Option<usize>,
    cost_change_usd: Option<f64>,
    effect: Option<String>,
}

/// [`Advice`]'s variants, as its `status` tag names them.
#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum AdviceTag {
    Untested,
    Tested,
    NothingHelped,
}

impl TryFrom<AdviceFields> for Advice {
    type Error = MissingField;

    fn try_from(f: AdviceFields) -> Result<Advice, MissingField> {
        Ok(match f.status {
            AdviceTag::Untested => Advice::Untested,
            AdviceTag::NothingHelped => Advice::NothingHelped {
                tried: need(f.tried, "nothing_helped advice", "tried")?,
            },
            AdviceTag::Tested => {
                let what = "tested advice";
                Advice::Tested(Box::new(TestedFix {
                    fix: need(f.fix, what, "fix")?,
                    before: need(f.before, what, "before")?,
                    after: need(f.after, what, "after")?,
                    passes: need(f.passes, what, "passes")?,
                    breaks: need(f.breaks, what, "breaks")?,
                    passed_with_fix: need(f.passed_with_fix, what, "passed_with_fix")?,
                    cost_change_usd: need(f.cost_change_usd, what, "cost_change_usd")?,
                    effect: need(f.effect, what, "effect")?,
                }))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measure(value: f64) -> Measure {
        Measure {
            value,
            unit: "ms".into(),
            text: format!("{value} ms"),
        }
    }

    fn edits() -> Vec<Edit> {
        vec![
            Edit::SetParam {
                node: NodeId::new("cdn"),
                key: "ttl_s".into(),
                value: ParamValue::Number(30.0),
            },
            Edit::AddNode {
                node: NodeId::new("cache1"),
                kind: NodeKind::Cache,
                label: "Cache".into(),
                x: 10.0,
                y: -4.5,
                params: vec![("ttl_s".into(), ParamValue::Number(60.0))],
            },
            Edit::Connect {
                from: NodeId::new("api"),
                to: NodeId::new("cache1"),
            },
            Edit::Disconnect {
                from: NodeId::new("api"),
                to: NodeId::new("db"),
            },
        ]
    }

    #[test]
    fn every_edit_and_advice_reads_back_what_the_derive_writes() {
        for e in edits() {
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(serde_json::from_str::<Edit>(&json).unwrap(), e, "{json}");
        }
        let tested = Advice::Tested(Box::new(TestedFix {
            fix: Fix {
                edits: edits(),
                text: "Add a cache.".into(),
            },
            before: measure(1131.0),
            after: measure(46.0),
            passes: true,
            breaks: vec!["cheap".into()],
            passed_with_fix: 3,
            cost_change_usd: 120.0,
            effect: "Tried it.".into(),
        }));
        for a in [Advice::Untested, Advice::NothingHelped { tried: 7 }, tested] {
            let json = serde_json::to_string(&a).unwrap();
            assert_eq!(serde_json::from_str::<Advice>(&json).unwrap(), a, "{json}");
        }
    }

    #[test]
    fn a_missing_field_or_an_unknown_tag_is_refused_in_words() {
        let err = serde_json::from_str::<Edit>(r#"{"edit":"connect","from":"a"}"#).unwrap_err();
        assert!(
            err.to_string().contains("a connect edit needs `to`"),
            "{err}"
        );
        let err = serde_json::from_str::<Advice>(r#"{"status":"nothing_helped"}"#).unwrap_err();
        assert!(
            err.to_string()
                .contains("nothing_helped advice needs `tried`"),
            "{err}"
        );
        let err = serde_json::from_str::<Edit>(r#"{"edit":"paint","node":"a"}"#).unwrap_err();
        assert!(err.to_string().contains("unknown variant `paint`"), "{err}");
        let err = serde_json::from_str::<Advice>(r#"{"tried":2}"#).unwrap_err();
        assert!(err.to_string().contains("missing field `status`"), "{err}");
    }
}
