//! The bottom region: playback controls, the charts of the run being
//! watched, the summary ("3 of 4 passed") and the four scenario cards; and
//! the grade strip under the top bar, which keeps the pass count and the
//! next step on screen at every size.

use design::number::fixed;
use design::NodeId;
use leptos::prelude::*;
use sim::grade::{Advice, Grade, ScenarioResult, TestedFix};
use sim::kata::ScenarioInfo;

use crate::app::sentence;
use crate::components::charts::{Charts, Targets};
use crate::components::timeline_controls::PlaybackControls;
use crate::dom;
use crate::later;
use crate::run::RunState;
use crate::state::EditorState;

/// Run controls, charts and the scenario results.
#[component]
pub fn Results(
    /// The editor (a card's limiting node selects it).
    state: EditorState,
    /// Grade and playback.
    run: RunState,
    /// The kata's scenarios (shown before the first grade).
    scenarios: Vec<ScenarioInfo>,
    /// The charts' target lines, from the kata.
    targets: Targets,
    /// The kata's reporting windows and their starts (seconds), marked on
    /// the timeline.
    window_starts: Vec<(String, f64)>,
    /// What the graded run plays ("the incident"), from the kata.
    event: String,
) -> impl IntoView {
    let current = move || run.is_current(state);
    let grade = move || {
        run.outcome
            .get()
            .and_then(|o| o.grade.as_ref().ok().cloned())
    };
    let failure = move || {
        run.outcome
            .get()
            .and_then(|o| o.grade.as_ref().err().cloned())
    };
    let shown_report = Signal::derive(move || run.shown_report());
    let has_report = Memo::new(move |_| run.report.with(Option::is_some));
    let took_ms = move || run.outcome.with(|o| o.as_ref().map_or(0.0, |o| o.took_ms));
    let summary = move || {
        grade().map(|g| {
            let all = g.all_passed();
            let text = if all {
                format!("{}. Calm through {event}: nicely done.", pass_count(&g))
            } else {
                pass_count(&g)
            };
            view! {
                <p class="results-summary" class:all-passed=all data-seed=g.seed.to_string() data-grade-ms=move || format!("{:.1}", took_ms())
                    data-fixes-ms=move || run.outcome.with(|o| o.as_ref().and_then(|o| o.fixes_ms).map(|ms| format!("{ms:.1}")))
                    data-fixes-by-helpers=move || run.outcome.with(|o| o.as_ref().map(|o| o.fixes_by_helpers.to_string()))>
                    <strong>{text}</strong>
                    <span class="muted">
                        {move || if current() { format!("graded in {:.0} ms", took_ms()) } else { grading_words(run, "Re-grading") }}
                    </span>
                </p>
            }
        })
    };
    let cursor = Signal::derive(move || run.playback.with(|p| p.position_s()));

    let cards = move || match grade() {
        Some(g) => g
            .scenarios
            .iter()
            .map(|s| scenario_card(state, run, s, current))
            .collect_view()
            .into_any(),
        None => scenarios
            .iter()
            .map(|s| {
                view! {
                    <li class="scenario-card not-run" data-scenario=s.id.clone()>
                        <h3>{s.name.clone()}</h3>
                        <p class="passes">{s.passes.clone()}</p>
                        <p class="status">{move || grading_words(run, "Grading")}</p>
                    </li>
                }
            })
            .collect_view()
            .into_any(),
    };

    view! {
        <section class="bottom-region" aria-label="Run and results">
            {move || failure().map(|f| view! { <p class="field-error" role="alert">{format!("This kata could not grade designs: {f}")}</p> })}
            {move || run.unavailable.get().map(|why| view! { <p class="field-error" role="alert">{format!("Designs cannot be graded in this browser: {why}. Editing, sharing and exporting still work.")}</p> })}
            // Built once the first report arrives; later reports update it
            // in place (see `Charts`), so only this memo's change rebuilds.
            {move || has_report.get().then(|| {
                // The six charts come a task after the playback controls:
                // together they made the longest task of opening a link
                // (each wasm function is compiled on the page's thread the
                // first time it runs).
                let charts_due = super::true_next_task();
                view! {
                    <div class="run-view">
                        <PlaybackControls report=shown_report playback=run.playback window_starts=window_starts.clone() />
                        {move || charts_due.get().then(|| view! { <Charts report=shown_report cursor_s=cursor targets=targets /> })}
                    </div>
                }
            })}
            {summary}
            <ul class="scenario-cards" aria-label="Scenarios">{cards}</ul>
            <div class="sr-only" aria-live="polite">
                {move || grade().filter(|_| current()).map(|g| format!("Graded: {} of {} scenarios pass.", g.passed, g.total))}
            </div>
        </section>
    }
}

