//! The page never freezes: grading runs in a worker, so editing makes no
//! main-thread task over 50 ms, nor does playing back any canonical
//! design's run; the page is built over eleven tasks and looks its fonts up
//! while the wasm downloads, so opening a link to any canonical design
//! makes none over 100 ms; and the tab answers input within 100 ms while a
//! 2,000-node design grades. Long tasks are counted with a
//! PerformanceObserver ('longtask'), input delay from each key event's
//! timestamp to its handler; both are counts and bounds, not timings of
//! this machine's speed.

use e2e::serve::StaticServer;
use e2e::webdriver::Browser;
use e2e::{serve_and_open, workspace_root};
use serde_json::json;
use std::time::Duration;

const KATA: &str = "status-dashboard";

/// These tests measure the page's tasks, so they run one at a time (cargo
/// runs a file's tests in parallel, and a 2,000-node grade in another
/// browser would stretch every task here).
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn canonical(name: &str) -> design::Design {
    let path = workspace_root().join(format!("katas/{KATA}/designs/{name}.json"));
    let text = std::fs::read_to_string(&path).expect("a canonical design");
    design::format::parse(&text).expect("parses").design
}

/// Opens the site on `design` (through its share link, in a fresh
/// browser, so there is no autosave to ask about) and waits for its nodes.
fn open_design(design: &design::Design) -> (StaticServer, Browser) {
    let link = design::share::encode(design, KATA, 1);
    let (server, browser) = serve_and_open(&format!("#{link}"), 1440, 900);
    browser
        .wait_for(
            &format!(
                "return document.querySelectorAll('svg.canvas g.node').length >= {}",
                design.nodes.len()
            ),
            Duration::from_secs(120),
        )
        .expect("the design is drawn");
    (server, browser)
}

/// Starts counting long tasks from now on.
fn watch_long_tasks(browser: &Browser) {
    browser
        .execute(
            "if (window.__longTaskObserver) window.__longTaskObserver.disconnect(); \
             window.__longTasks = []; \
             window.__longTaskObserver = new PerformanceObserver(list => { \
               for (const e of list.getEntries()) { window.__longTasks.push([e.startTime, e.duration]); \
                 console.info('long task ' + Math.round(e.duration) + ' ms after ' + (window.__step || 'start')); } \
             }); \
             window.__longTaskObserver.observe({ type: 'longtask' });",
            vec![],
        )
        .expect("observe long tasks");
}

/// A main-thread task over 50 ms, as the page's observer reported it.
struct LongTask {
    /// When it started, in milliseconds from navigation.
    start_ms: f64,
    /// How long it took, in milliseconds.
    duration_ms: f64,
}

/// Printed as "72 ms at 955 ms": when a task came tells which part of the
/// page (or of its opening) it was.
impl std::fmt::Debug for LongTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.0} ms at {:.0} ms", self.duration_ms, self.start_ms)
    }
}

/// The long tasks since the page opened (Chromium buffers them for an
/// observer that asks).
fn long_tasks_since_opening(browser: &Browser) -> Vec<LongTask> {
    tasks(
        &browser
            .execute_async(
                "const done = arguments[arguments.length - 1]; \
                 new PerformanceObserver(list => done(list.getEntries().map(e => [e.startTime, e.duration]))) \
                   .observe({ type: 'longtask', buffered: true }); \
                 setTimeout(() => done([]), 500);",
                vec![],
            )
            .expect("read buffered long tasks"),
    )
}

fn durations(value: &serde_json::Value) -> Vec<f64> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_f64()).collect())
        .unwrap_or_default()
}

