//! Typed parameter keys, generated from the catalogue: one module per
//! kind (`keys::cdn`, `keys::api`…) with one constant per parameter
//! (`keys::cdn::TTL_S`), typed by what the parameter holds. Code that
//! reads a node's settings names them with these constants, so a
//! misspelt key does not compile, and a number cannot be read as a
//! switch:
//!
//! ```
//! use design::keys::{api, cdn};
//! use design::{Design, NodeKind, Point};
//!
//! let mut d = Design::default();
//! let id = d.add_node(NodeKind::Cdn, Point::default());
//! let node = d.node(&id).expect("just added");
//! assert_eq!(node.get(cdn::TTL_S), 60.0);
//! assert!(node.get(cdn::COLLAPSE));
//! assert_eq!(cdn::TTL_S.name(), "ttl_s");
//! assert_eq!(api::SIZE.spec().label, "Instance size");
//! ```
//!
//! The string-keyed [`crate::Node::num`], [`crate::Node::flag`] and
//! [`crate::Node::choice`] remain for keys that come from the catalogue
//! at run time (the inspector walks [`crate::NodeKind::params`]).

use std::fmt;
use std::marker::PhantomData;

use crate::kind::NodeKind;
use crate::params::{ParamKind, ParamSpec, Params};

pub use crate::catalogue::{
    api, cache, cdn, db_primary, load_balancer, object_storage, read_replica, serverless, source,
};

/// What a parameter holds, and how a node's value of it is read. The
/// three are [`Num`], [`Flag`] and [`Choice`].
pub trait ParamType: Copy {
    /// The value read: `f64`, `bool` or `&str`.
    type Value<'a>;
    /// The value of `key` in `params` for a node of `kind` (the value set,
    /// or the catalogue default).
    fn read<'a>(params: &'a Params, kind: NodeKind, key: &str) -> Self::Value<'a>;
    /// True when a catalogue entry of this kind holds this type.
    fn holds(kind: &ParamKind) -> bool;
}

/// A number parameter (a [`ParamKind::Number`]), read as `f64`: the value
/// set clamped into range, or the default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Num;

/// An on/off parameter (a [`ParamKind::Bool`]), read as `bool`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flag;

/// A parameter with a list of options (a [`ParamKind::Choice`]), read as
/// the option's word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice;

impl ParamType for Num {
    type Value<'a> = f64;
    fn read(params: &Params, kind: NodeKind, key: &str) -> f64 {
        params.number(kind, key)
    }
    fn holds(kind: &ParamKind) -> bool {
        matches!(kind, ParamKind::Number { .. })
    }
}

impl ParamType for Flag {
    type Value<'a> = bool;
    fn read(params: &Params, kind: NodeKind, key: &str) -> bool {
        params.flag(kind, key)
    }
    fn holds(kind: &ParamKind) -> bool {
        matches!(kind, ParamKind::Bool { .. })
    }
}

impl ParamType for Choice {
    type Value<'a> = &'a str;
    fn read<'a>(params: &'a Params, kind: NodeKind, key: &str) -> &'a str {
        params.choice(kind, key)
    }
    fn holds(kind: &ParamKind) -> bool {
        matches!(kind, ParamKind::Choice { .. })
    }
}

/// The key of one parameter of the kinds whose schema is `table`, typed
/// by what it holds. Made only by the catalogue (see the module docs).
pub struct Key<T> {
    name: &'static str,
    table: &'static [ParamSpec],
    index: usize,
    holds: PhantomData<T>,
}

impl<T> Clone for Key<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Key<T> {}

impl<T> PartialEq for Key<T> {
    /// The same parameter: the same key of the same schema (the CDN's
    /// `ttl_s` is not the cache's).
    fn eq(&self, other: &Self) -> bool {
        self.spec() == other.spec()
    }
}

impl<T> fmt::Debug for Key<T> {
    /// Writes the key as the JSON spells it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({})", self.name)
    }
}

impl<T> Key<T> {
    /// The key of row `index` of `table`, named `name` (the catalogue's
    /// macro makes these; a test checks each against its row).
    pub(crate) const fn new(name: &'static str, table: &'static [ParamSpec], index: usize) -> Self {
        Key {
            name,
            table,
            index,
            holds: PhantomData,
        }
    }

    /// The key as the JSON spells it: `"ttl_s"`.
    pub const fn name(self) -> &'static str {
        self.name
    }

    /// The parameter's schema: label, unit, help, default and range.
    pub fn spec(self) -> &'static ParamSpec {
        &self.table[self.index]
    }

    /// True when nodes of `kind` have this parameter.
    pub fn applies_to(self, kind: NodeKind) -> bool {
        kind.params().contains(self.spec())
    }
}

/// A typed key as the tests see it: the constant's name, the key, its row
/// of the catalogue, and the test of its type.
#[cfg(test)]
pub(crate) type KeyRow = (
    &'static str,
    &'static str,
    &'static ParamSpec,
    fn(&ParamKind) -> bool,
);

/// Every key of the catalogue, for tests that walk them all.
#[cfg(test)]
pub(crate) fn all() -> Vec<KeyRow> {
    crate::catalogue::all_keys()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_its_row_of_the_catalogue() {
        let keys = all();
        let rows: usize = [
            NodeKind::Users,
            NodeKind::Cdn,
            NodeKind::LoadBalancer,
            NodeKind::Api,
            NodeKind::Serverless,
            NodeKind::Cache,
            NodeKind::DbPrimary,
            NodeKind::ReadReplica,
            NodeKind::ObjectStorage,
        ]
        .iter()
        .map(|k| k.params().len())
        .sum();
        assert_eq!(keys.len(), rows, "one key per row");
        for (constant, name, spec, holds) in keys {
            assert_eq!(name, spec.key);
            assert_eq!(constant, name.to_uppercase(), "named after its key");
            assert!(holds(&spec.kind), "{name} has the type of its row");
        }
    }

    #[test]
    fn keys_read_what_the_string_accessors_read() {
        let mut p = Params::new();
        p.set(NodeKind::Cdn, "ttl_s", 30.0).unwrap();
        p.set(NodeKind::Cdn, "collapse", false).unwrap();
        p.set(NodeKind::Cdn, "plan", "pro").unwrap();
        let read = |k: Key<Num>| Num::read(&p, NodeKind::Cdn, k.name());
        assert_eq!(read(cdn::TTL_S), 30.0);
        assert_eq!(read(cdn::SWR_S), 0.0);
        assert!(!Flag::read(&p, NodeKind::Cdn, cdn::COLLAPSE.name()));
        assert_eq!(Choice::read(&p, NodeKind::Cdn, cdn::PLAN.name()), "pro");
        assert!(cdn::TTL_S.applies_to(NodeKind::Cdn));
        assert!(!cdn::TTL_S.applies_to(NodeKind::Cache));
        assert!(cache::TTL_S.applies_to(NodeKind::Cache));
        assert!(source::NET_MEDIAN_MS.applies_to(NodeKind::Operator));
        assert_ne!(cdn::TTL_S, cache::TTL_S, "same word, another parameter");
        assert_eq!(format!("{:?}", api::SIZE), "Key(size)");
    }
}
