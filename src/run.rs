//! Grading and playback state: the grade of the design on screen (with the
//! revision it was computed for, so a stale grade is never shown as
//! current), the grading service's progress, and the playback cursor of
//! the run being watched.
//!
//! Reactivity decisions:
//! - Grades arrive from the grading worker (see [`crate::grading`]); each
//!   answer names the number of its request and one for an older request than the
//!   latest asked is dropped, so a slow grade never overwrites a newer one.
//! - The runs' reports are taken out of the grade once, on arrival, into
//!   `Arc`s shared by the charts and playback: a redraw or a card update
//!   never copies a report.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use design::Design;
use editor::Playback;
use leptos::prelude::*;
use sim::engine::Report;
use sim::grade::Grade;

use crate::embed::{CoursePage, Trigger};
use crate::grading::now_ms;
use crate::grading::protocol::{self, KataRef, Request, Response};
use crate::grading::transport::{Connect, Transport};
use crate::later;
use crate::state::{EditorState, LiveFrame, NodeLive};

/// How long the worker may stay silent on an outdated request while a
/// newer one waits before it is replaced (a grade cannot be interrupted
/// from inside), and how long a grade runs before progress is shown.
pub const PATIENCE_MS: u32 = 300;

/// A grade and the design revision it belongs to.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The number of the request it answers.
    pub request: u64,
    /// The editor revision that was graded.
    pub revision: u64,
    /// The grade (its runs' reports moved to `reports`), or why the kata
    /// could not grade (a build defect).
    pub grade: Result<Arc<Grade>, String>,
    /// How long grading took in the worker, milliseconds.
    pub took_ms: f64,
    /// Once the failed cards' fixes are tested: how long that took after
    /// the grade, milliseconds.
    pub fixes_ms: Option<f64>,
    /// How many of the fixes helper workers graded.
    pub fixes_by_helpers: usize,
    /// Each grading run's report by run id.
    pub reports: HashMap<String, Arc<Report>>,
}

impl Outcome {
    /// An outcome from the worker's grade: the reports are moved out of
    /// the runs (which keep empty ones) into shared `Arc`s.
    pub fn new(request: u64, revision: u64, grade: Result<Grade, String>, took_ms: f64) -> Self {
        let mut reports = HashMap::new();
        let grade = grade.map(|mut g| {
            for run in &mut g.runs {
                reports.insert(run.id.clone(), Arc::new(std::mem::take(&mut run.report)));
            }
            Arc::new(g)
        });
        Outcome {
            request,
            revision,
            grade,
            took_ms,
            fixes_ms: None,
            fixes_by_helpers: 0,
            reports,
        }
    }
}

/// What the grading service is doing, as the page knows it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Grading {
    /// The latest request's number.
    pub asked: Option<u64>,
    /// The editor revision of the latest request.
    pub asked_revision: Option<u64>,
    /// The request the worker is working on (grading or testing fixes).
    pub working_on: Option<u64>,
    /// Whether the worker was replaced after failing on the latest
    /// request (it is replaced once; a second failure is reported).
    pub retried: bool,
    /// When the current grade started (page clock, ms), until it arrives.
    pub grading_since_ms: Option<f64>,
}

impl Grading {
    /// The worker works on nothing (it is idle, replaced or gone).
    fn stopped(&mut self) {
        self.working_on = None;
        self.grading_since_ms = None;
    }
}

