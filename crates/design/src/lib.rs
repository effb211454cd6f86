//! The design document of the system-design kata playground.
//!
//! A [`Design`] is what the learner draws: [`Node`]s of a [`NodeKind`] (CDN,
//! API service, read replica…) with a label, a canvas [`Point`] and
//! kind-specific [`Params`], joined by typed [`Edge`]s. This crate owns:
//!
//! - the node catalogue: names, one-line summaries and the parameter schema
//!   of every kind ([`NodeKind::params`], [`ParamSpec`]), and typed keys
//!   generated from it ([`keys`]: `node.get(keys::cdn::TTL_S)`), so code
//!   that reads a setting cannot misspell it;
//! - the connection rules ([`classify`]): which kinds may send requests to
//!   which, and what a connection carries ([`EdgeKind`]);
//! - editing operations that keep a design valid ([`Design::add_node`],
//!   [`Design::connect`], [`Params::set`]);
//! - the versioned JSON format ([`format::to_json`], [`format::parse`]),
//!   whose parser never panics and repairs what it can;
//! - structural [`validate`] diagnostics and design-advice [`lint`]s.
//!
//! It depends on `serde` and `serde_json` only, and knows nothing about the
//! browser or the simulation engine. The wire format is described for
//! people in `docs/design-format.md`.
//!
//! ```
//! use design::{format, Design, NodeKind, Point};
//!
//! let mut d = Design::default();
//! let users = d.add_node(NodeKind::Users, Point { x: 0.0, y: 0.0 });
//! let cdn = d.add_node(NodeKind::Cdn, Point { x: 200.0, y: 0.0 });
//! d.connect(&users, &cdn).expect("users may read through a CDN");
//! d.node_mut(&cdn)
//!     .expect("just added")
//!     .set_param("ttl_s", 30.0)
//!     .expect("30 s is a valid TTL");
//!
//! let text = format::to_json(&d);
//! let parsed = format::parse(&text).expect("a document we wrote");
//! assert_eq!(parsed.design, d);
//! assert!(parsed.diagnostics.is_empty());
//! ```

#![deny(missing_docs)]

mod catalogue;
mod connect;
mod diagnostic;
mod document;
pub mod format;
pub mod geometry;
pub mod hash;
pub mod keys;
mod kind;
pub mod limits;
mod lint;
pub mod number;
mod params;
pub mod share;
mod validate;

pub use connect::{classify, ConnectionRefused, EdgeKind};
pub use diagnostic::{corrections, Diagnostic, Severity};
pub use document::{Design, Edge, Node, NodeId, Point};
pub use format::{FormatError, Parsed};
pub use kind::NodeKind;
pub use lint::{lint, Lint, LintCode};
pub use params::{ParamError, ParamKind, ParamSpec, ParamValue, Params};
pub use share::{ShareError, Shared};
pub use validate::validate;
