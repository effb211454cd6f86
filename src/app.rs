//! The root component: loads the kata and the autosaved design, wires the
//! keyboard and autosave, and lays out the regions of the page.

use std::sync::Arc;

use editor::{action_for, action_while_connecting, Action, KeyPress};
use leptos::prelude::*;
use leptos::reactive::owner::WeakOwner;

use design::Design;

use crate::actions::KeyTargets;
use crate::components::{
    autosave::{AutosaveDialog, AutosaveDialogsProps},
    brief::{BriefFrame, BriefPanelProps, LeftTab},
    canvas::Canvas,
    charts::Targets,
    dialogs::{ConfirmReplaceProps, Replace, ShortcutsHelpProps},
    inspector::InspectorProps,
    notice::NoticeArea,
    results::{GradeSummary, ResultsProps},
    share::{ShareDialog, ShareDialogsProps},
    top_bar::{TopBarContext, TopBarFrame, TopBarProps},
};
use crate::dom;
use crate::embed::{CoursePage, Trigger};
use crate::grading::protocol::{KataData, KataRef};
use crate::grading::transport::{self, Connect};
use crate::later::{self, Dialogs, Later, PartError};
use crate::layout::{self, Fold, FoldButton, Pane, PaneTabs};
use crate::link::{self, LinkError};
use crate::page::PageOptions;
use crate::run::RunState;
use crate::state::EditorState;
use crate::storage;

/// The kata this build opens, unless one is given as context
/// ([`GivenKata`]).
pub const KATA: &str = "status-dashboard";
/// The seed runs use unless a link says otherwise.
pub const DEFAULT_SEED: u64 = 1;
/// How long after the last edit the design is graded, in milliseconds.
const GRADE_DELAY_MS: u32 = 150;
/// How long each of the last four parts of the page waits for the
/// page's thread to be idle after the part before it is built, at most,
/// in milliseconds.
const REST_WAIT_MS: u32 = 200;
/// How long the page waits before it asks again for its later part
/// when that could not be downloaded, in milliseconds; it doubles with
/// each failure, up to `PART_RETRY_MAX_MS`.
const PART_RETRY_MS: u32 = 5_000;
/// The longest wait between two requests for the later part.
const PART_RETRY_MAX_MS: u32 = 60_000;

/// What the page starts with.
struct Startup {
    /// The design shown first.
    design: Design,
    /// Messages for the learner (restored with corrections, bad link…).
    notes: Vec<String>,
    /// Whether the learner had an autosave (they have been here before).
    returning: bool,
    /// A linked design that differs from the autosave, with its seed: ask
    /// which to keep (the seed goes with the design it came with).
    pending_link: Option<(Design, u64)>,
    /// The seed for runs.
    seed: u64,
    /// The autosave was unreadable and could not be copied aside.
    unreadable_in_place: bool,
}

/// A share link in the page's address, read (`crate::link::decode`).
type LinkRead = Result<design::Shared, LinkError>;

/// Numbers things that are read asynchronously in the order they came
/// (designs a course page sends, links pasted), so that only the last
/// one's reading is taken, whichever finishes last.
#[derive(Clone, Copy)]
pub struct Latest(StoredValue<u64>);

impl Latest {
    /// None has come yet.
    pub fn new() -> Self {
        Latest(StoredValue::new(0))
    }

    /// The number of the thing that just came.
    pub fn next(self) -> u64 {
        let number = self.0.get_value() + 1;
        self.0.set_value(number);
        number
    }

    /// Whether `number` is still the last thing that came (false once
    /// the page is gone).
    pub fn is_latest(self, number: u64) -> bool {
        self.0.try_get_value() == Some(number)
    }
}

/// Chooses the starting design, given the link in the page's address as
/// read (`None` when there is none). The autosave is never overwritten
/// without asking: a link that differs from it is offered, not imposed; a
/// bad link is explained and the autosave kept.
fn starting_design(
    kata: &sim::kata::Kata,
    link: Option<LinkRead>,
    slot: &mut storage::Autosave,
) -> Startup {
    let mut notes = Vec::new();
    let mut unreadable_in_place = false;
    let autosave = match slot.restore() {
        storage::Restored::Design(design, corrections) => {
            if !corrections.is_empty() {
                notes.push(format!(
                    "Your autosaved design was restored with {}",
                    design::corrections(&corrections)
                ));
            }
            Some(design)
        }
        storage::Restored::Nothing => None,
        storage::Restored::Unreadable { reason, kept } => {
            notes.push(match kept {
                storage::Kept::Backup(key) => format!(
                    "Your autosaved design could not be read ({reason}); a copy was kept in this browser's storage as “{key}”, and the starter design is shown."
                ),
                storage::Kept::InPlace => {
                    unreadable_in_place = true;
                    format!(
                        "Your autosaved design could not be read ({reason}), and there was no room to copy it aside: it is left as it was and autosave is paused."
                    )
                }
            });
            None
        }
    };
    let returning = autosave.is_some();
    let mut seed = DEFAULT_SEED;
    let mut pending_link = None;
    let mut design = autosave.clone().unwrap_or_else(|| kata.starter.clone());
    if let Some(read) = link {
        forget_hash_once_read(&read);
        match read {
            Ok(shared) => {
                if !shared.kata.is_empty() && shared.kata != kata.id {
                    notes.push(format!(
                        "This link was made for the kata \"{}\"; it opened in {}.",
                        shared.kata, kata.title
                    ));
                }
                if !shared.diagnostics.is_empty() {
                    notes.push(format!(
                        "The link's design was opened with {}",
                        design::corrections(&shared.diagnostics)
                    ));
                }
                match &autosave {
                    Some(saved) if *saved != shared.design => {
                        pending_link = Some((shared.design, shared.seed))
                    }
                    _ => {
                        design = shared.design;
                        seed = shared.seed;
                    }
                }
            }
            Err(error) => notes.push(format!(
                "This link could not be opened: {} {}",
                sentence(&error.to_string()),
                if returning {
                    "Your autosaved design is kept."
                } else {
                    "The starter design is shown."
                }
            )),
        }
    }
    Startup {
        design,
        notes,
        returning,
        pending_link,
        seed,
        unreadable_in_place,
    }
}

