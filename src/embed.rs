//! The embed protocol: messages the playground posts to the page around its
//! iframe, and the `load-design` message it accepts from allowed origins.
//! Documented for course authors in `docs/embed.md`.

use design::format::writer::{self, JsonWriter};
use design::Design;
use leptos::prelude::*;
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};

use crate::app::{sentence, Latest};
use crate::later::{self, PartError};
use crate::link;
use crate::page::PageOptions;
use crate::state::EditorState;

/// The `source` field of every message, so a page can tell ours apart.
pub const SOURCE: &str = "kata-playground";
/// The protocol version in every message.
pub const VERSION: u32 = 1;
/// The most messages of the protocol kept unread while the page's later
/// part, which reads them, is on its way or missing; the oldest goes first.
pub const MAX_UNREAD: usize = 8;
/// The largest inbound message read, in characters of its JSON (a design
/// is far smaller; the same 4 MiB the design format allows).
pub const MAX_INBOUND_CHARS: usize = 4 * 1024 * 1024;

/// What led to a `graded` message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The design the page opened with, before the learner did anything.
    Opened,
    /// The learner's edit.
    Edit,
    /// A `load-design` message from the course page.
    LoadDesign,
    /// The learner pressed Run (or watched a run): the current grade again.
    Run,
}

impl Trigger {
    /// Its name in the message's `trigger` field.
    pub fn key(self) -> &'static str {
        match self {
            Trigger::Opened => "opened",
            Trigger::Edit => "edit",
            Trigger::LoadDesign => "load-design",
            Trigger::Run => "run",
        }
    }
}

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
        /// The share string (`d2.…`).
        share: String,
    },
    /// A design was graded.
    Graded {
        /// What led to the grade.
        trigger: Trigger,
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
    /// The message as JSON text, in the documented shape (written with the
    /// design crate's writer, which the page has for its autosave).
    pub fn to_json(&self) -> String {
        // `ready` is written apart: the page posts it before its later part,
        // which holds the rest of this, comes.
        if let Outbound::Ready { kata } = self {
            return ready_json(kata);
        }
        let mut w = JsonWriter::new(false);
        match self {
            Outbound::Ready { .. } => {} // written above
            Outbound::DesignChanged { kata, share } => {
                begin_message(&mut w, "design-changed");
                w.key("kata");
                w.string(kata);
                w.key("share");
                w.string(share);
            }
            Outbound::Graded {
                trigger,
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
                begin_message(&mut w, "graded");
                w.key("trigger");
                w.string(trigger.key());
                w.key("kata");
                w.string(kata);
                w.key("share");
                w.string(share);
                w.key("result");
                w.begin_object();
                w.key("score");
                w.begin_object();
                w.key("raw");
                w.u64(u64::from(*passed));
                w.key("min");
                w.u64(0);
                w.key("max");
                w.u64(u64::from(*total));
                w.key("scaled");
                w.f64(scaled);
                w.end_object();
                w.key("success");
                w.bool(passed == total && *total > 0);
                w.key("completion");
                w.bool(true);
                w.end_object();
            }
        }
        w.end_object();
        w.finish()
    }
}

/// Writes the opening of a message of type `kind`: the object, `source`,
/// `v` and `type`.
fn begin_message(w: &mut JsonWriter, kind: &str) {
    w.begin_object();
    w.key("source");
    w.string(SOURCE);
    w.key("v");
    w.u64(u64::from(VERSION));
    w.key("type");
    w.string(kind);
}

/// [`Outbound::Ready`] as JSON text. The page posts it as it starts, so
/// it is written apart from the other messages, whose code comes with the
/// page's later part.
fn ready_json(kata: &str) -> String {
    let mut w = JsonWriter::new(false);
    begin_message(&mut w, "ready");
    w.key("kata");
    w.string(kata);
    w.end_object();
    w.finish()
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
    /// A message larger than [`MAX_INBOUND_CHARS`] (not read).
    TooLarge(usize),
    /// `?allow=` is malformed, so nothing is accepted.
    BadAllow,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Origin(o) => write!(
                f,
                "ignored a message from {o}: not an allowed origin (see ?allow=)"
            ),
            Refused::NotOurs => write!(f, "ignored a message that is not for the playground"),
            Refused::Unknown(t) => write!(
                f,
                "ignored a playground message of unknown type {}",
                writer::quoted(t)
            ),
            Refused::TooLarge(n) => write!(
                f,
                "ignored a playground message of {n} characters: the most read is {MAX_INBOUND_CHARS}"
            ),
            Refused::BadAllow => write!(
                f,
                "ignored a playground message: this embed's ?allow= is malformed, so it accepts none"
            ),
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
            Some(document @ Value::Object(_)) => Ok(Inbound::LoadDesign(writer::compact(document))),
            _ => Err(Refused::Unknown("load-design without a design".to_string())),
        },
        other => Err(Refused::Unknown(other.unwrap_or("").to_string())),
    }
}

