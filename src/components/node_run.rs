//! The selected node in the run being watched: its totals, its metrics over
//! time (with the playback cursor) and a latency waterfall of the read
//! paths through it, built from each hop's own mean time in the run.

use design::NodeId;
use editor::chart::{self, Scale};
use leptos::prelude::*;
use sim::engine::Report;

use crate::run::RunState;
use crate::state::EditorState;

const WIDTH: f64 = 220.0;
const HEIGHT: f64 = 36.0;

/// The run detail of one node; nothing when no run has been graded.
#[component]
pub fn NodeRunDetail(
    /// The editor (for the design's paths).
    state: EditorState,
    /// Grade and playback.
    run: RunState,
    /// The node.
    id: NodeId,
) -> impl IntoView {
    let report = move || run.shown_report();
    // Drawn in a task after the one that selected the node: selecting
    // shows the node's settings at once, and its run detail a moment later
    // (two short tasks rather than one long one).
    let ready = super::true_next_task();
    move || {
        if !ready.get() {
            return None;
        }
        let report = report()?;
        let node = report.node(id.as_str())?.clone();
        let s = &node.summary;
        // A node that served nothing has no p95 (not "0.00 ms").
        let totals = chart::node_totals(
            s.offered,
            s.served,
            s.errors,
            s.utilisation_max,
            s.latency.p95_ms,
        );
        let series = report
            .series
            .nodes
            .iter()
            .find(|n| n.id == id.as_str())
            .cloned();
        let minis = series.map(|n| {
            let t = report.series.t_s.clone();
            let duration = f64::from(report.duration_s);
            let utilisation: Vec<f32> = n.utilisation.iter().map(|u| 100.0 * u).collect();
            [("Busy", "%", utilisation), ("Errors", "/s", n.errors_rps.clone()), ("Instances", "", n.instances.clone())]
                .into_iter()
                .map(|(title, unit, values)| {
                    let top = chart::nice_max(chart::max_finite(&values));
                    let scale = Scale { t_max: duration, y_max: top, width: WIDTH, height: HEIGHT };
                    let path = chart::line_path(&t, &values, &scale);
                    let cursor = move || scale.x(run.playback.with(|p| p.position_s()));
                    view! {
                        <figure class="mini-chart">
                            <figcaption>{format!("{title} (0–{} {unit})", chart::format_number(top))}</figcaption>
                            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") preserveAspectRatio="none" role="img" aria-label=format!("{title} of this node over the run")>
                                <rect class="chart-bg" width=WIDTH height=HEIGHT />
                                <path class="chart-line" d=path />
                                <line class="chart-cursor" x1=cursor x2=cursor y1="0" y2=HEIGHT />
                            </svg>
                        </figure>
                    }
                })
                .collect_view()
        });
        let waterfall = waterfall(state, &report, &id);
        Some(view! {
            <section class="node-run" aria-label="This node in the run">
                <h3>"In the run"</h3>
                <p class="muted small">{totals}</p>
                {minis}
                {waterfall}
            </section>
        })
    }
}

/// Bars of each hop's own mean time along every read path through `id`.
fn waterfall(state: EditorState, report: &Report, id: &NodeId) -> Option<impl IntoView> {
    let paths = state.with_editor(|e| editor::paths::read_paths_through(e.design(), id, 4));
    if paths.is_empty() {
        return None;
    }
    let rows = paths
        .into_iter()
        .map(|path| {
            // Each hop's label, mean own time and requests served; a hop
            // that served nothing has no time (not 0 ms).
            let hops: Vec<(String, f64, f64)> = path
                .iter()
                .filter_map(|n| {
                    report.node(n.as_str()).map(|r| {
                        let served = r.summary.served;
                        let ms = if served > 0.0 { r.summary.latency.mean_ms.max(0.0) } else { 0.0 };
                        (r.label.clone(), ms, served)
                    })
                })
                .collect();
            let total: f64 = hops.iter().map(|(_, ms, _)| ms).sum();
            let total_text = chart::path_total(
                &hops.iter().map(|(l, ms, served)| (l.as_str(), *ms, *served)).collect::<Vec<_>>(),
            );
            let scale = if total > 0.0 { WIDTH / total } else { 0.0 };
            let mut x = 0.0;
            let bars = hops
                .iter()
                .enumerate()
                .map(|(i, (label, ms, served))| {
                    let w = (ms * scale).max(1.0);
                    let bar = view! {
                        <rect class=format!("hop hop-{}", i % 4) x=x y="0" width=w height="14">
                            <title>{format!("{label}: {}", chart::format_latency_ms(*ms, *served))}</title>
                        </rect>
                    };
                    x += ms * scale;
                    bar
                })
                .collect_view();
            let names = hops.iter().map(|(l, _, _)| l.as_str()).collect::<Vec<_>>().join(" → ");
            view! {
                <li>
                    <span class="path-name">{names}</span>
                    <svg viewBox=format!("0 0 {WIDTH} 14") preserveAspectRatio="none" class="waterfall" role="img"
                        aria-label=format!("Mean time per hop: {total_text}")>
                        {bars}
                    </svg>
                    <span class="muted small">{total_text.clone()}</span>
                </li>
            }
        })
        .collect_view();
    Some(view! {
        <div class="waterfalls">
            <h3>"Latency by path"</h3>
            <ul>{rows}</ul>
        </div>
    })
}