/// A message as the rest of a sentence after a colon: a lower-case first
/// word (unless it is a name like "JSON"), one full stop, never two. Only
/// an ASCII capital is lowered (a message starting "État" keeps it).
pub(crate) fn sentence(message: &str) -> String {
    let trimmed = message.trim_end().trim_end_matches('.');
    let mut chars = trimmed.chars();
    let rest = match (chars.next(), chars.clone().next()) {
        // The messages are English: ASCII case rules are enough, and carry
        // no Unicode case tables into the page.
        (Some(a), Some(b)) if a.is_ascii_uppercase() && !b.is_ascii_uppercase() => {
            std::iter::once(a.to_ascii_lowercase())
                .chain(chars)
                .collect()
        }
        _ => trimmed.to_string(),
    };
    format!("{rest}.")
}

/// What a link pasted into the tab's address acts on
/// ([`open_pasted_link`]).
#[derive(Clone, Copy)]
pub struct PastedLinks {
    /// The editor, whose design the link's is compared with.
    pub state: EditorState,
    /// The sharing dialogs, which offer a link that differs.
    pub share: RwSignal<Option<ShareDialog>>,
    /// The seed runs use, which a link of the same design sets.
    pub seed: RwSignal<u64>,
    /// The links pasted: of several pasted one after another, the last
    /// one is offered, whichever is unpacked last.
    pub pasted: Latest,
}

/// Opens the link pasted into this tab (only its hash changed) the way
/// the page opens one, asking first when it differs from the design on
/// screen. In the page's later part (`later::Later::open_pasted_link`),
/// which has the dialog that asks.
pub fn open_pasted_link(links: PastedLinks) {
    let PastedLinks {
        state,
        share,
        seed,
        pasted,
    } = links;
    // Handed over when the later part came, perhaps after the app went.
    if state.is_gone() {
        return;
    }
    let options = PageOptions::from_location();
    let Some(hash) = options.hash else { return };
    let ticket = pasted.next();
    wasm_bindgen_futures::spawn_local(async move {
        let read = link::decode(&hash).await;
        if state.is_gone() || !pasted.is_latest(ticket) {
            return;
        }
        forget_hash_once_read(&read);
        match read {
            Ok(shared) => {
                if state.with_editor(|e| *e.design() != shared.design) {
                    share.set(Some(ShareDialog::LinkOrAutosave(
                        Box::new(shared.design),
                        shared.seed,
                    )));
                } else {
                    seed.set(shared.seed);
                }
            }
            Err(error) => state.notify_lasting(format!(
                "This link could not be opened: {} Your design is unchanged.",
                sentence(&error.to_string())
            )),
        }
    });
}

/// Removes the hash from the address once its link has been read, so a
/// reload restores the autosave (the learner's latest work) instead of
/// asking again. A link this browser cannot unpack stays, to be copied
/// into another browser.
fn forget_hash_once_read(read: &LinkRead) {
    if matches!(read, Err(LinkError::NoInflater)) {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let path = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
}

/// The autosave slot of the embedded playground of the kata `kata` (each
/// embedded design has its own slot beside it, see `storage::embed_slot`).
pub(crate) fn embed_base(kata: &str) -> String {
    format!("{kata}-embed")
}

/// `id` as a `&'static str`, which the top bar and the sharing dialogs
/// keep for the page's lifetime: a built-in kata's id is one already; the
/// id of a kata given as data is allocated once per distinct id (a page
/// opens one kata; a browser test a few).
fn static_id(id: &str) -> &'static str {
    thread_local! {
        static GIVEN: std::cell::RefCell<Vec<&'static str>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    if let Some(builtin) = crate::built_in::ids().find(|b| *b == id) {
        return builtin;
    }
    GIVEN.with_borrow_mut(|given| match given.iter().find(|g| **g == id) {
        Some(known) => known,
        None => {
            let leaked: &'static str = Box::leak(id.to_owned().into_boxed_str());
            given.push(leaked);
            leaked
        }
    })
}

