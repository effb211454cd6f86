//! The page's later part: what the page needs once it has a grade, for a
//! click, or after the canvas, not to draw the canvas and edit on it.
//!
//! It holds reading the worker's answers (a grade is the largest thing the
//! page reads) and taking the grades and advice among them, the grade
//! strip's words once there is a grade, the results with their charts and
//! playback, the inspector, the dialogs, the top bar's buttons (its menus,
//! exports, import and "Copy link"), the brief and the palette, the
//! keyboard's actions, finding and setting the lints the nodes' badges
//! show, the course page's messages but `ready` (writing them, with the
//! design's share string and the compressor behind "Copy link", and
//! reading what the course page sends), opening a link pasted into the
//! address, the effects that follow a run (playback's timer, the canvas's
//! live frame, the lints a grade bore out) and the words a run shows on
//! the canvas, and the styles of what it shows or brings
//! (`style/later.css`, added as it is loaded). Until it comes the page
//! shows the top bar's frame (the product and the kata's title) and the
//! brief's paragraphs, saying what else is on its way. On the release
//! site (built with the `split` feature, see `scripts/split.sh`) this code
//! is a wasm module of its own, which the page starts fetching in its
//! first tasks ([`start_download`]), beside the grading worker's files: it
//! is off the critical path, and the canvas is drawn and answers before
//! it arrives. Everywhere else (`trunk serve`, the browser tests) the part is
//! in the page's wasm and "loading" it costs nothing, through the same
//! code path.
//!
//! Everything reaches the part through [`with`] (which the app alone
//! calls, so the app is the first to hear that it came), [`with_if_coming`]
//! or [`now`] ([`start_download`] only starts its download); nothing else
//! in the page may name what is in it, or that code would stay in the
//! page's wasm.

use std::cell::RefCell;

use design::Design;
use editor::Action;
use leptos::prelude::*;

use crate::actions::{self, KeyTargets};
use crate::app::PastedLinks;
use crate::components::{
    autosave::{AutosaveDialogs, AutosaveDialogsProps},
    brief::{BriefPanel, BriefPanelProps},
    dialogs::{ConfirmReplace, ConfirmReplaceProps, ShortcutsHelp, ShortcutsHelpProps},
    inspector::{Inspector, InspectorProps},
    results::{GradeLine, GradeLineProps, Results, ResultsProps},
    share::{ShareDialogs, ShareDialogsProps},
    top_bar::{TopBar, TopBarProps},
};
use crate::embed::{CoursePage, Trigger};
use crate::grading::protocol::{self, Response, WireError};
use crate::run::{Outcome, RunState};
use crate::state::{EditorState, LiveFrame, NodeLive};

/// The part's entry points, plain function pointers: once the part is
/// loaded, calling them costs what calling any function does.
#[derive(Clone, Copy)]
pub struct Later {
    /// Reads an answer of the grading worker from its wire form.
    pub decode: fn(&[u8]) -> Result<Response, WireError>,
    /// Takes a grade or advice the worker sent ([`RunState::take_grade`]).
    pub take_grade: fn(RunState, Response, &OnGraded),
    /// The inspector (the right-hand panel).
    pub inspector: fn(InspectorProps) -> AnyView,
    /// The results: run controls, charts, scenario cards.
    pub results: fn(ResultsProps) -> AnyView,
    /// The grade strip's words once there is a grade
    /// ([`crate::components::results::GradeLine`]).
    pub grade_line: fn(RunState) -> AnyView,
    /// The page's dialogs.
    pub dialogs: fn(Dialogs) -> AnyView,
    /// The top bar with its buttons (before the part comes, the page
    /// shows its frame: `top_bar::TopBarFrame`).
    pub top_bar: fn(TopBarProps) -> AnyView,
    /// The left panel: the brief and the palette (before the part comes,
    /// `brief::BriefFrame`).
    pub brief: fn(BriefPanelProps) -> AnyView,
    /// Carries out a keyboard action ([`actions::run`]); true if the key
    /// was used.
    pub run_action: fn(KeyTargets, Action) -> bool,
    /// What a node shows of the run being watched
    /// ([`crate::components::node::live_words`]).
    pub node_live_words: fn(&NodeLive) -> String,
    /// A node's errors in the run being watched, and why
    /// ([`crate::components::node::error_words`]).
    pub node_error_words: fn(&NodeLive) -> Option<(String, String)>,
    /// An edge's flow while a run plays
    /// ([`crate::components::edge::flow_style`]).
    pub edge_flow_style: fn(&LiveFrame, &str) -> Option<String>,
    /// Shows the lints of a design, the one on screen
    /// ([`EditorState::find_lints`]).
    pub show_lints: fn(EditorState, Design),
    /// Posts `design-changed` to the course page
    /// ([`CoursePage::post_changed`]).
    pub course_changed: fn(CoursePage, &Design, u64),
    /// Posts a grade to the course page ([`CoursePage::post_grade`]).
    pub course_grade: fn(CoursePage, EditorState, &Outcome, Trigger),
    /// Tells the course page what was owed while the part was missing and
    /// reads the messages it sent meanwhile
    /// ([`CoursePage::part_arrived`]).
    pub course_arrived: fn(CoursePage),
    /// Reads the messages the course page sent
    /// ([`CoursePage::read_messages`]).
    pub course_messages: fn(CoursePage),
    /// Sets up what follows the runs on the page (playback's timer, the
    /// canvas's live frame, the lints a grade bore out, the course page
    /// told of a run watched: [`crate::run::follow_runs`]), under the
    /// current reactive owner.
    pub follow_runs: fn(RunState, EditorState, CoursePage),
    /// Opens a link pasted into the tab's address
    /// ([`crate::app::open_pasted_link`]).
    pub open_pasted_link: fn(PastedLinks),
}