/// The parent page to post to and where, when the playground is in an
/// iframe and has somewhere to post ([`PageOptions::post_targets`]: nowhere
/// while `?allow=` is malformed).
fn parent_and_targets(options: &PageOptions) -> Option<(web_sys::Window, Vec<&str>)> {
    let targets = options.post_targets();
    if targets.is_empty() {
        return None;
    }
    let window = web_sys::window()?;
    let parent = window.parent().ok()??;
    // (Not in an iframe: the window is its own parent.)
    (parent != window).then_some((parent, targets))
}

/// Whether messages posted now would reach a parent page.
pub fn is_embedded(options: &PageOptions) -> bool {
    parent_and_targets(options).is_some()
}

/// Posts the message `message` writes (JSON text, see
/// [`Outbound::to_json`]) to the parent page, when there is one, at each
/// of [`PageOptions::post_targets`]: nowhere while `?allow=` is
/// malformed, and then `message` is not called.
fn post(options: &PageOptions, message: impl FnOnce() -> String) {
    let Some((parent, targets)) = parent_and_targets(options) else {
        return;
    };
    // Written only now: a message carries the design's share link, which
    // is not worth compressing for a page that is not embedded.
    if let Ok(data) = js_sys::JSON::parse(&message()) {
        for target in targets {
            let _ = parent.post_message(&data, target);
        }
    }
}

/// The course page around the playground: what it is told about the
/// design on screen, and the designs it sends.
///
/// Told: that the playground is ready ([`CoursePage::ready`], as the page
/// starts), that the design changed, and its grades. The last two carry
/// the design's share string, which the page's later part writes (it
/// holds the compressor, so the page's own wasm does without it), so
/// their code is in the part too ([`later::Later::course_changed`],
/// [`later::Later::course_grade`]). Once the part is there a change is posted at
/// once; while it is on its way, when it comes, in the order asked, so
/// `design-changed` still comes before the grade of its edit. A change
/// made while the part could not be downloaded is owed, and told with the
/// design then as soon as the part comes ([`later::Later::course_arrived`]); a
/// grade can only come through the part, so none is lost that way.
///
/// Sent: the page keeps each message of the protocol as it comes
/// ([`CoursePage::receive`]) and the part reads them, in order, once it is
/// there ([`CoursePage::read_messages`]): a design sent before the part
/// came is loaded when it comes.
#[derive(Clone, Copy)]
pub struct CoursePage {
    page: StoredValue<PageOptions>,
    kata: &'static str,
    state: EditorState,
    seed: RwSignal<u64>,
    /// A change is owed to the course page.
    owed: StoredValue<bool>,
    /// The protocol's messages not read yet (they wait for the part).
    unread: StoredValue<Vec<web_sys::MessageEvent>, LocalStorage>,
    /// Set when a design the course page sent is loaded, until the grade
    /// it brings is asked for ([`CoursePage::grade_asked`]).
    loaded: StoredValue<bool>,
    /// The designs the course page has sent: of several sent one after
    /// another, the last one sent stays, even when an earlier one is read
    /// after it.
    loads: Latest,
}

impl CoursePage {
    /// The course page of `page`, told about `state`'s design in `kata`
    /// with the seed `seed` holds.
    pub fn new(
        page: StoredValue<PageOptions>,
        kata: &'static str,
        state: EditorState,
        seed: RwSignal<u64>,
    ) -> CoursePage {
        CoursePage {
            page,
            kata,
            state,
            seed,
            owed: StoredValue::new(false),
            unread: StoredValue::new_local(Vec::new()),
            loaded: StoredValue::new(false),
            loads: Latest::new(),
        }
    }