/// What the page opens with: the kata, the page's options, its autosave
/// slot and the starting design, read before any of the page is built.
struct Opening {
    kata: Arc<sim::kata::Kata>,
    page: PageOptions,
    autosave: storage::Autosave,
    startup: Startup,
}

/// A kata given to the app as data (the browser tests of a kata added as
/// data), as Leptos context: its files, which grading requests carry, and
/// what reading them gave. The site opens its built-in kata instead
/// ([`crate::built_in`]), so only what gives a kata reads kata files on
/// the page.
#[derive(Clone)]
pub struct GivenKata {
    /// The kata's files.
    pub data: KataData,
    /// The kata read from them, or why it could not be.
    pub read: Result<Arc<sim::kata::Kata>, sim::kata::KataError>,
}

impl GivenKata {
    /// Reads the kata in `data` (`sim::kata::Kata::from_json`).
    pub fn read(data: KataData) -> Self {
        let read = sim::kata::Kata::from_json(&data.kata_json, &data.starter_json).map(Arc::new);
        GivenKata { data, read }
    }
}

/// The built-in [`KATA`].
fn read_kata() -> Result<Arc<sim::kata::Kata>, sim::kata::KataError> {
    crate::built_in::load(KATA).map(Arc::new)
}

/// Reads the page's autosave slot and the starting design for `kata`,
/// with `page`'s options and the link in its address as read.
fn open_with(kata: Arc<sim::kata::Kata>, page: PageOptions, link: Option<LinkRead>) -> Opening {
    // An embed keeps its own autosave, apart from the full playground's:
    // one per embedded design (or per `?slot=`), so two embeds on a page
    // keep their own work.
    let slot = if page.embed {
        storage::embed_slot(
            &embed_base(&kata.id),
            page.slot.as_deref(),
            page.hash.as_deref(),
        )
    } else {
        kata.id.clone()
    };
    let mut autosave = storage::Autosave::new(&slot);
    if page.embed {
        // Before embeds had a slot each they shared this one.
        autosave = autosave.with_legacy(&embed_base(&kata.id));
    }
    let startup = starting_design(&kata, link, &mut autosave);
    Opening {
        kata,
        page,
        autosave,
        startup,
    }
}

thread_local! {
    /// The built-in kata's [`Opening`], read by [`prepare_opening`] for
    /// the [`App`] built next.
    static PREPARED: std::cell::Cell<Option<Result<Opening, sim::kata::KataError>>> =
        const { std::cell::Cell::new(None) };
    /// The link in the page's address, read by [`prepare_link`] for an
    /// [`App`] built directly (the browser tests).
    static PREPARED_LINK: std::cell::Cell<Option<LinkRead>> =
        const { std::cell::Cell::new(None) };
}

/// The link in `page`'s address, read; `None` without one.
async fn read_link(page: &PageOptions) -> Option<LinkRead> {
    match &page.hash {
        Some(hash) => Some(link::decode(hash).await),
        None => None,
    }
}

/// Reads the built-in kata's [`Opening`] for the [`App`], then calls
/// `then` (which builds it), each in a task of its own: the kata (as the
/// build wrote it, with its starter design read), then the link or the
/// autosave (parsing, checking; the browser unpacks a link in between),
/// then `then`. V8 compiles each wasm function the first time it runs,
/// on the page's thread, so reading all that and building the page in
/// one task made one long task of them.
pub(crate) fn prepare_opening(then: impl FnOnce() + 'static) {
    let kata = read_kata();
    gloo_timers::callback::Timeout::new(0, move || {
        let page = PageOptions::from_location();
        // Without a link this finishes in this task; with one, once the
        // browser has unpacked it.
        wasm_bindgen_futures::spawn_local(async move {
            // Without its kata the page only says so: no link to read.
            let link = match kata {
                Ok(_) => read_link(&page).await,
                Err(_) => None,
            };
            PREPARED.set(Some(kata.map(|kata| open_with(kata, page, link))));
            gloo_timers::callback::Timeout::new(0, then).forget();
        });
    })
    .forget();
}

/// Reads the link in the page's address for the next [`App`] built
/// directly, as the browser tests build it (the site reads its link in
/// [`prepare_opening`]). An app built directly without it opens as if
/// the address had no link, and leaves the address as it is.
pub(crate) async fn prepare_link() {
    let page = PageOptions::from_location();
    PREPARED_LINK.set(read_link(&page).await);
}