/// The run and grade as the components see them.
#[derive(Clone, Copy)]
pub struct RunState {
    /// The latest grade.
    pub outcome: RwSignal<Option<Arc<Outcome>>>,
    /// The playback cursor.
    pub playback: RwSignal<Playback>,
    /// Which grading run plays (its id, e.g. "incident" or "faults").
    pub shown_run: RwSignal<String>,
    /// Whether the learner has started watching (the canvas stays calm
    /// until then).
    pub watching: RwSignal<bool>,
    /// While the failed cards' fixes are being tried: candidates graded
    /// and known so far.
    pub checking: RwSignal<Option<(usize, usize)>>,
    /// The grading service's state.
    pub grading: RwSignal<Grading>,
    /// The report of the run being watched, for the charts and the
    /// inspector: replaced only when it is a different report (a card's
    /// advice arriving leaves it alone), and in a task of its own after the
    /// grade's, so drawing the charts and drawing the cards are two short
    /// tasks rather than one long one.
    pub report: RwSignal<Option<Arc<Report>>>,
    /// How many times the learner started watching a run (Run, or a
    /// card's "Watch this run"): the embed reports the grade again then.
    pub runs_watched: RwSignal<u64>,
    /// Why grading cannot happen at all (the worker would not start).
    pub unavailable: RwSignal<Option<String>>,
    /// The page clock's reading now, refreshed while a grade is long, for
    /// the progress shown.
    pub clock_ms: RwSignal<f64>,
    service: StoredValue<Option<Rc<dyn Transport>>, LocalStorage>,
    /// The latest request, resent if the worker is replaced.
    last_request: StoredValue<Option<Request>, LocalStorage>,
    /// When the worker was last heard from (page clock, ms).
    last_heard_ms: StoredValue<f64>,
}

impl RunState {
    /// Empty: nothing graded yet, no grading service.
    pub fn new() -> Self {
        RunState {
            outcome: RwSignal::new(None),
            // Sized to the shown run when its report arrives.
            playback: RwSignal::new(Playback::new(0.0)),
            shown_run: RwSignal::new(String::new()),
            watching: RwSignal::new(false),
            checking: RwSignal::new(None),
            grading: RwSignal::new(Grading::default()),
            report: RwSignal::new(None),
            runs_watched: RwSignal::new(0),
            unavailable: RwSignal::new(None),
            clock_ms: RwSignal::new(0.0),
            service: StoredValue::new_local(None),
            last_request: StoredValue::new_local(None),
            last_heard_ms: StoredValue::new(0.0),
        }
    }

    /// Connects to the grading service; `on_graded` runs with each grade
    /// that arrives for the latest request.
    pub fn connect(&self, connect: &Connect, on_graded: impl Fn(&Outcome) + 'static) {
        let run = *self;
        let on_graded: Rc<dyn Fn(&Outcome)> = Rc::new(on_graded);
        let connected = (connect.0)(Rc::new(move |response| run.receive(response, &on_graded)));
        match connected {
            Ok(service) => self.service.set_value(Some(service)),
            Err(error) => self.unavailable.set(Some(error)),
        }
    }

    /// Asks for a grade of `design` at `revision`. A request still
    /// waiting is replaced; a worker stuck on an outdated grade is replaced
    /// after [`PATIENCE_MS`] of silence.
    /// Returns the request's number (see [`Outcome::request`]).
    pub fn request(&self, design: Design, revision: u64, kata: &KataRef, seed: u64) -> u64 {
        // Numbered after the latest, so a later request always has a
        // larger number.
        let number = self.grading.with_untracked(|g| g.asked.unwrap_or(0)) + 1;
        let request = Request::Grade {
            request: number,
            kata: kata.clone(),
            seed,
            design,
        };
        self.last_request.set_value(Some(request.clone()));
        self.grading.update(|g| {
            g.asked = Some(number);
            g.asked_revision = Some(revision);
            g.retried = false;
        });
        self.with_service(|s| s.send(request));
        let run = *self;
        set_timeout(
            move || run.watchdog(),
            Duration::from_millis(u64::from(PATIENCE_MS)),
        );
        number
    }

    fn with_service(&self, f: impl FnOnce(&dyn Transport)) {
        self.service
            .try_with_value(|s| {
                if let Some(s) = s {
                    f(s.as_ref())
                }
            })
            .unwrap_or(());
    }

    /// Replaces the worker if it has been silent for [`PATIENCE_MS`] on a
    /// revision older than the one asked: it is computing something nobody
    /// will see.
    fn watchdog(&self) {
        let Some(grading) = self.grading.try_get_untracked() else {
            return;
        };
        let stale = matches!((grading.working_on, grading.asked), (Some(w), Some(a)) if w < a);
        let silent_ms = now_ms() - self.last_heard_ms.get_value();
        if !stale {
            return;
        }
        if silent_ms + 1.0 < f64::from(PATIENCE_MS) {
            let run = *self;
            let wait = (f64::from(PATIENCE_MS) - silent_ms).max(1.0);
            set_timeout(move || run.watchdog(), Duration::from_millis(wait as u64));
            return;
        }
        self.replace_worker();
    }