/// Long tasks from `[start, duration]` pairs.
fn tasks(value: &serde_json::Value) -> Vec<LongTask> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|pair| {
                    Some(LongTask {
                        start_ms: pair.get(0)?.as_f64()?,
                        duration_ms: pair.get(1)?.as_f64()?,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

fn long_tasks(browser: &Browser) -> Vec<LongTask> {
    tasks(
        &browser
            .execute(
                // Entries not yet delivered to the callback are taken too.
                "for (const e of window.__longTaskObserver.takeRecords()) \
                   window.__longTasks.push([e.startTime, e.duration]); \
                 return window.__longTasks;",
                vec![],
            )
            .expect("read long tasks"),
    )
}

/// Waits until the cards show the grade of the design on screen with its
/// fixes tested.
fn wait_graded(browser: &Browser) {
    browser
        .wait_for(
            "const s = document.querySelector('.results-summary'); \
             return s && !s.textContent.includes('rading') && \
                    !document.querySelector('.scenario-card .next.checking');",
            Duration::from_secs(60),
        )
        .expect("graded");
}

/// Edits the design the way a learner does, waiting for each grade:
/// select a node, nudge it (each nudge an edit), undo and redo.
fn edit_and_regrade(browser: &Browser, node: &str) {
    let at = browser
        .centre_of(&format!("svg.canvas g.node[data-node=\"{node}\"]"))
        .expect("the node is on screen");
    step(browser, "click");
    browser.mouse_path(&[at]).expect("select it");
    let transform = |browser: &Browser| {
        browser
            .execute(
                "return document.querySelector(arguments[0]).getAttribute('transform')",
                vec![json!(format!("svg.canvas g.node[data-node=\"{node}\"]"))],
            )
            .expect("read the node's position")
    };
    for key in ["\u{E014}", "\u{E015}", "\u{E012}"] {
        // right, down, left: each nudge an edit, graded again.
        let before = transform(browser);
        step(browser, key);
        browser.keys(&[key]).expect("nudge");
        std::thread::sleep(Duration::from_millis(400));
        assert_ne!(transform(browser), before, "the nudge moved the node");
        wait_graded(browser);
    }
    // Undo and redo (Ctrl+Z, Ctrl+Y), each an edit graded again.
    for key in ["z", "y"] {
        step(browser, key);
        browser
            .execute(
                "window.dispatchEvent(new KeyboardEvent('keydown', \
                   { key: arguments[0], ctrlKey: true, bubbles: true }));",
                vec![json!(key)],
            )
            .expect("undo or redo");
        std::thread::sleep(Duration::from_millis(400));
        wait_graded(browser);
    }
}

/// Opening a link to `name` in a fresh browser and editing it: the tasks
/// over [`OPENING_LIMIT_MS`] from navigation until its grade showed, and
/// the tasks over 50 ms while editing.
fn long_tasks_opening_and_editing(name: &str, node: &str) -> (Vec<LongTask>, Vec<LongTask>) {
    let design = canonical(name);
    let (_server, browser) = open_design(&design);
    wait_graded(&browser);
    let opening = long_tasks_since_opening(&browser);
    watch_long_tasks(&browser);
    edit_and_regrade(&browser, node);
    let editing = long_tasks(&browser);
    let log = browser.console_log().unwrap_or_default();
    let steps: Vec<&str> = log
        .iter()
        .filter(|e| e.message.contains("long task"))
        .map(|e| e.message.as_str())
        .collect();
    println!("{name}: long tasks while opening {opening:?}; while editing {editing:?} {steps:?}");
    browser.assert_no_console_errors();
    (over(OPENING_LIMIT_MS, opening), over(50.0, editing))
}

/// The tasks in `tasks` longer than `limit_ms`.
fn over(limit_ms: f64, tasks: Vec<LongTask>) -> Vec<LongTask> {
    tasks
        .into_iter()
        .filter(|t| t.duration_ms > limit_ms)
        .collect()
}

/// The longest task opening a link may take, from navigation until its
/// grade shows, in milliseconds. The page is built over eleven tasks since
/// 2026-12-06 (the app's setup, its frame, the canvas and its first nodes
/// in tasks of their own; before, over eight: the kata and the link read
/// in two tasks before the app, the top bar a task after the canvas; see
/// BENCHMARKS.md). Before, over five tasks, which took 50–88 ms here at
/// most on 2026-12-04 (none over 50 ms in many runs); before, it was one
/// task of 85–170 ms. Until the page looked its fonts up while the wasm
/// downloaded (2026-12-05), the layout after the grade arrived took
/// 65–145 ms for most canonical designs; since, their longest tasks were
/// at most 58–98 ms, and none in most openings.
const OPENING_LIMIT_MS: f64 = 100.0;

/// Names the step under way, for the long tasks' log lines.
fn step(browser: &Browser, name: &str) {
    browser
        .execute("window.__step = arguments[0];", vec![json!(name)])
        .expect("name the step");
}

/// No task over 100 ms while opening a link, and none over 50 ms while
/// editing. The machines that run this are shared: a task of the page's
/// own 50–88 ms can pass its limit while another job holds the CPU, so a
/// failing pass is measured again in a fresh browser, up to three passes
/// in all, and the test fails only if every pass does. Grading on the
/// page's thread (a task per edit of 100 ms and more), or building the
/// page in one task, fails them all.
fn assert_opening_and_editing_make_no_long_task(name: &str, node: &str) {
    let mut passes = Vec::new();
    for _ in 0..3 {
        let (opening, editing) = long_tasks_opening_and_editing(name, node);
        if opening.is_empty() && editing.is_empty() {
            return;
        }
        println!("{name}: tasks over the limits (opening, editing) {opening:?}, {editing:?}; measuring again");
        passes.push((opening, editing));
    }
    let opening: Vec<_> = passes.iter().map(|p| &p.0).collect();
    let editing: Vec<_> = passes.iter().map(|p| &p.1).collect();
    panic!(
        "{name}: in each of three passes, main-thread tasks over {OPENING_LIMIT_MS} ms while opening {opening:?} \
         or over 50 ms while editing {editing:?}"
    );
}

#[test]
fn opening_and_editing_the_reference_make_no_long_task() {
    let _serial = one_at_a_time();
    assert_opening_and_editing_make_no_long_task("reference", "api");
}

#[test]
fn opening_and_editing_the_starter_make_no_long_task() {
    let _serial = one_at_a_time();
    assert_opening_and_editing_make_no_long_task("starter", "api");
}

/// Every canonical design, by file name.
fn canonical_names() -> Vec<String> {
    let dir = workspace_root().join(format!("katas/{KATA}/designs"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("the kata's designs")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_suffix(".json").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

/// Sets the timeline's slider to `t_s` as a learner dragging it does.
fn scrub(browser: &Browser, t_s: u32) {
    browser
        .execute(
            "const r = document.querySelector('.playback input[type=range]');              r.value = arguments[0]; r.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![json!(t_s)],
        )
        .expect("scrub");
}

fn playing(browser: &Browser) -> bool {
    browser
        .execute(
            "return document.querySelector('svg.canvas').classList.contains('playing')",
            vec![],
        )
        .expect("read the canvas")
        == json!(true)
}

/// Opens a link to `name` in a fresh browser, then plays its run back the
/// way a learner does: Run (the run view, playing), scrubbing across the
/// run, then Play again from the incident. The tasks over
/// [`OPENING_LIMIT_MS`] from navigation until its grade showed, and those
/// over 50 ms while playing back.
fn long_tasks_opening_and_playing_back(name: &str) -> (Vec<LongTask>, Vec<LongTask>) {
    let (_server, browser) = open_design(&canonical(name));
    wait_graded(&browser);
    let opening = long_tasks_since_opening(&browser);
    watch_long_tasks(&browser);
    step(&browser, "run");
    browser.click_first("[data-action=\"run\"]");
    std::thread::sleep(Duration::from_millis(2500));
    assert!(playing(&browser), "{name}: the run plays");
    step(&browser, "scrub");
    for t_s in [600, 1200, 1800, 2400, 3000] {
        scrub(&browser, t_s);
        std::thread::sleep(Duration::from_millis(150));
    }
    scrub(&browser, 1100);
    step(&browser, "play");
    browser.click_first("[data-action=\"play\"]");
    std::thread::sleep(Duration::from_millis(2000));
    assert!(playing(&browser), "{name}: the run plays again");
    let playback = long_tasks(&browser);
    println!("{name}: long tasks while opening {opening:?}; while playing back {playback:?}");
    browser.assert_no_console_errors();
    (over(OPENING_LIMIT_MS, opening), over(50.0, playback))
}

/// Opening a link to any canonical design makes no main-thread task over
/// [`OPENING_LIMIT_MS`], and playing its run back (playing, scrubbing,
/// playing again) none over 50 ms: each frame draws from the series the
/// grade brought, nothing is computed again. A design with a task over
/// either limit is measured again in a fresh browser, up to three passes,
/// and fails only if every pass has one (see
/// [`assert_opening_and_editing_make_no_long_task`]).
#[test]
fn opening_and_playing_back_every_canonical_design_make_no_long_task() {
    let _serial = one_at_a_time();
    let names = canonical_names();
    assert!(names.len() >= 14, "{names:?}");
    for name in &names {
        let passes: Vec<(Vec<LongTask>, Vec<LongTask>)> = (0..3)
            .map(|_| long_tasks_opening_and_playing_back(name))
            .take_while(|(opening, playback)| !opening.is_empty() || !playback.is_empty())
            .collect();
        // `take_while` stops at the first clean pass: three passes here
        // means all three had a task over a limit.
        assert!(
            passes.len() < 3,
            "{name}: in each of three passes, tasks over {OPENING_LIMIT_MS} ms while opening \
             or over 50 ms while playing back (opening, playing back): {passes:?}"
        );
    }
}

/// `copies` copies of the reference design side by side, ids suffixed.
fn many_references(copies: usize) -> design::Design {
    let one = canonical("reference");
    let mut out = design::Design::default();
    for k in 0..copies {
        let rename = |id: &design::NodeId| design::NodeId(format!("{}-{k}", id.0));
        let (col, row) = ((k % 12) as f64, (k / 12) as f64);
        for node in &one.nodes {
            let mut node = node.clone();
            node.id = rename(&node.id);
            node.position.x += col * 1400.0;
            node.position.y += row * 700.0;
            out.nodes.push(node);
        }
        for edge in &one.edges {
            out.edges.push(design::Edge {
                from: rename(&edge.from),
                to: rename(&edge.to),
                kind: edge.kind,
            });
        }
    }
    out
}

#[test]
fn the_tab_answers_input_while_a_2000_node_design_grades() {
    let _serial = one_at_a_time();
    let copies = design::limits::MAX_NODES / canonical("reference").nodes.len();
    let big = many_references(copies);
    assert!(big.nodes.len() > 1_900 && big.nodes.len() <= design::limits::MAX_NODES);
    let started = std::time::Instant::now();
    let (_server, browser) = open_design(&big);
    let opening = long_tasks_since_opening(&browser);
    watch_long_tasks(&browser);
    println!(
        "{} nodes drawn after {:.1} s; long tasks while opening: {opening:?}",
        big.nodes.len(),
        started.elapsed().as_secs_f64()
    );
    browser
        .execute(
            "window.__inputDelays = []; \
             window.addEventListener('keydown', e => \
               window.__inputDelays.push(performance.now() - e.timeStamp), { capture: true });",
            vec![],
        )
        .expect("measure input delay");
    // The grade runs in the worker: the page says how long so far. Then
    // the worker grades candidate fixes (each a grade of the whole design):
    // the cards say "Checking the fix". The worker is busy either way.
    const GRADING: &str =
        "const s = document.querySelector('.scenario-card .status, .results-summary .muted'); \
         if (s && s.textContent.includes('so far')) return s.textContent; \
         const c = document.querySelector('.scenario-card .next.checking'); \
         return c && c.textContent;";
    // Either state will do: on a slow machine drawing the design can
    // outlast the grade itself, and the page is then already checking fixes.
    let progress = browser
        .wait_for(GRADING, Duration::from_secs(20))
        .expect("a long grade shows its progress or its fixes being checked");
    println!("progress shown: {progress}");
    // The probe types while the worker tests candidate fixes, each a grade
    // of the whole design, once the design's own grade is on screen. Showing
    // a 2,000-node grade is one task of the page's own (a few hundred ms
    // here: every node's run figures are drawn), which is
    // printed, not asserted; a key pressed during it would measure that
    // task, not whether the worker keeps the page free.
    const CHECKING: &str = "const c = document.querySelector('.scenario-card .next.checking'); \
         return c && c.textContent;";
    browser
        .wait_for(CHECKING, Duration::from_secs(60))
        .expect("the big design's grade shows and its fixes are being checked");
    println!(
        "long tasks until the grade showed: {:?}",
        long_tasks(&browser)
    );
    watch_long_tasks(&browser);
    // Typing while the worker grades: `?` opens and closes the shortcuts.
    let mut probes = 0;
    for _ in 0..10 {
        browser.keys(&["?"]).expect("type");
        std::thread::sleep(Duration::from_millis(150));
        probes += 1;
    }
    let still_grading = browser.execute(GRADING, vec![]).expect("read the progress");
    let delays = durations(
        &browser
            .execute("return window.__inputDelays", vec![])
            .expect("read delays"),
    );
    let during = long_tasks(&browser);
    println!(
        "input delays while grading {} nodes: {delays:?} ms; long tasks meanwhile: {during:?}; then {still_grading}",
        big.nodes.len()
    );
    assert!(
        still_grading.is_string(),
        "the grade finished before the probe ended, so this measured nothing"
    );
    assert_eq!(delays.len(), probes, "every key reached the page");
    assert!(
        delays.iter().all(|&d| d <= 100.0),
        "input waited over 100 ms while the design graded: {delays:?} ms"
    );
    let _ = browser.console_log();

    // A newer edit while the big design is graded or its fixes tested: the
    // new design's grade comes at once rather than after the big one's.
    let edited = std::time::Instant::now();
    for (key, ctrl) in [("a", true), ("Delete", false)] {
        browser
            .execute(
                "window.dispatchEvent(new KeyboardEvent('keydown', \
                   { key: arguments[0], ctrlKey: arguments[1], bubbles: true }));",
                vec![json!(key), json!(ctrl)],
            )
            .expect("select all, then delete");
    }
    browser
        .wait_for(
            "return document.querySelectorAll('svg.canvas g.node').length === 0 && \
                    document.querySelector('.results-summary') && \
                    document.querySelector('.results-summary').textContent.includes('graded in');",
            Duration::from_secs(20),
        )
        .expect("the emptied design is graded without waiting for the big one");
    println!(
        "the emptied design was graded {:.1} s after the edit",
        edited.elapsed().as_secs_f64()
    );
    // Either the worker was replaced (it was silent for 300 ms inside a
    // grade of the big design), or it saw the newer request between two
    // candidate grades; both answer in seconds, where finishing the big
    // design's fix testing takes minutes.
    let log = browser.console_log().unwrap_or_default();
    let replaced = log
        .iter()
        .any(|e| e.message.contains("grading worker replaced"));
    println!("the busy worker was replaced: {replaced}");
}