/// The whole page: top bar, brief and palette, canvas, inspector, timeline.
/// It opens the kata given as context ([`GivenKata`]), else the built-in
/// [`KATA`]; every number it shows or checks comes from that kata.
#[component]
pub fn App() -> impl IntoView {
    // The kata is fixed for the page's lifetime, so it is plain data, not a
    // signal; a load failure is shown in words instead of the editor.
    let given = use_context::<GivenKata>();
    // The site reads its kata and starting design in the task before this
    // one (`prepare_opening`); a browser test builds the app directly.
    // Taken whichever way the app opens, so that none is left for the next.
    let prepared_link = PREPARED_LINK.take();
    let open_directly =
        |kata: Arc<sim::kata::Kata>| open_with(kata, PageOptions::from_location(), prepared_link);
    let opened = match &given {
        Some(given) => given.read.clone().map(open_directly),
        None => PREPARED
            .take()
            .unwrap_or_else(|| read_kata().map(open_directly)),
    };
    let Opening {
        kata,
        page,
        autosave,
        startup,
    } = match opened {
        Ok(opening) => opening,
        Err(error) => {
            return view! {
                <div class="app-error" role="alert">
                    <h1>"The playground could not start"</h1>
                    <p>{error.to_string()}</p>
                </div>
            }
            .into_any()
        }
    };

    let kata_id = static_id(&kata.id);
    // Grading requests name a built-in kata by id and carry a given one.
    let kata_ref = StoredValue::new(given.map_or_else(
        || KataRef::BuiltIn(kata.id.clone()),
        |given| KataRef::Given(given.data),
    ));
    let autosave = StoredValue::new(autosave);
    let autosave_dialog = RwSignal::new(
        startup
            .unreadable_in_place
            .then_some(AutosaveDialog::Unreadable),
    );
    let returning = startup.returning;
    let design = startup.design;
    let state = EditorState::new(design);
    if page.readonly {
        state.apply(|e| e.set_readonly(true));
    }
    if !startup.notes.is_empty() {
        state.notify_lasting(startup.notes.join(" "));
    }
    // A malformed `?allow=` is the course author's to fix: said on the
    // page and in the console, and the embed sends and accepts nothing.
    if !page.allow_errors.is_empty() {
        let list: Vec<String> = page.allow_errors.iter().map(ToString::to_string).collect();
        let text = format!(
            "This embed's ?allow= is malformed, so it sends no messages to the course page and accepts none: {}.",
            list.join("; ")
        );
        web_sys::console::error_1(&wasm_bindgen::JsValue::from_str(&text));
        state.notify_lasting(text);
    }
    let seed = RwSignal::new(startup.seed);
    let share = RwSignal::new(
        startup
            .pending_link
            .map(|(d, link_seed)| ShareDialog::LinkOrAutosave(Box::new(d), link_seed)),
    );
    let page = StoredValue::new(page);
    let course = CoursePage::new(page, kata_id, state, seed);

    // Autosave whenever the design settles (after each edit, not each drag
    // step). The first run only records the starting point.
    Effect::new(move |previous: Option<u64>| {
        let revision = state.saved_revision.get();
        if previous.is_some_and(|p| p != revision) {
            let saved = state.with_editor(|e| autosave.try_update_value(|a| a.save(e.design())));
            match saved {
                Some(Err(storage::SaveError::Refused)) => state
                    .notify("Autosave failed: this browser is not letting the page store data."),
                Some(Err(storage::SaveError::ChangedElsewhere)) => {
                    autosave_dialog.set(Some(AutosaveDialog::ChangedElsewhere))
                }
                // Paused until the learner answers: say so at each edit,
                // so nobody believes an edit was kept.
                Some(Err(storage::SaveError::Paused)) if autosave_dialog.get_untracked().is_none() => {
                    state.notify("Autosave is paused, so this edit is not saved in the browser: keep a copy with Design ▾ → Export JSON, or reload the page to choose again.")
                }
                _ => {}
            }
            course.design_changed();
        }
        revision
    });

    // The embedding page learns that the playground is ready, and may send
    // a design to load (only from the origins it allows in `?allow=`),
    // which the page's later part reads.
    course.ready();
    let messages = window_event_listener(leptos::ev::message, move |ev| course.receive(ev));
    on_cleanup(move || messages.remove());

    // Another tab (or embed) saved in this slot: ask before this page
    // writes there again.
    let other_tabs = window_event_listener(leptos::ev::storage, move |ev| {
        let key = ev.key().unwrap_or_default();
        let new_value = ev.new_value();
        let changed = autosave
            .try_with_value(|a| a.changed_elsewhere(&key, new_value.as_deref()))
            .unwrap_or(false);
        if changed && autosave_dialog.get_untracked().is_none() {
            autosave.update_value(storage::Autosave::pause);
            autosave_dialog.set(Some(AutosaveDialog::ChangedElsewhere));
        }
    });
    on_cleanup(move || other_tabs.remove());

    // Grade every settled design, a moment after the last edit so typing
    // and dragging stay smooth. The grading worker does the work; the page
    // only sends the design and shows what comes back (each answer names
    // its revision, so the cards can tell when they are out of date).
    let run = RunState::new();
    let connect = use_context::<Connect>().unwrap_or_else(transport::worker);
    // What led to each request (the latest one's is the one that counts),
    // so the course page can tell the grade of the design it opened with
    // from grades the learner's actions brought.
    let trigger_of = StoredValue::new((0u64, Trigger::Opened));
    run.connect(&connect, move |outcome| {
        let (request, trigger) = trigger_of.get_value();
        if request == outcome.request {
            // Only the page's later part takes a grade, so it is there.
            if let Some(part) = later::now() {
                (part.course_grade)(course, state, outcome, trigger);
            }
        }
    });
    let pending_grade = StoredValue::new_local(None::<gloo_timers::callback::Timeout>);
    Effect::new(move |previous: Option<()>| {
        state.saved_revision.track();
        seed.track();
        let trigger = if previous.is_none() {
            Trigger::Opened
        } else if course.loaded_design() {
            Trigger::LoadDesign
        } else {
            Trigger::Edit
        };
        let timer = gloo_timers::callback::Timeout::new(GRADE_DELAY_MS, move || {
            let (design, revision) = state.with_editor(|e| (e.design().clone(), e.revision()));
            let request =
                kata_ref.with_value(|k| run.request(design, revision, k, seed.get_untracked()));
            trigger_of.set_value((request, trigger));
            course.grade_asked();
        });
        pending_grade.set_value(Some(timer)); // replaces (cancels) any earlier one
    });

    // A link pasted into this tab changes only the hash: the page's later
    // part opens it the same way, asking first when it differs from the
    // design on screen.
    let links_pasted = Latest::new();
    let pasted = PastedLinks {
        state,
        share,
        seed,
        pasted: links_pasted,
    };
    let hash_changes = window_event_listener(leptos::ev::hashchange, move |_| {
        later::with_if_coming(move |part| match part {
            Ok(part) => (part.open_pasted_link)(pasted),
            Err(error) if !state.is_gone() => state.notify_lasting_about(
                PART_MISSING,
                format!(
                    "The link pasted could not be opened, and your design is unchanged: {error}."
                ),
            ),
            Err(_) => {}
        });
    });
    on_cleanup(move || hash_changes.remove());

    let replace = RwSignal::new(None::<Replace>);
    // On a phone only one pane shows at a time; wider screens ignore it.
    let pane = RwSignal::new(Pane::Canvas);
    let on_long_press = Callback::new(move |()| pane.set(Pane::Inspector));
    // On wider screens the side panels fold away to give the canvas room;
    // a narrow window (or an embed) starts with the inspector folded, and
    // selecting a node opens it unless the learner folded it themselves.
    let roomy = layout::window_is_roomy() && !page.with_value(|p| p.embed);
    let brief_fold = RwSignal::new(Fold::Open);
    let inspector_fold = RwSignal::new(Fold::initial(roomy));
    Effect::new(move |_| {
        if state.selection.with(|s| s.single_node().is_some()) {
            inspector_fold.update(|f| *f = f.on_selection());
        }
    });
    let help = RwSignal::new(false);

    let keys_act_on = KeyTargets {
        state,
        replace,
        help,
        share,
    };
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.default_prevented() || dom::is_typing_target(ev.target()) {
            return;
        }
        let press = KeyPress {
            key: ev.key(),
            command: ev.ctrl_key() || ev.meta_key(),
            shift: ev.shift_key(),
        };
        // While a keyboard connection asks for its target, Tab, the arrows
        // and Enter choose and confirm it instead of their usual work.
        let connecting = state.with_editor(|e| e.keyboard_connection().is_some());
        let action = if connecting {
            action_while_connecting(&press)
        } else {
            action_for(&press)
        };
        let Some(action) = action else {
            return;
        };
        // Enter on a button (a palette item, a tab…) activates it, even
        // with a node selected: only on the canvas does it open the
        // inspector.
        if action == Action::Inspect && dom::is_control_target(ev.target()) {
            return;
        }
        // C is a single-key shortcut: it acts only where the node it
        // connects has the focus (WCAG 2.1.4), not while typing a name of a
        // card button or reading the brief.
        if action == Action::Connect && !dom::is_node_target(ev.target()) {
            return;
        }
        // Enter opens the inspector even when it is folded away or, on a
        // phone, behind another pane: unfold and show it first, and focus
        // its first field once it is drawn.
        if action == Action::Inspect
            && state
                .selection
                .with_untracked(|s| s.single_node().is_some())
        {
            inspector_fold.set(Fold::Open);
            pane.set(Pane::Inspector);
        }
        // The actions are in the page's later part. A key pressed while it
        // is on its way is carried out once it comes, in order (its
        // default, such as Ctrl+D's bookmark, is prevented now, as it would
        // be if the part were there); one pressed when it could not be
        // downloaded is said to have done nothing.
        let handled = match later::now() {
            Some(part) => (part.run_action)(keys_act_on, action),
            None => {
                let coming = later::is_coming();
                later::with_if_coming(move |part| match part {
                    Ok(part) => {
                        (part.run_action)(keys_act_on, action);
                    }
                    // Lasting while the part is missing (the page keeps
                    // trying): withdrawn when it comes.
                    Err(error) if !state.is_gone() => state.notify_lasting_about(
                        PART_MISSING,
                        format!(
                            "That key did nothing: the keyboard shortcuts come with the rest of \
                             the page. {error}."
                        ),
                    ),
                    Err(_) => {}
                });
                coming
            }
        };
        if handled {
            ev.prevent_default();
        }
    });
    on_cleanup(move || keys.remove());

    // The page is built in seven tasks (after the one that read the kata
    // and the starting design, `prepare_opening`): this one runs the
    // app's setup (the effects, the worker's connection); the next builds
    // its frame, empty regions; the next the canvas and the grade strip,
    // what the learner looks at and acts on first (the canvas draws the
    // design's nodes a task later, then its connections: see
    // `editor::chunks::DRAWN_AT_FIRST`); then, one per task, each once
    // the thread is idle (so the canvas is drawn and answers first): the
    // top bar; the brief; the inspector and the pane tabs; last the
    // results and the dialogs, which wait for a grade or a click. V8
    // compiles each wasm function the first time it runs, on this thread,
    // so a page built in one task was one long task; the setup and the
    // frame's first elements each compile a good part of the framework.
    // (The top bar's row has a fixed height, so it fills in without moving
    // the canvas; the grade strip's row does not, so it comes with the
    // canvas.)
    //
    // Everything after the canvas but the pane tabs is in the page's later
    // part (the top bar and the brief show their frames until it comes).
    // The part may come after all seven tasks: then what it holds is built
    // in the same order, again one part per task (`arrived`), not all in
    // the task that brought it.
    let built = RwSignal::new(Built::Setup);
    gloo_timers::callback::Timeout::new(0, move || {
        built.set(Built::Frame);
        gloo_timers::callback::Timeout::new(0, move || {
            built.set(Built::Canvas);
            build_the_rest(built);
        })
        .forget();
    })
    .forget();
    // Memos, so that each part is built once: a view closure reading
    // `built` itself would build its part again at the next stage.
    let frame_built = built_reached(built, Built::Frame);
    let canvas_built = built_reached(built, Built::Canvas);
    let top_built = built_reached(built, Built::Top);
    let brief_built = built_reached(built, Built::Brief);
    let inspector_built = built_reached(built, Built::Inspector);
    let all_built = built_reached(built, Built::All);
    let (embedded, readonly) = page.with_value(|p| (p.embed, p.readonly));
    let (title, event) = (kata.title.clone(), kata.event());
    let (top_title, top_event, title_frame) = (title.clone(), event.clone(), title.clone());
    // The top bar's buttons, the brief, the inspector, the results and
    // the dialogs are in the page's later part (src/later.rs), whose
    // download the page started as it started (`later::start_download`):
    // the app now waits for it (or hears that it failed). Each is built at
    // its stage once the part is there, and one stage per task from when
    // it came (`arrived`: a stage of the same kind as `built`, which
    // starts once the part is there).
    let part: RwSignal<Option<Later>> = RwSignal::new(None);
    let part_missing = RwSignal::new(false);
    ask_for_later_part(part, part_missing, state, run, course);
    let arrived = RwSignal::new(Built::Frame);
    Effect::new(move |started: Option<bool>| {
        if started == Some(true) {
            return true;
        }
        let there = part.with(Option::is_some);
        if there {
            arrived.set(Built::Canvas);
            build_the_rest(arrived);
        }
        there
    });
    let top_arrived = built_reached(arrived, Built::Top);
    let brief_arrived = built_reached(arrived, Built::Brief);
    let inspector_arrived = built_reached(arrived, Built::Inspector);
    let all_arrived = built_reached(arrived, Built::All);
    // Once they are built, not once the part is there: they are built
    // a few tasks later.
    let results_shown: Signal<bool> =
        Memo::new(move |_| all_built.get() && all_arrived.get()).into();
    let top_context = TopBarContext {
        state,
        run,
        replace,
        help,
        share,
        kata: kata_id,
        seed,
        readonly,
    };
    let top = built_with_later(
        top_built,
        (top_arrived, part),
        move |later| {
            (later.top_bar)(
                TopBarProps::builder()
                    .title(top_title.clone())
                    .event(top_event.clone())
                    .context(top_context)
                    .build(),
            )
        },
        move || view! { <TopBarFrame title=title_frame.clone() readonly=readonly /> }.into_any(),
    );
    let summary = built_when(canvas_built, move || {
        view! {
            <GradeSummary state=state run=run results_shown=results_shown on_show=Callback::new(move |()| pane.set(Pane::Results)) />
        }
        .into_any()
    });
    let canvas = built_when(canvas_built, move || {
        view! { <Canvas state=state on_long_press=on_long_press /> }.into_any()
    });
    // Before the canvas in the page's order (focus, reading), as laid out.
    let (brief_kata, frame_kata) = (kata.clone(), kata.clone());
    let brief = built_with_later(
        brief_built,
        (brief_arrived, part),
        move |later| {
            (later.brief)(
                BriefPanelProps::builder()
                    .kata(brief_kata.clone())
                    .state(state)
                    .initial(if returning && !readonly {
                        LeftTab::Palette
                    } else {
                        LeftTab::Brief
                    })
                    .readonly(readonly)
                    .on_added(Callback::new(move |()| pane.set(Pane::Canvas)))
                    .build(),
            )
        },
        move || {
            view! { <BriefFrame kata=frame_kata.clone() readonly=readonly missing=part_missing.into() /> }
                .into_any()
        },
    );
    let starter = kata.starter.clone();
    let (scenarios, targets, window_starts) = (
        kata.scenarios.clone(),
        Targets::of(&kata),
        kata.window_starts(),
    );
    // In the page's order (focus, reading): the inspector, the results,
    // the pane tabs, the dialogs; built in two tasks.
    let inspector = built_with_later(
        inspector_built,
        (inspector_arrived, part),
        move |later| {
            (later.inspector)(
                InspectorProps::builder()
                    .state(state)
                    .run(run)
                    .on_escape(Callback::new(move |()| pane.set(Pane::Canvas)))
                    .build(),
            )
        },
        nothing,
    );
    let results = built_with_later(
        all_built,
        (all_arrived, part),
        move |later| {
            (later.results)(
                ResultsProps::builder()
                    .state(state)
                    .run(run)
                    .scenarios(scenarios.clone())
                    .targets(targets)
                    .window_starts(window_starts.clone())
                    .event(event.clone())
                    .build(),
            )
        },
        nothing,
    );
    let tabs = built_when(inspector_built, move || {
        view! { <PaneTabs pane=pane readonly=readonly /> }.into_any()
    });
    let dialogs = built_with_later(
        all_built,
        (all_arrived, part),
        move |later| {
            (later.dialogs)(Dialogs {
                confirm: ConfirmReplaceProps::builder()
                    .state(state)
                    .pending(replace)
                    .starter(starter.clone())
                    .build(),
                help: ShortcutsHelpProps::builder().open(help).build(),
                share: ShareDialogsProps::builder()
                    .state(state)
                    .dialog(share)
                    .kata(kata_id)
                    .title(title.clone())
                    .seed(seed)
                    .build(),
                autosave: AutosaveDialogsProps::builder()
                    .state(state)
                    .autosave(autosave)
                    .dialog(autosave_dialog)
                    .build(),
            })
        },
        nothing,
    );
    let frame = view! {
        <div class="app" class:embed=embedded class:readonly=readonly data-pane=move || pane.get().key()
            class:brief-folded=move || !brief_fold.get().is_open()
            class:inspector-folded=move || !inspector_fold.get().is_open()>
            {top}
            {summary}
            {brief}
            <main class="canvas-region" aria-label="Design canvas">
                {canvas}
                <FoldButton fold=brief_fold name="brief" controls="brief-panel" side="left" />
                <FoldButton fold=inspector_fold name="inspector" controls="inspector-panel" side="right" />
                <NoticeArea state=state />
            </main>
            {inspector}
            {results}
            {tabs}
            {dialogs}
        </div>
    }
    .into_any();
    // Described now, built a task later: describing the frame costs
    // nothing, while making its first elements compiles much of the
    // framework's view code, which is worth a task of its own. A `Mutex`
    // because a part's closure must be `Fn`: it hands the frame over once.
    let frame = std::sync::Mutex::new(Some(frame));
    built_when(frame_built, move || {
        frame
            .lock()
            .ok()
            .and_then(|mut frame| frame.take())
            .unwrap_or_else(nothing)
    })
}

