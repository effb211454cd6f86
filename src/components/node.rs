//! One node on the canvas. It reads only its own signals (data, position)
//! plus the selection and lints, so dragging another node never touches it.

use design::geometry::{NODE_HEIGHT, NODE_WIDTH};
use design::number::{fixed, plain, shortest};
use design::{NodeId, Point};
use leptos::prelude::*;
// An SVG <title> (a tooltip); in view! a <title> is HTML's, which
// SVG neither shows nor reads.
use leptos::svg;

use crate::state::{EditorState, NodeLive};
use editor::icons::icon_path;
use editor::lints::BadgeKind;

/// What a node shows of the run being watched, as text: how busy it is (a
/// CDN how much it answers at the edge, a replica its lag). In the page's
/// later part (`later::Later::node_live_words`).
pub fn live_words(l: &NodeLive) -> String {
    let instances = if l.instances >= 1.5 {
        format!(" · {} inst", fixed(f64::from(l.instances), 0))
    } else {
        String::new()
    };
    match (l.edge_share, l.lag_s) {
        (Some(share), _) => format!("{}% at edge", fixed(f64::from(100.0 * share), 1)),
        (_, Some(lag)) => format!(
            "lag {} s · {}% busy",
            editor::chart::format_number(f64::from(lag)),
            fixed(f64::from(100.0 * l.utilisation.clamp(0.0, 9.99)), 0)
        ),
        _ => format!(
            "{}% busy{instances}",
            fixed(f64::from(100.0 * l.utilisation.clamp(0.0, 9.99)), 0)
        ),
    }
}

/// A node's errors in the run being watched, when it has any: the badge's
/// words and its tooltip, which says why they happen. In the page's later
/// part (`later::Later::node_error_words`).
pub fn error_words(l: &NodeLive) -> Option<(String, String)> {
    if l.errors_rps < 0.5 {
        return None;
    }
    let reason = if l.backlog > 0.0 {
        format!(
            "{} errors/s: overloaded, {} requests waiting (queue full or timed out)",
            fixed(f64::from(l.errors_rps), 0),
            fixed(f64::from(l.backlog), 0)
        )
    } else {
        format!(
            "{} errors/s: requests failing (unavailable or over capacity)",
            fixed(f64::from(l.errors_rps), 0)
        )
    };
    let text = format!(
        "✕ {}/s",
        editor::chart::format_number(f64::from(l.errors_rps))
    );
    Some((text, reason))
}