    /// Posts `ready`: the playground has started (and keeps what the
    /// course page sends from now on).
    pub fn ready(self) {
        self.page.with_value(|p| post(p, || ready_json(self.kata)));
    }

    /// Whether the course page loaded the design on screen, and its grade
    /// is not asked for yet ([`CoursePage::grade_asked`]).
    pub fn loaded_design(self) -> bool {
        self.loaded.get_value()
    }

    /// The grade of the design on screen is asked for.
    pub fn grade_asked(self) {
        self.loaded.set_value(false);
    }

    /// The design on screen and the seed, when there is a course page to
    /// tell (a copy: the message may be posted after further edits).
    fn design_to_tell(self) -> Option<(Design, u64)> {
        self.page.with_value(is_embedded).then(|| {
            (
                self.state.with_editor(|e| e.design().clone()),
                self.seed.get_untracked(),
            )
        })
    }

    /// The design changed and settled: posts `design-changed`. While a
    /// change is owed (the part could not be downloaded), this one joins
    /// it: the owed change is told with the design on screen when the part
    /// comes, so the course page never hears an older design after a newer
    /// one.
    pub fn design_changed(self) {
        if self.owed.try_get_value().unwrap_or(true) {
            return;
        }
        let Some((design, seed)) = self.design_to_tell() else {
            return;
        };
        later::with_if_coming(move |part| match part {
            Ok(part) => (part.course_changed)(self, &design, seed),
            // (`set_value` is a no-op once the page is gone.)
            Err(PartError) => self.owed.set_value(true),
        });
    }

    /// A message came: one of the protocol's is kept, unread, for the
    /// part, which reads it at once when it is there, or when it comes
    /// (the last [`MAX_UNREAD`] of them: of the designs sent, only the last
    /// one stays anyway). Any other is ignored (other scripts post
    /// messages too) after one property read.
    pub fn receive(self, event: web_sys::MessageEvent) {
        if !is_ours(&event) {
            return;
        }
        self.unread.update_value(|unread| {
            if unread.len() >= MAX_UNREAD {
                unread.remove(0);
            }
            unread.push(event)
        });
        later::with_if_coming(move |part| {
            if let Ok(part) = part {
                (part.course_messages)(self);
            }
        });
    }

    /// The design on screen was graded (by `trigger`, `passed` scenarios of
    /// `total`): posts `graded`. Called as the grade is taken, which only
    /// the part does, so the part is there and the message goes out at
    /// once, after any `design-changed` asked for before.
    fn graded(self, trigger: Trigger, passed: u32, total: u32) {
        let Some((design, seed)) = self.design_to_tell() else {
            return;
        };
        self.page.with_value(|p| {
            post(p, || {
                Outbound::Graded {
                    trigger,
                    kata: self.kata.into(),
                    share: design::share::encode(&design, self.kata, seed),
                    passed,
                    total,
                }
                .to_json()
            })
        });
    }

    /// Posts the grade of `outcome` (by `trigger`), if it is a grade and
    /// its design is still the one on screen: `graded`, after any
    /// `design-changed` asked for before.
    /// In the page's later part ([`later::Later::course_grade`]).
    pub fn post_grade(self, state: EditorState, outcome: &crate::run::Outcome, trigger: Trigger) {
        let Ok(g) = &outcome.grade else { return };
        if state.with_editor(|e| e.revision() != outcome.revision) {
            return;
        }
        self.graded(trigger, g.passed as u32, g.total as u32);
    }

    /// The later part has come: posts the change owed, if any, with the
    /// design on screen now, then reads the messages that waited. In the
    /// part ([`later::Later::course_arrived`]); the app calls it first thing when
    /// the part comes, before the worker's answers that waited for it are
    /// read.
    pub fn part_arrived(self) {
        if self.owed.get_value() {
            self.owed.set_value(false);
            if let Some((design, seed)) = self.design_to_tell() {
                self.post_changed(&design, seed);
            }
        }
        self.read_messages();
    }

