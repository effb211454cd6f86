//! Playback controls and the scrubbable timeline with the run's events
//! marked on it (the kata's windows, such as the incident, updates, faults, scaling).

use std::sync::Arc;

use editor::chart;
use editor::{Playback, Speed};
use leptos::prelude::*;
use sim::engine::{EventKind, Report};

/// How far one step moves, in simulated seconds (one chart point).
const STEP_S: f64 = 10.0;

/// Play, pause, step, speed, restart, and the timeline.
#[component]
pub fn PlaybackControls(
    /// The report being played (the timeline is empty while there is
    /// none). A new report redraws the markers, not the controls.
    report: Signal<Option<Arc<Report>>>,
    /// The playback cursor.
    playback: RwSignal<Playback>,
    /// Moments the kata names, marked on the timeline: each reporting
    /// window's name and start, seconds.
    window_starts: Vec<(String, f64)>,
) -> impl IntoView {
    let duration = move || report.with(|r| r.as_ref().map_or(0.0, |r| f64::from(r.duration_s)));
    let markers = move || {
        report.with(|r| {
        let Some(report) = r else { return Vec::new() };
        let duration = f64::from(report.duration_s);
        report
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::UpdatePosted | EventKind::FaultStarted | EventKind::FaultEnded | EventKind::ScaledOut))
        .map(|e| (e.t_s, e.kind, format!("{} · {}", chart::format_clock(e.t_s), e.detail)))
        .chain(window_starts.iter().map(|(name, t)| (*t, EventKind::FaultStarted, format!("{} · {name} starts", chart::format_clock(*t)))))
        .map(|(t, kind, title)| {
            let class = match kind {
                EventKind::UpdatePosted => "marker marker-update",
                EventKind::FaultStarted | EventKind::FaultEnded => "marker marker-fault",
                _ => "marker marker-scale",
            };
            let left = if duration > 0.0 { 100.0 * t / duration } else { 0.0 };
            view! { <span class=class role="img" style=format!("left: {left:.2}%") title=title.clone() aria-label=title></span> }
        })
        .collect::<Vec<_>>()
    })
    };

    let playing = move || playback.with(|p| p.is_playing());
    view! {
        <div class="playback" role="group" aria-label="Playback">
            <button type="button" class="button" data-action="play"
                aria-label=move || if playing() { "Pause" } else { "Play" }
                on:click=move |_| playback.update(|p| p.toggle())>
                {move || if playing() { "❚❚ Pause" } else { "▶ Play" }}
            </button>
            <button type="button" class="button" data-action="step" title="Step 10 s"
                on:click=move |_| playback.update(|p| p.step(STEP_S))>"Step"</button>
            <button type="button" class="button" data-action="restart"
                on:click=move |_| playback.update(|p| p.restart())>"Restart"</button>
            <label class="speed">
                "Speed "
                <select data-action="speed" on:change=move |ev| {
                    let chosen = event_target_value(&ev);
                    if let Some((speed, _)) = Speed::ALL.iter().find(|(_, label)| *label == chosen) {
                        playback.update(|p| p.set_speed(*speed));
                    }
                }>
                    {Speed::ALL.iter().map(|(speed, label)| {
                        let speed = *speed;
                        view! { <option value=*label selected=move || playback.with(|p| p.speed() == speed)>{*label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <div class="scrubber">
                <div class="markers" aria-hidden="false">{markers}</div>
                <input type="range" min="0" max=duration step="10" aria-label="Time in the run"
                    prop:value=move || playback.with(|p| p.position_s()).to_string()
                    on:input=move |ev| {
                        // The browser reads the slider's number (a range
                        // input's value is always one).
                        let t = event_target::<web_sys::HtmlInputElement>(&ev).value_as_number();
                        if t.is_finite() {
                            playback.update(|p| { p.pause(); p.seek(t); });
                        }
                    } />
            </div>
            <span class="clock" aria-live="off">
                {move || format!("{} / {}", chart::format_clock(playback.with(|p| p.position_s())), chart::format_clock(duration()))}
            </span>
        </div>
    }
}