/// What runs with each grade of the latest request (see
/// [`RunState::take_grade`]).
pub type OnGraded = dyn Fn(&Outcome);

/// The inputs of the page's dialogs.
pub struct Dialogs {
    /// "New from starter" and "Clear".
    pub confirm: ConfirmReplaceProps,
    /// The keyboard shortcuts.
    pub help: ShortcutsHelpProps,
    /// Sharing and embedding.
    pub share: ShareDialogsProps,
    /// Autosave questions.
    pub autosave: AutosaveDialogsProps,
}

/// The part could not be downloaded (the connection dropped, or the site
/// was replaced by a newer build meanwhile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartError;

impl std::fmt::Display for PartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "Part of the page (the menus, the brief and palette, the results, the \
             inspector, sharing and the nodes' advice) could not be downloaded (is the \
             connection down?); the page tries again by itself, and your design is kept",
        )
    }
}

impl std::error::Error for PartError {}

/// The part itself: the one function that names its contents. With the
/// `split` feature it is a split point (the split tool moves it, and
/// what only it reaches, into its own module).
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(later, fallible, wasm_split_path = ::leptos::wasm_split)
)]
fn part() -> Result<Later, PartError> {
    add_styles();
    Ok(Later {
        decode: protocol::decode::<Response>,
        take_grade: RunState::take_grade,
        inspector: |props| Inspector(props).into_any(),
        results: |props| Results(props).into_any(),
        grade_line: |run| GradeLine(GradeLineProps { run }).into_any(),
        dialogs: |d| {
            view! {
                {ConfirmReplace(d.confirm)}
                {ShortcutsHelp(d.help)}
                {ShareDialogs(d.share)}
                {AutosaveDialogs(d.autosave)}
            }
            .into_any()
        },
        top_bar: |props| TopBar(props).into_any(),
        brief: |props| BriefPanel(props).into_any(),
        run_action: actions::run,
        show_lints: EditorState::find_lints,
        node_live_words: crate::components::node::live_words,
        node_error_words: crate::components::node::error_words,
        edge_flow_style: crate::components::edge::flow_style,
        course_changed: CoursePage::post_changed,
        course_grade: CoursePage::post_grade,
        course_arrived: CoursePage::part_arrived,
        course_messages: CoursePage::read_messages,
        follow_runs: crate::run::follow_runs,
        open_pasted_link: crate::app::open_pasted_link,
    })
}

/// The styles of what the part shows (`style/later.css`, its comments and
/// runs of spaces taken out by the build script). They are data of the
/// part, so they come with it, off the first load's critical path.
const STYLES: &str = include_str!(concat!(env!("OUT_DIR"), "/later.css"));

/// The id of the `<style>` element that holds [`STYLES`].
pub const STYLE_ID: &str = "later-style";

/// Adds the part's styles to the page, once, before the part shows
/// anything: it runs as the part is loaded, and what the part shows is
/// built afterwards. Without a document or its head (never on the page)
/// it adds nothing; the part still works, unstyled.
fn add_styles() {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    if document.get_element_by_id(STYLE_ID).is_some() {
        return;
    }
    let (Ok(style), Some(head)) = (document.create_element("style"), document.head()) else {
        return;
    };
    style.set_id(STYLE_ID);
    style.set_text_content(Some(STYLES));
    // Appended: after the page's stylesheet, as style/later.css expects.
    let _ = head.append_child(&style);
}

impl From<leptos::wasm_split::SplitLoaderError> for PartError {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        PartError
    }
}

/// Loads the part (downloading it on the release site).
async fn load() -> Result<Later, PartError> {
    #[cfg(feature = "split")]
    {
        part().await
    }
    #[cfg(not(feature = "split"))]
    {
        part()
    }
}

/// A caller waiting for the part, and whether it asked through [`with`]
/// (which may start a download) rather than [`with_if_coming`].
type Waiting = (Box<dyn FnOnce(Result<Later, PartError>)>, bool);

/// Where the part is.
enum State {
    /// Not asked for, or its last download failed and someone was told.
    Idle,
    /// The download [`start_download`] began failed before any caller of
    /// [`with`] waited for it: the next [`with`] is told so.
    Failed,
    /// On its way; these wait for it, in the order they asked.
    Loading(Vec<Waiting>),
    /// Loaded.
    Loaded(Later),
}