    /// Grades the latest request again if grading had stopped on a
    /// failure: the page calls it when its later part, which reads the
    /// worker's answers, has arrived after failing to download.
    pub fn resume(&self) {
        // Without a service (the worker could not start) there is nothing
        // to resume, and the reason stays said.
        let connected = self
            .service
            .try_with_value(Option::is_some)
            .unwrap_or(false);
        if connected && self.unavailable.with_untracked(Option::is_some) {
            // Grading again: the strip says so rather than an old reason.
            self.unavailable.set(None);
            self.grading.update(|g| g.retried = false);
            self.replace_worker();
        }
    }

    /// Replaces the worker and sends it the latest request again.
    fn replace_worker(&self) {
        self.grading.update(Grading::stopped);
        self.with_service(|s| s.restart());
        if let Some(request) = self.last_request.get_value() {
            self.with_service(|s| s.send(request));
        }
    }

    /// Takes an answer of the grading service. Its progress and failures
    /// are taken here; a grade or advice, which only an answer read by the
    /// page's later part can bring, is taken there ([`RunState::take_grade`],
    /// so its code is in that part's wasm, not the page's).
    fn receive(&self, response: Response, on_graded: &Rc<dyn Fn(&Outcome)>) {
        // The page (or a browser test's mount) may be gone while the
        // service still answers: then there is nobody to tell.
        let Some(Grading { asked, retried, .. }) = self.grading.try_get_untracked() else {
            return;
        };
        let now = now_ms();
        self.last_heard_ms.set_value(now);
        match response {
            Response::Failed { reason } => {
                self.checking.set(None);
                if retried {
                    self.grading.update(Grading::stopped);
                    self.unavailable.set(Some(reason));
                } else {
                    web_sys::console::warn_1(
                        &format!("grading failed ({reason}); trying once more").into(),
                    );
                    self.grading.update(|g| g.retried = true);
                    self.replace_worker();
                }
            }
            Response::Ready => {}
            Response::Idle => self.grading.update(Grading::stopped),
            Response::Started { request } => {
                self.grading.update(|g| {
                    g.working_on = Some(request);
                    g.grading_since_ms = Some(now);
                });
                self.clock_ms.set(now);
                self.tick_while_grading(now);
            }
            Response::Checking {
                request,
                done,
                total,
            } => {
                if Some(request) == asked {
                    self.checking.set(Some((done, total)));
                }
            }
            Response::Graded { .. } | Response::Advised { .. } => match later::now() {
                // On the site only the part reads the worker's answers, so
                // it is here, and the grade is taken in the answers' order.
                Some(part) => (part.take_grade)(*self, response, &**on_graded),
                // A grading service in the page (the browser tests) answers
                // without the part, which is then in the page's wasm and
                // loads on first use: the grade waits for that.
                None => {
                    let (run, on_graded) = (*self, on_graded.clone());
                    later::with_if_coming(move |part| {
                        if let Ok(part) = part {
                            (part.take_grade)(run, response, &*on_graded);
                        }
                    });
                }
            },
        }
    }

