//! The run's charts, drawn as SVG small multiples that share one time axis:
//! external requests, p95 latency against its target, error rate, staleness
//! against its target, instances and cost so far. Hovering any chart shows
//! every chart's value at that time.

use std::sync::Arc;

use editor::chart::{self, Scale};
use leptos::prelude::*;
use sim::engine::Report;
use sim::grade::Metric;
use sim::kata::Kata;

use crate::dom;

const WIDTH: f64 = 300.0;
const HEIGHT: f64 = 48.0;

/// The charts' target lines: the kata's limits on the metrics they show
/// (a kata that sets none gets no line).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Targets {
    /// External reads' p95 latency, ms.
    pub p95_ms: Option<f64>,
    /// External reads that failed, percent.
    pub errors_pct: Option<f64>,
    /// External reads' p95 staleness, seconds.
    pub staleness_s: Option<f64>,
}

impl Targets {
    /// The lines `kata` sets.
    pub fn of(kata: &Kata) -> Self {
        Targets {
            p95_ms: kata.limit(Metric::ReadP95Ms),
            errors_pct: kata.limit(Metric::ReadErrorsPct),
            staleness_s: kata.limit(Metric::ReadStalenessP95S),
        }
    }
}

/// One chart's data: a title, unit, values and an optional target line.
struct ChartSpec {
    title: &'static str,
    unit: &'static str,
    values: Vec<f32>,
    target: Option<f64>,
    /// What a point without a value (a gap) reads as.
    gap: &'static str,
}

fn specs(report: &Report, targets: Targets) -> Vec<ChartSpec> {
    let s = &report.series;
    let error_pct: Vec<f32> = s
        .offered_rps
        .iter()
        .zip(&s.errors_rps)
        .map(|(o, e)| if *o > 0.0 { 100.0 * e / o } else { 0.0 })
        .collect();
    let instances: Vec<f32> = (0..s.t_s.len())
        .map(|i| s.nodes.iter().filter_map(|n| n.instances.get(i)).sum())
        .collect();
    vec![
        ChartSpec {
            title: "External requests",
            unit: "req/s",
            values: s.offered_rps.clone(),
            target: None,
            gap: "–",
        },
        ChartSpec {
            title: "p95 latency",
            unit: "ms",
            // No latency where nothing was served (every request failed):
            // a gap, not 0 ms.
            values: chart::latency_gaps(&s.p95_ms, &s.offered_rps, &s.errors_rps),
            target: targets.p95_ms,
            gap: chart::NO_REQUESTS_SERVED,
        },
        ChartSpec {
            title: "Errors",
            unit: "%",
            values: error_pct,
            target: targets.errors_pct,
            gap: "–",
        },
        ChartSpec {
            title: "Staleness",
            unit: "s",
            values: s.staleness_s.clone(),
            target: targets.staleness_s,
            gap: "–",
        },
        ChartSpec {
            title: "Instances",
            unit: "",
            values: instances,
            target: None,
            gap: "–",
        },
        ChartSpec {
            title: "Cost so far",
            unit: "$",
            values: s.cost_usd.clone(),
            target: None,
            gap: "–",
        },
    ]
}

/// One chart as drawn: what changes when a new report arrives.
#[derive(Clone, PartialEq)]
struct Drawn {
    spec_title: &'static str,
    unit: &'static str,
    gap: &'static str,
    values: Arc<Vec<f32>>,
    top: f64,
    path: String,
    target_y: Option<f64>,
    target: Option<f64>,
}

/// Every chart of a report, drawn at the charts' scale.
#[derive(Clone, PartialEq, Default)]
struct DrawnCharts {
    t_s: Arc<Vec<u32>>,
    duration: f64,
    charts: Vec<Drawn>,
}

fn draw(report: &Report, targets: Targets) -> DrawnCharts {
    let t_s = Arc::new(report.series.t_s.clone());
    let duration = f64::from(report.duration_s);
    let charts = specs(report, targets)
        .into_iter()
        .map(|spec| {
            let top = chart::nice_max(
                chart::max_finite(&spec.values).max(spec.target.unwrap_or(0.0) * 1.25),
            );
            let scale = Scale {
                t_max: duration,
                y_max: top,
                width: WIDTH,
                height: HEIGHT,
            };
            Drawn {
                spec_title: spec.title,
                unit: spec.unit,
                gap: spec.gap,
                path: chart::line_path(&t_s, &spec.values, &scale),
                values: Arc::new(spec.values),
                top,
                target_y: spec.target.map(|t| scale.y(t)),
                target: spec.target,
            }
        })
        .collect();
    DrawnCharts {
        t_s,
        duration,
        charts,
    }
}

