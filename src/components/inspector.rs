//! The inspector: the selected node's label and parameters, each with its
//! unit, range and help text. A value is checked by the design crate before
//! it reaches the design; a refused value stays in its field, marked
//! invalid, with the reason beside it.

use design::{Node, NodeId, ParamKind, ParamSpec};
use leptos::prelude::*;

use crate::components::connections::NodeConnections;
use crate::components::node_run::NodeRunDetail;
use crate::dom;
use crate::run::RunState;
use crate::state::EditorState;

/// The right-hand panel.
#[component]
pub fn Inspector(
    /// The editor.
    state: EditorState,
    /// Grade and playback (the selected node's part in the run).
    run: RunState,
    /// Called when Escape leaves the fields for the node (the app shows
    /// the canvas pane on a phone).
    #[prop(optional)]
    on_escape: Option<Callback<()>>,
) -> impl IntoView {
    let single = Memo::new(move |_| state.selection.with(|s| s.single_node().cloned()));
    let summary = move || {
        state.selection.with(|s| {
            if let Some(edge) = s.edge() {
                let kind = state
                    .with_editor(|e| e.design().edge(&edge.from, &edge.to).map(|x| x.kind.name()));
                format!(
                    "Connection from {} to {}{}. Press Delete to remove it.",
                    edge.from,
                    edge.to,
                    kind.map(|k| format!(" ({k})")).unwrap_or_default()
                )
            } else if s.nodes().len() > 1 {
                format!(
                    "{} nodes selected. Drag to move them together; Delete removes them.",
                    s.nodes().len()
                )
            } else {
                "Select a node to see and change its settings.".to_string()
            }
        })
    };
    view! {
        <aside class="side-panel inspector" id="inspector-panel" aria-label="Inspector">
            <h2>"Inspector"</h2>
            {move || match single.get() {
                Some(id) => view! {
                    <NodeInspector state=state id=id.clone() on_escape=on_escape />
                    <NodeRunDetail state=state run=run id=id />
                }
                .into_any(),
                None => view! { <p class="muted">{summary}</p> }.into_any(),
            }}
        </aside>
    }
}

/// The fields of one node; re-created when the selection changes, so its
/// local error messages belong to that node.
#[component]
fn NodeInspector(state: EditorState, id: NodeId, on_escape: Option<Callback<()>>) -> impl IntoView {
    let Some(signals) = state.node(&id) else {
        return ().into_any();
    };
    let data = signals.data;
    let kind = data.with_untracked(|n| n.kind);
    // A read-only page shows the settings without letting them be typed
    // into (the editor would refuse the edit anyway, silently).
    let readonly = state.with_editor(|e| e.is_readonly());
    let label_error = RwSignal::new(None::<String>);
    let on_label = {
        let id = id.clone();
        move |ev: web_sys::Event| {
            let text = event_target_value(&ev);
            match state.apply(|e| e.rename(&id, &text)) {
                Ok(()) => label_error.set(None),
                Err(error) => label_error.set(Some(error.to_string())),
            }
        }
    };
    let lints = {
        let id = id.clone();
        move || {
            state.lints.with(|lints| {
                lints
                    .iter()
                    .filter(|l| l.nodes.first() == Some(&id) || l.nodes.contains(&id))
                    .map(|l| {
                        // A lint the run did not bear out is a hint (the
                        // message says what the run measured).
                        let hint = l.ruled_out();
                        view! {
                            <li class="lint" class:hint=hint>
                                <strong>
                                    {l.code.title()}
                                    {hint.then_some(" (hint: it did not happen in the run)")}
                                </strong>
                                <span>{l.message.clone()}</span>
                                <span class="muted">{l.explanation.clone()}</span>
                            </li>
                        }
                    })
                    .collect_view()
            })
        }
    };
    let label_value = {
        let data = data.clone();
        move || data.with(|n| n.label.clone())
    };
    // Escape leaves the fields for the node on the canvas, so the keys
    // that follow (Ctrl+Z, the arrows) act on the design, not on the text
    // of a field. A changed value is committed as its field loses the
    // focus, as with Tab. On a phone the canvas is another pane: it is
    // shown first (`on_escape`), and the node focused again a task later,
    // once the pane is drawn.
    let on_keydown = {
        let id = id.clone();
        move |ev: web_sys::KeyboardEvent| {
            if ev.key() == "Escape" && !ev.default_prevented() {
                ev.prevent_default();
                if let Some(leave) = on_escape {
                    leave.run(());
                }
                dom::focus_node(id.as_str());
                let id = id.clone();
                gloo_timers::callback::Timeout::new(0, move || dom::focus_node(id.as_str()))
                    .forget();
            }
        }
    };
    let fields = kind
        .params()
        .iter()
        .map(|spec| view! { <ParamField state=state id=id.clone() spec=*spec /> })
        .collect_view();

    view! {
        <div class="node-inspector" data-inspecting=id.to_string() on:keydown=on_keydown>
            <p class="kind-name">{kind.name()}</p>
            <p class="muted">{kind.summary()}</p>
            <ul class="lints">{lints}</ul>
            {readonly.then(|| view! { <p class="muted readonly-note">"Read-only: these settings can be read, not changed."</p> })}
            <div class="field">
                // No `maxlength`: a longer label pasted in is refused with
                // the reason (the editor's check), not cut short silently.
                <label for="field-label">"Label"</label>
                <input
                    id="field-label"
                    type="text"
                    readonly=readonly
                    prop:value=label_value
                    aria-invalid=move || label_error.get().is_some().to_string()
                    aria-describedby="field-label-error"
                    on:change=on_label
                />
                <p id="field-label-error" class="field-error" role="alert">{move || label_error.get()}</p>
            </div>
            {fields}
            <NodeConnections state=state id=id.clone() />
        </div>
    }
    .into_any()
}