/// How much of the page is built (see [`App`]: it is built in seven
/// tasks, in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Built {
    /// The app's setup: its state, effects and listeners.
    Setup,
    /// And its frame: the empty regions.
    Frame,
    /// And the canvas and the grade strip.
    Canvas,
    /// And the top bar.
    Top,
    /// And the brief.
    Brief,
    /// And the inspector and the pane tabs.
    Inspector,
    /// Everything: and the results and the dialogs.
    All,
}

/// Whether `stage` has reached `at_least`, as a memo, so that what reads
/// it is built once. One function for every stage (not inlined), so the
/// page's wasm holds one memo's setup instead of one per stage.
#[inline(never)]
fn built_reached(stage: RwSignal<Built>, at_least: Built) -> Memo<bool> {
    Memo::new(move |_| stage.get() >= at_least)
}

impl Built {
    /// The stage after this one.
    fn next(self) -> Self {
        match self {
            Self::Setup => Self::Frame,
            Self::Frame => Self::Canvas,
            Self::Canvas => Self::Top,
            Self::Top => Self::Brief,
            Self::Brief => Self::Inspector,
            Self::Inspector | Self::All => Self::All,
        }
    }
}

/// Builds the page's remaining parts one per task, each once the thread
/// is idle (at most `REST_WAIT_MS` later), until all are built.
fn build_the_rest(built: RwSignal<Built>) {
    dom::when_idle(REST_WAIT_MS, move || {
        // The page may be gone by then.
        let Some(now) = built.try_get_untracked() else {
            return;
        };
        let next = now.next();
        built.set(next);
        if next != Built::All {
            build_the_rest(built);
        }
    });
}