/// The grade in one line, always on screen: the pass count and the first
/// failed scenario's next step, with a button that shows the cards.
#[component]
pub fn GradeSummary(
    /// The editor (whether the grade is of the design on screen).
    state: EditorState,
    /// Grade and playback.
    run: RunState,
    /// Whether the results are on the page (they come with the page's
    /// later part, which may fail to download); the strip's button is
    /// disabled until they are.
    results_shown: Signal<bool>,
    /// Shows the scenario cards (a phone switches to its Results pane).
    on_show: Callback<()>,
) -> impl IntoView {
    let current = move || run.is_current(state);
    // Whether there is a grade to tell: its words come with the page's
    // later part (`GradeLine`), which takes every grade, so the part is
    // there once this is true. A memo, so that the line is built once and
    // follows later grades itself.
    let graded = Memo::new(move |_| {
        run.outcome
            .with(|o| o.as_ref().is_some_and(|o| o.grade.is_ok()))
    });
    let show = move |_| {
        on_show.run(());
        // The cards are drawn by now on a wide screen; a phone's Results
        // pane shows on the next frame, so scroll then.
        gloo_timers::callback::Timeout::new(0, || {
            dom::scroll_into_view(&[".scenario-card.failed", ".scenario-card"])
        })
        .forget();
    };
    view! {
        <section class="grade-summary" aria-label="Grade" class:outdated=move || !current()>
            {move || if graded.get() {
                later::now().map_or_else(|| ().into_any(), |part| (part.grade_line)(run))
            } else if run.unavailable.with(Option::is_some)
                || run.outcome.with(|o| o.as_ref().is_some_and(|o| o.grade.is_err()))
            {
                // No grade, and none coming (the kata could not grade, or
                // the browser cannot run the worker), which the strip says
                // too, since on a phone it may be all that shows.
                view! {
                    <p class="grade-count"><strong>"Not graded"</strong></p>
                    <p class="grade-next">{move || if results_shown.get() {
                        "Grading is not working here: Results says why.".to_string()
                    } else {
                        // Results would say why, but they are not here:
                        // the strip says it itself.
                        let why = run.unavailable.get().or_else(|| {
                            run.outcome.with(|o| o.as_ref().and_then(|o| o.grade.clone().err()))
                        });
                        match why {
                            Some(why) => format!("Grading is not working here: {}", sentence(&why)),
                            None => "Grading is not working here.".to_string(),
                        }
                    }}</p>
                }
                .into_any()
            } else {
                // On its way.
                view! {
                    <p class="grade-count"><strong>{grading_words(run, "Grading")}</strong></p>
                }
                .into_any()
            }}
            // Nothing to show until the results are on the page (they
            // come with the page's later part).
            <button type="button" class="button grade-show" on:click=show
                disabled=move || !results_shown.get()>"Results"</button>
        </section>
    }
}

/// The grade strip's words once there is a grade: the pass count and the
/// first failed scenario's next step. In the page's later part
/// (`later::Later::grade_line`), which takes the grades.
#[component]
pub fn GradeLine(
    /// Grade and playback.
    run: RunState,
) -> impl IntoView {
    // The words are derived from the outcome, so the strip changes only
    // when a grade or its tested advice arrives, not on each playback tick.
    let words = Memo::new(move |_| {
        run.outcome.with(|o| {
            let grade = o.as_ref()?.grade.as_ref().ok()?;
            let count = pass_count(grade);
            let next = grade.scenarios.iter().find(|s| !s.passed).map(|s| {
                let step = match &s.advice {
                    Advice::Tested(t) => t.fix.text.clone(),
                    Advice::NothingHelped { .. } => s.next_step.clone().unwrap_or_default(),
                    Advice::Untested => "checking the fix…".to_string(),
                };
                (s.name.clone(), s.id.clone(), step)
            });
            Some((count, grade.all_passed(), next))
        })
    });
    move || {
        words.get().map(|(count, all, next)| {
            view! {
                <p class="grade-count" class:all-passed=all><strong>{count}</strong></p>
                {next.map(|(name, id, step)| view! {
                    <p class="grade-next" data-scenario=id>
                        <span class="grade-next-name">{name}": "</span>
                        <span class="grade-next-step">{step}</span>
                    </p>
                })}
            }
        })
    }
}