/// One parameter's field.
#[component]
fn ParamField(state: EditorState, id: NodeId, spec: ParamSpec) -> impl IntoView {
    let Some(signals) = state.node(&id) else {
        return ().into_any();
    };
    let data = signals.data;
    let error = RwSignal::new(None::<String>);
    let field_id = format!("field-{}", spec.key);
    let readonly = state.with_editor(|e| e.is_readonly());
    let error_id = format!("{field_id}-error");
    let help_id = format!("{field_id}-help");

    let commit = {
        let id = id.clone();
        move |text: String| match state.apply(|e| e.set_param(&id, spec.key, &text)) {
            Ok(()) => error.set(None),
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    let current = move |n: &Node| -> String {
        match spec.kind {
            ParamKind::Number { .. } => format_number(n.num(spec.key)),
            ParamKind::Bool { .. } => n.flag(spec.key).to_string(),
            ParamKind::Choice { .. } => n.choice(spec.key).to_string(),
        }
    };
    let range = match spec.kind {
        ParamKind::Number { min, max, .. } => {
            format!(
                "{} to {}{}",
                format_number(min),
                format_number(max),
                unit_suffix(spec.unit)
            )
        }
        _ => String::new(),
    };
    let described_by = format!("{help_id} {error_id}");

    let control = match spec.kind {
        ParamKind::Number { .. } => {
            let commit = commit.clone();
            let value = {
                let data = data.clone();
                move || data.with(current)
            };
            view! {
                <span class="number-input">
                    <input
                        id=field_id.clone()
                        type="text"
                        inputmode="decimal"
                        readonly=readonly
                        prop:value=value
                        aria-invalid=move || error.get().is_some().to_string()
                        aria-describedby=described_by.clone()
                        on:change=move |ev| commit(event_target_value(&ev))
                    />
                    <span class="unit">{spec.unit}</span>
                </span>
            }
            .into_any()
        }
        ParamKind::Bool { .. } => {
            let commit = commit.clone();
            let checked = {
                let data = data.clone();
                move || data.with(|n| n.flag(spec.key))
            };
            view! {
                <input
                    id=field_id.clone()
                    type="checkbox"
                    disabled=readonly
                    prop:checked=checked
                    aria-describedby=described_by.clone()
                    on:change=move |ev| commit(if event_target_checked(&ev) { "on" } else { "off" }.to_string())
                />
            }
            .into_any()
        }
        ParamKind::Choice { options, .. } => {
            let commit = commit.clone();
            let value = {
                let data = data.clone();
                move || data.with(current)
            };
            view! {
                <select
                    id=field_id.clone()
                    disabled=readonly
                    prop:value=value
                    aria-describedby=described_by.clone()
                    on:change=move |ev| commit(event_target_value(&ev))
                >
                    {options.iter().map(|o| view! { <option value=*o>{*o}</option> }).collect_view()}
                </select>
            }
            .into_any()
        }
    };

    view! {
        <div class="field" class:invalid=move || error.get().is_some() data-param=spec.key>
            <label for=field_id>{spec.label}</label>
            {control}
            <p id=help_id class="field-help">
                {spec.help()}
                {(!range.is_empty()).then(|| view! { <span class="range">{format!(" Range: {range}.")}</span> })}
            </p>
            <p id=error_id class="field-error" role="alert">{move || error.get()}</p>
        </div>
    }
    .into_any()
}

fn unit_suffix(unit: &str) -> String {
    if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    }
}

/// A number as a person writes it: no trailing `.0`.
fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