    /// Posts `design-changed` for `design`. It may run once the download
    /// it waited for is over, after the page is gone: then nothing is
    /// posted. In the page's later part ([`later::Later::course_changed`]).
    pub fn post_changed(self, design: &Design, seed: u64) {
        let _ = self.page.try_with_value(|p| {
            post(p, || {
                Outbound::DesignChanged {
                    kata: self.kata.into(),
                    share: design::share::encode(design, self.kata, seed),
                }
                .to_json()
            })
        });
    }

    /// Reads the messages kept for the part, in the order they came: a
    /// design sent replaces the one on screen as one undoable step. In the
    /// page's later part ([`later::Later::course_messages`]).
    pub fn read_messages(self) {
        let Some(unread) = self.unread.try_update_value(std::mem::take) else {
            return;
        };
        for event in unread {
            let inbound = self.page.with_value(|p| {
                screen_inbound(p, &event).and_then(|data| read_inbound(p, &event.origin(), &data))
            });
            match inbound {
                Ok(Inbound::LoadDesign(text)) => self.load(text),
                Err(refused) => log_refusal(&refused),
            }
        }
    }

    /// Loads a design the course page sent. It is unpacked
    /// asynchronously: of several designs sent one after another, the
    /// last one sent stays, even when an earlier one is read after it.
    fn load(self, text: String) {
        let ticket = self.loads.next();
        let state = self.state;
        wasm_bindgen_futures::spawn_local(async move {
            let read = decode_any(&text).await;
            if state.is_gone() || !self.loads.is_latest(ticket) {
                return;
            }
            match read {
                Ok(design) => {
                    self.loaded.set_value(true);
                    state.apply(|e| e.replace_design(design));
                    state.fit_to_view();
                    state.notify("The course page loaded a design. Undo brings yours back.");
                }
                Err(error) => state.notify_lasting(format!(
                    "The course page sent a design that could not be opened: {}",
                    sentence(&error)
                )),
            }
        });
    }
}

/// A design from a share string or a JSON document (what a course page may
/// send), in words when it cannot be read.
async fn decode_any(text: &str) -> Result<Design, String> {
    if text.trim_start().starts_with('{') {
        crate::json::parse_design(text)
            .map(|p| p.design)
            .map_err(|e| e.to_string())
    } else {
        link::decode(text)
            .await
            .map(|s| s.design)
            .map_err(|e| e.to_string())
    }
}

/// Whether a `message` event is one of this protocol's: its data's
/// `source`, read without copying the data.
fn is_ours(event: &web_sys::MessageEvent) -> bool {
    let source = js_sys::Reflect::get(&event.data(), &JsValue::from_str("source"))
        .ok()
        .and_then(|v| v.as_string());
    source.as_deref() == Some(SOURCE)
}

/// Screens a `message` event before anything of it is parsed: only our
/// protocol's messages (their `source`, read without copying the data),
/// from an allowed origin, within [`MAX_INBOUND_CHARS`]; then its data as
/// JSON. A 64 MB message from a stranger costs a property read (one of
/// the protocol's is kept until the part screens it: [`CoursePage::receive`]).
pub fn screen_inbound(
    options: &PageOptions,
    event: &web_sys::MessageEvent,
) -> Result<Value, Refused> {
    if !is_ours(event) {
        return Err(Refused::NotOurs);
    }
    let data = event.data();
    if !options.allow_errors.is_empty() {
        return Err(Refused::BadAllow);
    }
    let origin = event.origin();
    if !options.allows(&origin) {
        return Err(Refused::Origin(origin));
    }
    // A design sent as text: its length is known without copying it.
    if let Some(length) = js_sys::Reflect::get(&data, &JsValue::from_str("design"))
        .ok()
        .and_then(|d| d.dyn_into::<js_sys::JsString>().ok())
        .map(|d| d.length() as usize)
    {
        if length > MAX_INBOUND_CHARS {
            return Err(Refused::TooLarge(length));
        }
    }
    let text = js_sys::JSON::stringify(&data)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default();
    if text.len() > MAX_INBOUND_CHARS {
        return Err(Refused::TooLarge(text.len()));
    }
    Ok(crate::json::read(&text).unwrap_or(Value::Null))
}

/// Logs a refused message to the console (a course author debugging their
/// page wants to know why nothing happened).
pub fn log_refusal(refused: &Refused) {
    if *refused != Refused::NotOurs {
        web_sys::console::warn_1(&JsValue::from_str(&refused.to_string()));
    }
}