/// Draws the node `id`; nothing if it no longer exists.
#[component]
pub fn NodeView(
    /// The editor.
    state: EditorState,
    /// Which node.
    id: NodeId,
) -> impl IntoView {
    let Some(signals) = state.node(&id) else {
        return ().into_any();
    };
    let data = signals.data;
    let position = signals.position;

    // The node and the run's figures beside it (a sibling group) move
    // together.
    let translate = |position: ArcRwSignal<Point>| {
        move || {
            let p = position.get();
            format!("translate({} {})", shortest(p.x), shortest(p.y))
        }
    };
    let live_transform = translate(position.clone());
    let transform = translate(position);
    let selected = {
        let id = id.clone();
        move || state.selection.with(|s| s.contains(&id))
    };
    // Every node reads the keyboard connection's candidate, as it reads
    // the selection: the signal changes only while a connection is being
    // chosen, and each node compares one id.
    let candidate = {
        let id = id.clone();
        move || state.connect_target.with(|t| t.as_ref() == Some(&id))
    };
    // A warning, or a quieter hint when the run measured that what the
    // advice warns of did not happen (see `editor::lints`).
    let lint_badge = {
        let id = id.clone();
        move || state.lints.with(|lints| editor::lints::badge(lints, &id))
    };
    let label = {
        let data = data.clone();
        move || data.with(|n| n.label.clone())
    };
    let kind = data.with_untracked(|n| n.kind);
    // Tab focus follows the selection, so arrows move what has focus.
    let on_focus = {
        let id = id.clone();
        move |_| {
            let already = state.selection.with_untracked(|s| s.contains(&id));
            if !already {
                state.apply(|e| e.select_node(&id, false));
            }
        }
    };
    let badge = {
        let lint_badge = lint_badge.clone();
        move || {
            lint_badge().map(|badge| {
                let at = format!("translate({} -8)", shortest(NODE_WIDTH - 10.0));
                match badge.kind {
                    BadgeKind::Warning => view! {
                        <g class="lint-badge" transform=at>
                            {svg::title().child(badge.title)}
                            <path d="M0 -9 L9 7 L-9 7 Z" />
                            <text x="0" y="5" text-anchor="middle">"!"</text>
                        </g>
                    }
                    .into_any(),
                    // No warning sign: a small muted "i", drawn rather than
                    // written, so that it is no word of the node's name.
                    BadgeKind::Hint => view! {
                        <g class="lint-badge hint" transform=at>
                            {svg::title().child(badge.title)}
                            <circle r="7" />
                            <rect class="glyph" x="-1" y="-1.5" width="2" height="5.5" />
                            <rect class="glyph" x="-1" y="-4.5" width="2" height="2" />
                        </g>
                    }
                    .into_any(),
                }
            })
        }
    };
    // Sources (users, operator, staff) only send: no load to show.
    let is_source = data.with_untracked(|n| n.kind.is_source());
    let live = {
        let key = id.to_string();
        move || {
            if is_source {
                return None;
            }
            state
                .live
                .with(|l| l.as_ref().and_then(|f| f.nodes.get(&key).copied()))
        }
    };
    // One class toggle per band (a `class=` string would fight with
    // `class:selected` over the element's class list).
    let band = {
        let live = live.clone();
        Memo::new(move |_| live().map(|l| utilisation_class(l.utilisation)))
    };
    // What the node shows of the run, as text: how busy it is (a CDN how
    // much it answers at the edge, a replica its lag), and its errors with
    // why they happen (the badge's tooltip). A run's state comes only
    // with the page's later part, which writes these words. (`live` is
    // read first, so that it is tracked whether the part is there or not.)
    let live_text = {
        let live = live.clone();
        move || {
            let l = live()?;
            Some((crate::later::now()?.node_live_words)(&l))
        }
    };
    let errors = {
        let live = live.clone();
        move || {
            let l = live()?;
            (crate::later::now()?.node_error_words)(&l)
        }
    };
    // The name holds the words the node shows, in the order shown (label,
    // kind), so what a speech user reads off the canvas is what names it
    // (WCAG 2.5.3); a lint's words follow. The run's figures change many
    // times a second during playback: in the name, a focused node would be
    // announced again at each change, so they are left out of it and
    // hidden from assistive technology (the inspector's run detail reads
    // them out when asked).
    let accessible_name = {
        let data = data.clone();
        let lint_badge = lint_badge.clone();
        move || {
            let (label, kind_name) = data.with(|n| (n.label.clone(), n.kind.name()));
            let mut name = format!("{label}, {kind_name}");
            if let Some(badge) = lint_badge() {
                name.push_str(". ");
                name.push_str(&badge.spoken);
            }
            name
        }
    };
    let live_label = move || {
        live_text()
            .map(|text| view! { <text class="live-label" x="8" y=plain(NODE_HEIGHT + 14.0)>{text}</text> })
    };
    let error_badge = move || {
        errors().map(|(text, reason)| {
            view! {
                <g class="error-badge" transform=format!("translate({} {})", shortest(NODE_WIDTH - 64.0), shortest(NODE_HEIGHT - 8.0))>
                    {svg::title().child(reason)}
                    <rect width="60" height="16" rx="8" />
                    <text x="30" y="12" text-anchor="middle">{text}</text>
                </g>
            }
        })
    };
    // Focus leaving the source of a keyboard connection (a click in a
    // panel, Tab elsewhere) ends the question: its keys would mean
    // something else there. Said, as Escape says it.
    let on_blur = {
        let id = id.clone();
        move |_| {
            let asking =
                state.with_editor(|e| e.keyboard_connection().is_some_and(|(from, _)| *from == id));
            if asking {
                state.apply(|e| e.cancel());
                state.notify("Connection cancelled: the focus left the node.");
            }
        }
    };
    let key = id.to_string();
    let port_key = key.clone();
    let port_hit_key = key.clone();
    let live_key = key.clone();

    view! {
        <g
            class="node"
            class:selected=selected
            class:connect-target=candidate
            class:util-low=move || band.get() == Some("util-low")
            class:util-mid=move || band.get() == Some("util-mid")
            class:util-high=move || band.get() == Some("util-high")
            class:util-saturated=move || band.get() == Some("util-saturated")
            data-node=key
            data-kind=kind.key()
            transform=transform
            tabindex="0"
            role="button"
            aria-label=accessible_name
            on:focus=on_focus
            on:blur=on_blur
        >
            <rect class="node-box" width=plain(NODE_WIDTH) height=plain(NODE_HEIGHT) rx="10" />
            <g class="node-icon" transform="translate(12 16)">
                <path d=icon_path(kind) />
            </g>
            <text class="node-label" x="46" y="25">{label}</text>
            // The kind's line starts with a space (SVG does not draw it):
            // read together the two lines are "Readers Users", as the name
            // says, not "ReadersUsers".
            <text class="node-kind" x="46" y="42">{format!(" {}", kind.name())}</text>
            {badge}
            <circle class="port port-in" cx="0" cy=plain(NODE_HEIGHT / 2.0) r="5" />
            <circle class="port port-out" data-port-out=port_key cx=plain(NODE_WIDTH) cy=plain(NODE_HEIGHT / 2.0) r="6">
                {svg::title().child("Drag to connect")}
            </circle>
            // A larger, invisible target over the output port, drawn on
            // touch screens only (style/main.css) so a finger finds it.
            // After the port, so `[data-port-out]` still finds the port
            // first (and where it is drawn).
            <circle class="port-hit" data-port-out=port_hit_key cx=plain(NODE_WIDTH) cy=plain(NODE_HEIGHT / 2.0) r="12" />
        </g>
        // The run's figures beside the node, outside its element: they are
        // not part of its name (see `accessible_name`), and accessibility
        // checks count every word inside a named element as its visible
        // text.
        <g class="node-live" aria-hidden="true" data-live-for=live_key transform=live_transform>
            {live_label}
            {error_badge}
        </g>
    }
    .into_any()
}

/// The utilisation band's class: the colour scale on the canvas.
fn utilisation_class(utilisation: f32) -> &'static str {
    match utilisation {
        u if u >= 0.95 => "util-saturated",
        u if u >= 0.8 => "util-high",
        u if u >= 0.5 => "util-mid",
        _ => "util-low",
    }
}