/// Asks for the page's later part and puts it in `part` once it is
/// loaded, having set up what follows the runs (`run::follow_runs`, under
/// the app's owner); `missing` says whether its last download failed. When it
/// cannot be downloaded the learner is told once (their design is kept),
/// grading is said to have stopped, and the page asks
/// again, `PART_RETRY_MS` later and then at doubling intervals up to
/// `PART_RETRY_MAX_MS`, until it has it; then grading resumes. This is
/// the one place a missing part is reported: the transport drops the
/// answers it could not read (see `transport::WorkerTransport::receive`).
fn ask_for_later_part(
    part: RwSignal<Option<Later>>,
    missing: RwSignal<bool>,
    state: EditorState,
    run: RunState,
    course: CoursePage,
) {
    // What the part sets up when it comes lives as long as the app. Held
    // weakly: a strong handle here (in a closure that waits for the part,
    // or in a retry's timer) would keep an unmounted app alive.
    let owner = Owner::current().map(|owner| owner.downgrade());
    ask_again_for_later_part(part, missing, (state, run, course), owner, None);
}

/// [`ask_for_later_part`]; `retry_ms` is how long the page waited before
/// this attempt, `None` on the first.
fn ask_again_for_later_part(
    part: RwSignal<Option<Later>>,
    missing: RwSignal<bool>,
    (state, run, course): (EditorState, RunState, CoursePage),
    owner: Option<WeakOwner>,
    retry_ms: Option<u32>,
) {
    // A part already there when the editor's state was made (a second
    // mount, or a download done before the app mounted) has linted the
    // design on screen then (`EditorState::show_lints`).
    let linted = later::now().is_some();
    later::with(move |loaded: Result<Later, PartError>| {
        // `try_`: the page (or a test's mount) may be gone, and with it
        // its owner.
        let app = owner.as_ref().map(WeakOwner::upgrade);
        if part.try_get_untracked().is_none() || matches!(app, Some(None)) {
            return;
        }
        match loaded {
            Ok(later) => {
                // Before any grade is taken: the grades that waited for
                // the part are read after this. (An app always has an
                // owner; without one the effects would live as long as
                // the page.)
                match app.flatten() {
                    Some(app) => app.with(|| (later.follow_runs)(run, state, course)),
                    None => (later.follow_runs)(run, state, course),
                }
                missing.set(false);
                part.set(Some(later));
                // Before the answers waiting for the part are read (and
                // the grades among them posted).
                (later.course_arrived)(course);
                if !linted {
                    state.refresh_lints();
                }
                if retry_ms.is_some() {
                    // What was said of the missing part is over.
                    state.withdraw_notices(PART_MISSING);
                    state.notify("The rest of the page has loaded.");
                    // The answers that came meanwhile could not be read.
                    run.resume();
                }
            }
            Err(error) => {
                missing.set(true);
                if retry_ms.is_none() {
                    state.notify_lasting_about(PART_MISSING, format!("{error}."));
                    // A reason already said (the worker could not start)
                    // stays.
                    if run.unavailable.with_untracked(Option::is_none) {
                        run.unavailable.set(Some(error.to_string()));
                    }
                }
                let wait = retry_ms.map_or(PART_RETRY_MS, |ms| (ms * 2).min(PART_RETRY_MAX_MS));
                gloo_timers::callback::Timeout::new(wait, move || {
                    ask_again_for_later_part(
                        part,
                        missing,
                        (state, run, course),
                        owner,
                        Some(wait),
                    );
                })
                .forget();
            }
        }
    });
}