/// How many scenarios pass, in words: "3 of 4 passed", "All 4 scenarios
/// pass".
fn pass_count(g: &Grade) -> String {
    if g.all_passed() {
        format!("All {} scenarios pass", g.total)
    } else {
        format!("{} of {} passed", g.passed, g.total)
    }
}

/// What the page says while a grade is on its way: `doing…`, and once it
/// takes longer than a moment, for how long so far.
fn grading_words(run: RunState, doing: &str) -> String {
    match run.long_grade_ms() {
        Some(ms) => format!(
            "{doing}… {} s so far (large designs take a while; you can keep editing)",
            fixed(ms / 1000.0, 1)
        ),
        None => format!("{doing}…"),
    }
}

fn scenario_card(
    state: EditorState,
    run: RunState,
    s: &ScenarioResult,
    current: impl Fn() -> bool + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let limiting = s.limiting_node.clone().map(|id| {
        let label = run
            .outcome
            .with_untracked(|o| {
                let report = o.as_ref()?.reports.get(&s.run)?;
                report.node(id.as_str()).map(|n| n.label.clone())
            })
            .unwrap_or_else(|| id.to_string());
        let target = id.clone();
        view! {
            <p class="limiting-line">
                "Limited by "
                <button type="button" class="limiting" data-node-link=id.to_string() on:click=move |_| select_and_focus(state, &target)>
                    {label}
                </button>
            </p>
        }
    });
    let run_id = s.run.clone();
    let watching = {
        let run_id = run_id.clone();
        move || run.watching.get() && run.shown_run.get() == run_id
    };
    let verdict = if s.passed { "✓ Passed" } else { "✕ Failed" };
    view! {
        <li
            class="scenario-card"
            class:passed=s.passed
            class:failed=!s.passed
            class:outdated=move || !current()
            class:selected-run=watching
            data-scenario=s.id.clone()
            data-passed=s.passed.to_string()
        >
            <h3>{s.name.clone()}</h3>
            <p class="verdict">{verdict}</p>
            <p class="measure">{format!("{}: {} (target {})", s.metric, s.measured.text, s.target.text)}</p>
            {limiting}
            <p class="cause">{s.cause.clone()}</p>
            {(!s.passed).then(|| next_step(state, run, s, current))}
            <button type="button" class="button watch" on:click=move |_| run.watch(&run_id)>"Watch this run"</button>
        </li>
    }
}

/// A failed card's next step: "checking the fix…" while its candidates
/// are graded, then the tested fix with what trying it measured and an
/// Apply button, or why nothing helped.
fn next_step(
    state: EditorState,
    run: RunState,
    s: &ScenarioResult,
    current: impl Fn() -> bool + Send + Sync + Copy + 'static,
) -> AnyView {
    match &s.advice {
        Advice::Tested(t) => tested_fix(state, (**t).clone(), current).into_any(),
        Advice::NothingHelped { .. } => view! {
            <p class="next nothing-helped">{s.next_step.clone().unwrap_or_default()}</p>
        }
        .into_any(),
        Advice::Untested => view! {
            <p class="next checking" aria-busy="true">
                {move || match run.checking.get() {
                    Some((done, all)) if all > 0 => format!("Checking the fix… ({done} of {all} tried)"),
                    _ => "Checking the fix…".to_string(),
                }}
            </p>
        }
        .into_any(),
    }
}

fn tested_fix(
    state: EditorState,
    t: TestedFix,
    current: impl Fn() -> bool + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let readonly = state.with_editor(|e| e.is_readonly());
    let fix = t.fix.clone();
    // The fix was made for the graded design: applied to the design on
    // screen, as one undoable step that selects what it changed.
    let apply = move |_| {
        let changed = state.with_editor(|e| fix.apply(e.design()));
        match changed {
            Ok(design) => {
                // Fit the view so a node the fix added is on screen.
                if state
                    .try_apply(|e| e.apply_change(design, &fix.touched()))
                    .is_some()
                {
                    state.fit_to_view();
                }
            }
            Err(error) => state.notify(format!("This fix no longer fits the design: {error}.")),
        }
    };
    view! {
        <p class="next"><strong>"Next: "</strong>{t.fix.text.clone()}</p>
        <p class="tested">{t.effect.clone()}</p>
        {(!readonly).then(|| view! {
            <button type="button" class="button apply-fix" disabled=move || !current() on:click=apply>
                "Apply this fix"
            </button>
        })}
    }
}

fn select_and_focus(state: EditorState, id: &NodeId) {
    state.apply(|e| e.select_node(id, false));
    dom::focus_node(id.as_str());
}
