//! Grading and playback state: the grade of the design on screen (with the
//! revision it was computed for, so a stale grade is never shown as
//! current) and the playback cursor of the run being watched.

use std::collections::HashMap;
use std::sync::Arc;

use design::Design;
use editor::Playback;
use leptos::prelude::*;
use sim::engine::Report;
use sim::grade::{Grade, Verifier};
use sim::kata::Kata;

use crate::state::{EditorState, LiveFrame, NodeLive};

/// A grade and the design revision it belongs to.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The editor revision that was graded.
    pub revision: u64,
    /// The grade, or why the kata could not grade (a build defect).
    pub grade: Result<Grade, String>,
    /// How long grading took in this browser, milliseconds.
    pub took_ms: f64,
    /// Once the failed cards' fixes are tested: how long that took after
    /// the grade, milliseconds (wall time, with the page's other work).
    pub fixes_ms: Option<f64>,
    /// Each grading run's report by run id, shared with the charts (taken
    /// out of the grade once, so redraws never copy a report).
    pub reports: HashMap<String, Arc<Report>>,
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
}

impl RunState {
    /// Empty: nothing graded yet.
    pub fn new() -> Self {
        RunState {
            outcome: RwSignal::new(None),
            playback: RwSignal::new(Playback::new(3600.0)),
            shown_run: RwSignal::new(String::new()),
            watching: RwSignal::new(false),
            checking: RwSignal::new(None),
        }
    }

    /// Grades the editor's design now and stores the outcome.
    pub fn grade_now(&self, state: EditorState, kata: &Kata, seed: u64) -> Arc<Outcome> {
        let (design, revision) = state.with_editor(|e| (e.design().clone(), e.revision()));
        let clock = web_sys::window().and_then(|w| w.performance());
        let started = clock.as_ref().map_or(0.0, |c| c.now());
        let grade = sim::grade::grade(&design, kata, seed).map_err(|e| e.to_string());
        let took_ms = clock.as_ref().map_or(0.0, |c| c.now()) - started;
        if let Ok(g) = &grade {
            let shown = self.shown_run.get_untracked();
            if g.run(&shown).is_none() {
                if let Some(first) = g.runs.first() {
                    self.shown_run.set(first.id.clone());
                }
            }
            if let Some(run) = g.run(&self.shown_run.get_untracked()) {
                let duration = f64::from(run.report.duration_s);
                self.playback.update(|p| {
                    if p.duration_s() != duration {
                        *p = Playback::new(duration);
                    }
                });
            }
        }
        let reports = grade
            .as_ref()
            .map(|g| {
                g.runs
                    .iter()
                    .map(|r| (r.id.clone(), Arc::new(r.report.clone())))
                    .collect()
            })
            .unwrap_or_default();
        let outcome = Arc::new(Outcome {
            revision,
            grade,
            took_ms,
            fixes_ms: None,
            reports,
        });
        self.outcome.set(Some(outcome.clone()));
        outcome
    }

    /// Tries the failed cards' candidate fixes of `outcome` (the grade of
    /// `design`), one candidate grade per task so the page stays
    /// responsive between them. Each card's tested fix is shown as soon as
    /// it is settled (the first failed card's first), and `fixes_ms` once
    /// every card's is. A newer grade supersedes it: the loop stops as
    /// soon as the shown outcome is no longer one this loop published.
    pub fn verify(&self, design: Design, kata: &Kata, seed: u64, outcome: Arc<Outcome>) {
        let Ok(graded) = &outcome.grade else {
            return;
        };
        if graded.all_passed() {
            self.checking.set(None);
            return;
        }
        let mut verifier = Verifier::new(&design, kata, seed, graded);
        let mut advised = graded.clone();
        let run = *self;
        run.checking.set(Some(verifier.progress()));
        let clock = web_sys::window().and_then(|w| w.performance());
        let started = clock.as_ref().map_or(0.0, |c| c.now());
        wasm_bindgen_futures::spawn_local(async move {
            // The outcome on screen that this loop last published.
            let mut shown = outcome;
            // `try_`: the page (or a test's mount) may be gone by the time
            // a task runs; then the loop just stops.
            let still_shown = |shown: &Arc<Outcome>| {
                run.outcome
                    .try_with_untracked(|o| o.as_ref().is_some_and(|o| Arc::ptr_eq(o, shown)))
                    .unwrap_or(false)
            };
            let publish = |shown: &Arc<Outcome>, grade: Grade, fixes_ms: Option<f64>| {
                let next = Arc::new(Outcome {
                    revision: shown.revision,
                    grade: Ok(grade),
                    took_ms: shown.took_ms,
                    fixes_ms,
                    reports: shown.reports.clone(),
                });
                run.outcome.try_set(Some(next.clone()));
                next
            };
            loop {
                // Yield to the page (input, drawing) between candidates.
                gloo_timers::future::TimeoutFuture::new(0).await;
                if !still_shown(&shown) {
                    return;
                }
                match verifier.step() {
                    Ok(more) => {
                        run.checking.try_set(Some(verifier.progress()));
                        if !more {
                            break;
                        }
                        if verifier.finish_ready(&mut advised) > 0 {
                            shown = publish(&shown, advised.clone(), None);
                        }
                    }
                    Err(_) => {
                        run.checking.try_set(None);
                        return;
                    }
                }
            }
            if !still_shown(&shown) {
                return;
            }
            verifier.finish(&mut advised);
            run.checking.try_set(None);
            let took = clock.as_ref().map_or(0.0, |c| c.now()) - started;
            publish(&shown, advised, Some(took));
        });
    }

    /// Whether the shown grade belongs to the design on screen.
    pub fn is_current(&self, state: EditorState) -> bool {
        let revision = state.saved_revision.get();
        self.outcome
            .with(|o| o.as_ref().is_some_and(|o| o.revision == revision))
    }

    /// The report of the run being watched, if graded.
    pub fn shown_report(&self) -> Option<Arc<Report>> {
        let shown = self.shown_run.get();
        self.outcome
            .with(|o| o.as_ref()?.reports.get(&shown).cloned())
    }

    /// Starts watching `run` from the beginning.
    pub fn watch(&self, run: &str) {
        self.shown_run.set(run.to_string());
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

/// Every node's state at the cursor of the shown run.
pub fn live_frame(grade: &Grade, run_id: &str, playback: &Playback) -> Option<LiveFrame> {
    let run = grade.run(run_id)?;
    let series = &run.report.series;
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