thread_local! {
    static STATE: RefCell<State> = const { RefCell::new(State::Idle) };
    /// The part once downloaded, already while the callers that waited
    /// for it are answered (see [`now`]).
    static ARRIVED: std::cell::Cell<Option<Later>> = const { std::cell::Cell::new(None) };
}

/// The part if it has been downloaded, including while the callers that
/// waited for it are being answered (when [`with`] would queue behind
/// them). What the part itself brought, such as a worker's answer it
/// read, is taken on with this, at once and in order.
pub fn now() -> Option<Later> {
    ARRIVED.get()
}

/// Calls `then` with the part: at once when it is loaded, otherwise once
/// it is (starting its download if none is under way), or with why it
/// could not be. Callers are answered in the order they asked, including
/// one that asks while the others are being answered, so the worker's
/// answers, read through it, keep their order. A failed download is not
/// remembered: the next call tries again (except a call made while the
/// callers of that failed download are being answered, which shares
/// their answer, and the first call after a failed [`start_download`]
/// that no caller of `with` waited for, which is told of that failure).
pub fn with(then: impl FnOnce(Result<Later, PartError>) + 'static) {
    ask(then, true);
}

/// Starts the part's download unless it is loaded or on its way, and
/// waits for nothing: the page calls this in its first tasks, so that the
/// download runs beside the page's opening rather than after it. The app
/// hears of the part through [`with`], and is still the first to act on
/// it. If this download fails before any caller of [`with`] waits for
/// it, the next call of [`with`] is told so at once instead of
/// downloading again (so the app reports it and asks again at its own
/// pace).
pub fn start_download() {
    let start = STATE.with_borrow_mut(|state| match state {
        State::Idle | State::Failed => {
            *state = State::Loading(Vec::new());
            true
        }
        State::Loading(_) | State::Loaded(_) => false,
    });
    if start {
        download();
    }
}

/// Whether the part is on its way: a caller of [`with_if_coming`] now
/// waits for it rather than being told at once that it is not coming.
pub fn is_coming() -> bool {
    STATE.with_borrow(|state| matches!(state, State::Loading(_)))
}

/// [`with`], except that it never starts a download: when the part is
/// neither loaded nor on its way (not asked for yet, or its last download
/// failed), `then` gets [`PartError`] at once. The worker's answers are
/// read through this, so only the page's start ([`start_download`]) and
/// the app, which asks again at its own pace and grades again once the
/// part has come (`app::ask_for_later_part`), download it.
pub fn with_if_coming(then: impl FnOnce(Result<Later, PartError>) + 'static) {
    ask(then, false);
}

/// [`with`], starting a download only if `may_start`.
fn ask(then: impl FnOnce(Result<Later, PartError>) + 'static, may_start: bool) {
    let loaded = STATE.with_borrow(|state| match state {
        State::Loaded(part) => Some(*part),
        State::Idle | State::Failed | State::Loading(_) => None,
    });
    if let Some(part) = loaded {
        then(Ok(part));
        return;
    }
    let then: Waiting = (Box::new(then), may_start);
    // `Err(then)`: not coming, and not to be started; answered with no
    // borrow held.
    let start = STATE.with_borrow_mut(|state| match state {
        State::Loading(waiting) => {
            waiting.push(then);
            Ok(false)
        }
        // The early download failed: this caller is the one told, and the
        // next one downloads again.
        State::Failed if may_start => {
            *state = State::Idle;
            Err(then)
        }
        State::Idle | State::Loaded(_) if may_start => {
            *state = State::Loading(vec![then]);
            Ok(true)
        }
        State::Idle | State::Failed | State::Loaded(_) => Err(then),
    });
    match start {
        Ok(true) => download(),
        Ok(false) => {}
        Err((then, _)) => then(Err(PartError)),
    }
}

/// Downloads the part (the state is `Loading`), then answers the callers
/// waiting for it.
fn download() {
    // wasm-bindgen's executor, not Leptos's: the transport may ask before
    // (or without) a mounted app.
    wasm_bindgen_futures::spawn_local(async {
        let loaded = load().await;
        if let Ok(part) = loaded {
            ARRIVED.set(Some(part));
        }
        // The state stays `Loading` until every waiting caller is
        // answered, one at a time with no borrow held, so a caller that
        // asks meanwhile (from inside an answer) waits its turn.
        // Whether a caller of `with` (the app) was told: if not, the next
        // one is.
        let mut told = false;
        loop {
            let next = STATE.with_borrow_mut(|state| {
                if let State::Loading(waiting) = state {
                    if !waiting.is_empty() {
                        return Some(waiting.remove(0));
                    }
                }
                *state = match loaded {
                    Ok(part) => State::Loaded(part),
                    Err(_) if told => State::Idle,
                    Err(_) => State::Failed,
                };
                None
            });
            let Some((then, asked_with)) = next else {
                break;
            };
            told |= asked_with;
            then(loaded.clone());
        }
    });
}
