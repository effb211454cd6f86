//! The embed protocol: messages the playground posts to the page around its
//! iframe, and the `load-design` message it accepts from allowed origins.
//! Documented for course authors in `docs/embed.md`.

use serde_json::{json, Value};
use wasm_bindgen::JsValue;

use crate::page::PageOptions;

/// The `source` field of every message, so a page can tell ours apart.
pub const SOURCE: &str = "kata-playground";
/// The protocol version in every message.
pub const VERSION: u32 = 1;

/// A message the playground posts to its parent.
#[derive(Debug, Clone, PartialEq)]
pub enum Outbound {
    /// The playground has started.
    Ready {
        /// The kata's id.
        kata: String,
    },
    /// The design changed; `share` restores it.
    DesignChanged {
        /// The kata's id.
        kata: String,
        /// The share string (`d1.…`).
        share: String,
    },
    /// A run was graded.
    Graded {
        /// The kata's id.
        kata: String,
        /// The share string of the graded design.
        share: String,
        /// Scenarios passed.
        passed: u32,
        /// Scenarios in all.
        total: u32,
    },
}

impl Outbound {
    /// The message as JSON, in the documented shape.
    pub fn to_json(&self) -> Value {
        match self {
            Outbound::Ready { kata } => {
                json!({ "source": SOURCE, "v": VERSION, "type": "ready", "kata": kata })
            }
            Outbound::DesignChanged { kata, share } => json!({
                "source": SOURCE, "v": VERSION, "type": "design-changed", "kata": kata, "share": share
            }),
            Outbound::Graded {
                kata,
                share,
                passed,
                total,
            } => {
                let scaled = if *total == 0 {
                    0.0
                } else {
                    f64::from(*passed) / f64::from(*total)
                };
                json!({
                    "source": SOURCE, "v": VERSION, "type": "graded", "kata": kata, "share": share,
                    "result": {
                        "score": { "raw": passed, "min": 0, "max": total, "scaled": scaled },
                        "success": passed == total && *total > 0,
                        "completion": true
                    }
                })
            }
        }
    }
}

/// A message the playground accepts from its parent.
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    /// Replace the design with this share string or JSON document.
    LoadDesign(String),
}

/// Why an inbound message was ignored, in words (logged to the console).
#[derive(Debug, Clone, PartialEq)]
pub enum Refused {
    /// The sender's origin is not in `?allow=`.
    Origin(String),
    /// Not a message of this protocol (other scripts post messages too).
    NotOurs,
    /// A message of this protocol we do not understand.
    Unknown(String),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Origin(o) => write!(
                f,
                "ignored a message from {o}: not an allowed origin (see ?allow=)"
            ),
            Refused::NotOurs => write!(f, "ignored a message that is not for the playground"),
            Refused::Unknown(t) => write!(f, "ignored a playground message of unknown type {t:?}"),
        }
    }
}

/// Reads an inbound message: the sender's origin and its data as JSON.
pub fn read_inbound(options: &PageOptions, origin: &str, data: &Value) -> Result<Inbound, Refused> {
    if data.get("source").and_then(Value::as_str) != Some(SOURCE) {
        return Err(Refused::NotOurs);
    }
    if !options.allows(origin) {
        return Err(Refused::Origin(origin.to_string()));
    }
    match data.get("type").and_then(Value::as_str) {
        Some("load-design") => match data.get("design") {
            Some(Value::String(text)) => Ok(Inbound::LoadDesign(text.clone())),
            Some(document @ Value::Object(_)) => Ok(Inbound::LoadDesign(document.to_string())),
            _ => Err(Refused::Unknown("load-design without a design".to_string())),
        },
        other => Err(Refused::Unknown(other.unwrap_or("").to_string())),
    }
}

/// Posts a message to the parent page, when there is one. It goes to the
/// first allowed origin, or to any origin when none is set (the messages
/// hold the design and its grade, nothing private).
pub fn post(options: &PageOptions, message: &Outbound) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(Some(parent)) = window.parent() else {
        return;
    };
    if parent == window {
        return; // not in an iframe
    }
    let target = options.allowed_origins.first().map_or("*", String::as_str);
    if let Ok(data) = js_sys::JSON::parse(&message.to_json().to_string()) {
        let _ = parent.post_message(&data, target);
    }
}

/// The data of a `message` event as JSON (`Null` when it is not JSON-like).
pub fn event_data(event: &web_sys::MessageEvent) -> Value {
    js_sys::JSON::stringify(&event.data())
        .ok()
        .and_then(|s| s.as_string())
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(Value::Null)
}

/// Logs a refused message to the console (a course author debugging their
/// page wants to know why nothing happened).
pub fn log_refusal(refused: &Refused) {
    if *refused != Refused::NotOurs {
        web_sys::console::warn_1(&JsValue::from_str(&refused.to_string()));
    }
}