/// The charts of the shown report with a cursor at `cursor_s`.
///
/// Reactivity: the six charts are built once; a new report changes their
/// paths, values and axes in place (a memo of what is drawn), so a grade
/// arriving re-renders a few attributes, not the charts' DOM.
#[component]
pub fn Charts(
    /// The report drawn (nothing is drawn while there is none).
    report: Signal<Option<Arc<Report>>>,
    /// The playback position (seconds).
    cursor_s: Signal<f64>,
    /// The target lines (from the kata).
    targets: Targets,
) -> impl IntoView {
    let hover = RwSignal::new(None::<f64>);
    let drawn = Memo::new(move |_| {
        report.with(|r| r.as_ref().map(|r| draw(r, targets)).unwrap_or_default())
    });
    let shown_t = move || hover.get().unwrap_or_else(|| cursor_s.get());
    // The charts are the same six for every report (see `specs`).
    let count = specs(&Report::default(), targets).len();
    let charts = (0..count)
        .map(|i| {
            let part = move |read: fn(&Drawn) -> String| {
                drawn.with(|d| d.charts.get(i).map(read).unwrap_or_default())
            };
            let top = move || drawn.with(|d| d.charts.get(i).map_or(1.0, |c| c.top));
            let scale = move || Scale {
                t_max: drawn.with(|d| d.duration),
                y_max: top(),
                width: WIDTH,
                height: HEIGHT,
            };
            let value_text = move || {
                drawn.with(|d| {
                    let Some(c) = d.charts.get(i) else {
                        return "–".to_string();
                    };
                    let first_t = d.t_s.first().map_or(0.0, |t| f64::from(*t));
                    match chart::value_at(&d.t_s, &c.values, shown_t().max(first_t)) {
                        Some(v) if v.is_finite() => {
                            format!("{} {}", chart::format_number(f64::from(v)), c.unit)
                        }
                        Some(_) => c.gap.to_string(),
                        None => "–".to_string(),
                    }
                })
            };
            let target_line = move || {
                drawn.with(|d| {
                    let c = d.charts.get(i)?;
                    let (y, target) = (c.target_y?, c.target?);
                    let title = format!("Target: {} {}", chart::format_number(target), c.unit);
                    Some(view! {
                        <line class="chart-target" x1="0" x2=WIDTH y1=y y2=y>
                            <title>{title}</title>
                        </line>
                    })
                })
            };
            let cursor_x = move || scale().x(shown_t());
            let svg_ref = NodeRef::<leptos::svg::Svg>::new();
            let on_move = move |ev: web_sys::PointerEvent| {
                if let Some(svg) = svg_ref.get_untracked() {
                    let (_, w, _) = dom::client_rect(&svg);
                    let local = dom::point_in_element(
                        &svg,
                        f64::from(ev.client_x()),
                        f64::from(ev.client_y()),
                    );
                    hover.set(Some(scale().t_at(local.x * WIDTH / w.max(1.0))));
                }
            };
            let title = move || part(|c| c.spec_title.to_string());
            let axis = move || part(|c| format!("0 – {} {}", chart::format_number(c.top), c.unit));
            let label = move || {
                part(|c| {
                    format!(
                        "{} over the run; top of the axis {} {}",
                        c.spec_title,
                        chart::format_number(c.top),
                        c.unit
                    )
                })
            };
            view! {
                <figure class="chart">
                    <figcaption>
                        <span class="chart-title">{title}</span>
                        <span class="chart-value">{value_text}</span>
                    </figcaption>
                    <svg
                        node_ref=svg_ref
                        viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                        preserveAspectRatio="none"
                        role="img"
                        aria-label=label
                        on:pointermove=on_move
                        on:pointerleave=move |_| hover.set(None)
                    >
                        <rect class="chart-bg" width=WIDTH height=HEIGHT />
                        {target_line}
                        <path class="chart-line" d=move || part(|c| c.path.clone()) />
                        <line class="chart-cursor" x1=cursor_x x2=cursor_x y1="0" y2=HEIGHT />
                    </svg>
                    <span class="chart-axis">{axis}</span>
                </figure>
            }
        })
        .collect_view();

    view! {
        <div class="charts" aria-label="Charts of the run">
            {charts}
            <p class="chart-hover" aria-live="off">{move || hover.get().map(|t| format!("at {}", chart::format_clock(t)))}</p>
        </div>
    }
}