/// What the notices about the page's missing later part are about: they
/// are withdrawn when it comes.
const PART_MISSING: &str = "the page's later part is missing";

/// A part of the page, built by `part` once `ready` is true. Every part
/// goes through this one function, so the view code that waits for the
/// flag is compiled once, not once per part.
fn built_when(ready: Memo<bool>, part: impl Fn() -> AnyView + Send + Sync + 'static) -> AnyView {
    let part: Box<dyn Fn() -> AnyView + Send + Sync> = Box::new(part);
    (move || ready.get().then(&part)).into_any()
}

/// A part of the page that the page's later part holds: from its stage
/// (`ready`) on, built by `before` until the later part is there and its
/// stage has arrived (`arrived`, the flag and the part), then by `part`,
/// given the later part.
fn built_with_later(
    ready: Memo<bool>,
    (arrived, later): (Memo<bool>, RwSignal<Option<Later>>),
    part: impl Fn(Later) -> AnyView + Send + Sync + 'static,
    before: impl Fn() -> AnyView + Send + Sync + 'static,
) -> AnyView {
    let part: Box<dyn Fn(Later) -> AnyView + Send + Sync> = Box::new(part);
    let before: Box<dyn Fn() -> AnyView + Send + Sync> = Box::new(before);
    // `arrived` is read first, so that it is tracked whatever the part.
    built_when(ready, move || {
        match (arrived.get(), later.get_untracked()) {
            (true, Some(later)) => part(later),
            _ => before(),
        }
    })
}

/// What a part of the page shows before the later part comes, when it
/// shows nothing.
fn nothing() -> AnyView {
    ().into_any()
}