    /// Takes a grade, or advice on the grade shown, that the grading
    /// service sent (see [`RunState::receive`]); `on_graded` runs with a
    /// grade of the latest request. Reached only through the page's later
    /// part (`later::Later::take_grade`).
    pub fn take_grade(self, response: Response, on_graded: &dyn Fn(&Outcome)) {
        let Some(Grading {
            asked,
            asked_revision,
            ..
        }) = self.grading.try_get_untracked()
        else {
            return;
        };
        match response {
            Response::Graded {
                request,
                grade,
                series,
                took_ms,
            } => {
                self.grading.update(|g| g.grading_since_ms = None);
                let (Some(asked), Some(revision)) = (asked, asked_revision) else {
                    return;
                };
                if request != asked {
                    return;
                }
                self.unavailable.set(None);
                let grade = grade.and_then(|mut g| {
                    protocol::unpack_series(&mut g, series).map_err(|e| e.to_string())?;
                    Ok(g)
                });
                let outcome = Arc::new(Outcome::new(request, revision, grade, took_ms));
                if let Ok(g) = &outcome.grade {
                    self.follow_runs(g, &outcome.reports);
                    if !g.all_passed() {
                        self.checking.set(Some((0, 0)));
                    } else {
                        self.checking.set(None);
                    }
                }
                self.outcome.set(Some(outcome.clone()));
                on_graded(&outcome);
                self.show_report_soon();
            }
            Response::Advised {
                request,
                scenarios,
                fixes_ms,
                by_helpers,
            } => {
                let Some(shown) = self.outcome.get_untracked() else {
                    return;
                };
                let Ok(graded) = &shown.grade else { return };
                if shown.request != request {
                    return;
                }
                // Only the scenarios change: the runs (already emptied of
                // their reports) are cheap to copy.
                let mut advised = Grade::clone(graded);
                advised.scenarios = scenarios;
                if fixes_ms.is_some() {
                    self.checking.set(None);
                }
                self.outcome.set(Some(Arc::new(Outcome {
                    request,
                    revision: shown.revision,
                    grade: Ok(Arc::new(advised)),
                    took_ms: shown.took_ms,
                    fixes_ms,
                    fixes_by_helpers: by_helpers,
                    reports: shown.reports.clone(),
                })));
            }
            // Taken by `receive`.
            Response::Failed { .. }
            | Response::Ready
            | Response::Idle
            | Response::Started { .. }
            | Response::Checking { .. } => {}
        }
    }

    /// Points `report` at the shown run's report of the latest outcome, in
    /// a task after this one, if it is a different report.
    fn show_report_soon(&self) {
        let run = *self;
        set_timeout(
            move || {
                let Some(shown) = run.shown_run.try_get_untracked() else {
                    return;
                };
                let next = run
                    .outcome
                    .with_untracked(|o| o.as_ref().and_then(|o| o.reports.get(&shown).cloned()));
                let same = run.report.with_untracked(|current| match (current, &next) {
                    (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                    (None, None) => true,
                    _ => false,
                });
                if !same {
                    run.report.set(next);
                }
            },
            Duration::ZERO,
        );
    }

    /// Keeps `clock_ms` moving while the grade that started at `since`
    /// runs, so the progress shown counts up (one chain per grade: a grade
    /// started again has another `since`).
    fn tick_while_grading(&self, since: f64) {
        let run = *self;
        set_timeout(
            move || {
                let Some(g) = run.grading.try_get_untracked() else {
                    return;
                };
                if g.grading_since_ms == Some(since) {
                    run.clock_ms.set(now_ms());
                    run.tick_while_grading(since);
                }
            },
            Duration::from_millis(100),
        );
    }

    /// Shows the first run if the one shown is gone, and sizes playback
    /// to the shown run.
    fn follow_runs(&self, g: &Grade, reports: &HashMap<String, Arc<Report>>) {
        let shown = self.shown_run.get_untracked();
        if g.run(&shown).is_none() {
            if let Some(first) = g.runs.first() {
                self.shown_run.set(first.id.clone());
            }
        }
        if let Some(report) = reports.get(&self.shown_run.get_untracked()) {
            let duration = f64::from(report.duration_s);
            self.playback.update(|p| {
                if p.duration_s() != duration {
                    *p = Playback::new(duration);
                }
            });
        }
    }

    /// How long the current grade has been running, milliseconds, once it
    /// is longer than [`PATIENCE_MS`] (tracked: updates as time passes).
    pub fn long_grade_ms(&self) -> Option<f64> {
        let since = self.grading.with(|g| g.grading_since_ms)?;
        let elapsed = self.clock_ms.get() - since;
        (elapsed >= f64::from(PATIENCE_MS)).then_some(elapsed)
    }

    /// Whether the shown grade belongs to the design on screen.
    /// (It answers the latest request, which was for this revision: a new
    /// seed asks again for the same revision.)
    pub fn is_current(&self, state: EditorState) -> bool {
        let revision = state.saved_revision.get();
        let asked = self.grading.with(|g| g.asked);
        self.outcome.with(|o| {
            o.as_ref()
                .is_some_and(|o| o.revision == revision && Some(o.request) == asked)
        })
    }

    /// The report of the run being watched, if graded (tracked).
    pub fn shown_report(&self) -> Option<Arc<Report>> {
        self.report.get()
    }

    /// Starts watching the kata's first grading run (the incident) from the
    /// beginning: the top bar's Run.
    pub fn watch_first(&self) {
        let first = self.outcome.with_untracked(|o| {
            o.as_ref()
                .and_then(|o| o.grade.as_ref().ok())
                .and_then(|g| g.runs.first())
                .map(|r| r.id.clone())
        });
        let shown = first.unwrap_or_else(|| self.shown_run.get_untracked());
        self.watch(&shown);
    }

    /// Starts watching `run` from the beginning.
    pub fn watch(&self, run: &str) {
        self.runs_watched.update(|n| *n += 1);
        self.shown_run.set(run.to_string());
        self.show_report_soon();
        self.watching.set(true);
        self.playback.update(|p| {
            p.restart();
            p.play();
        });
    }
}

impl Default for RunState {
    fn default() -> Self {
        Self::new()
    }
}

/// The playback timer's period, in milliseconds.
const TICK_MS: u32 = 50;

/// What follows the runs on the page, for as long as the current reactive
/// owner lives (the app's): playback's timer, the canvas's live frame, the
/// lints a grade bore out, and the grade posted again to the course page
/// (`course`) when the learner watches a run. Everything here waits for a grade, which
/// only the page's later part reads, so the part sets it up when it comes
/// (`later::Later::follow_runs`) and the page's first download does
/// without these effects.
pub fn follow_runs(run: RunState, state: EditorState, course: CoursePage) {
    // While playing, time advances on a timer; nothing moves otherwise.
    let ticker = StoredValue::new_local(None::<gloo_timers::callback::Interval>);
    Effect::new(move |_| {
        let playing = run.playback.with(|p| p.is_playing());
        ticker.set_value(playing.then(|| {
            gloo_timers::callback::Interval::new(TICK_MS, move || {
                run.playback.update(|p| {
                    p.advance(f64::from(TICK_MS) / 1000.0);
                });
            })
        }));
    });
    // The canvas shows the run's state at the cursor once the learner
    // watches a run.
    Effect::new(move |_| {
        let frame = if run.watching.get() {
            let playback = run.playback.get();
            run.report.with(|report| {
                report
                    .as_ref()
                    .and_then(|report| live_frame(report, &playback))
                    .map(Arc::new)
            })
        } else {
            None
        };
        state.live.set(frame);
    });
    // The canvas's lints follow the grade of the design on screen: a lint
    // its run did not bear out is shown as a hint, never as a warning
    // beside a card that measured the opposite.
    Effect::new(move |_| {
        run.outcome.with(|o| {
            if let Some((revision, Ok(g))) = o.as_ref().map(|o| (o.revision, &o.grade)) {
                state.show_graded_lints(revision, g.lints.clone());
            }
        });
    });
    // Run (or a card's "Watch this run") reports the current grade again,
    // as the learner's own act of running their design.
    Effect::new(move |previous: Option<u64>| {
        let watched = run.runs_watched.get();
        if previous.is_some_and(|p| p != watched) && untrack(|| run.is_current(state)) {
            if let Some(outcome) = run.outcome.get_untracked() {
                course.post_grade(state, &outcome, Trigger::Run);
            }
        }
        watched
    });
}

/// Every node's state at the cursor of the shown run.
pub fn live_frame(report: &Report, playback: &Playback) -> Option<LiveFrame> {
    let series = &report.series;
    let i = playback.series_index(series.every_s, series.t_s.len())?;
    let at = |v: &Vec<f32>| v.get(i).copied().unwrap_or(0.0);
    let nodes: HashMap<String, NodeLive> = series
        .nodes
        .iter()
        .map(|n| {
            (
                n.id.clone(),
                NodeLive {
                    utilisation: at(&n.utilisation),
                    errors_rps: at(&n.errors_rps),
                    instances: at(&n.instances),
                    backlog: at(&n.backlog),
                    offered_rps: at(&n.offered_rps),
                    edge_share: n.edge_share.get(i).copied(),
                    lag_s: n.lag_s.get(i).copied(),
                },
            )
        })
        .collect();
    let max_offered_rps = nodes.values().fold(0.0f32, |m, n| m.max(n.offered_rps));
    Some(LiveFrame {
        nodes,
        playing: playback.is_playing(),
        max_offered_rps,
    })
}
