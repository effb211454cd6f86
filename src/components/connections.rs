//! The selected node's connections, listed in the inspector: where each
//! goes or comes from and what it carries, with a button that removes it.
//! On the canvas a connection is picked with the pointer; this list is how
//! the keyboard reaches one.

use design::NodeId;
use leptos::prelude::*;

use crate::state::{EdgeView, EditorState};

/// One connection of the inspected node, as the list shows it.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    /// The connection itself.
    edge: EdgeView,
    /// The node at its other end, by its label (else its id).
    other: String,
    /// Whether it leaves the inspected node.
    outgoing: bool,
}

/// The connections of `id`: those it sends first, then those it receives,
/// each in the design's order.
fn rows(state: EditorState, id: &NodeId) -> Vec<Row> {
    let label = |other: &NodeId| {
        state.with_editor(|e| {
            e.design()
                .node(other)
                .map(|n| n.label.clone())
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| other.to_string())
        })
    };
    state.edges.with(|edges| {
        let outgoing = edges.iter().filter(|e| &e.from == id).map(|e| Row {
            edge: e.clone(),
            other: label(&e.to),
            outgoing: true,
        });
        let incoming = edges.iter().filter(|e| &e.to == id).map(|e| Row {
            edge: e.clone(),
            other: label(&e.from),
            outgoing: false,
        });
        outgoing.chain(incoming).collect()
    })
}

/// The list under the node's settings.
#[component]
pub fn NodeConnections(
    /// The editor.
    state: EditorState,
    /// The inspected node.
    id: NodeId,
) -> impl IntoView {
    let readonly = state.with_editor(|e| e.is_readonly());
    let heading = NodeRef::<leptos::html::H3>::new();
    let list = {
        let id = id.clone();
        Memo::new(move |_| rows(state, &id))
    };
    let remove = {
        let id = id.clone();
        move |edge: &EdgeView, other: &str| {
            let removed = state.apply(|e| {
                e.select_edge(&edge.from, &edge.to);
                let removed = e.delete_selection();
                // The inspector stays on the node.
                e.select_node(&id, false);
                removed
            });
            if removed {
                state.notify(format!(
                    "Connection with {other} removed. Ctrl+Z puts it back."
                ));
            }
            // The button is gone with its row: the focus goes to the
            // list's heading rather than to the page.
            if let Some(h) = heading.get_untracked() {
                let _ = h.focus();
            }
        }
    };
    view! {
        <section class="node-connections" aria-labelledby="connections-heading">
            <h3 id="connections-heading" tabindex="-1" node_ref=heading>"Connections"</h3>
            {move || {
                let rows = list.get();
                if rows.is_empty() {
                    return view! { <p class="muted">"None yet: drag from a node's right-hand port, or press C on a node."</p> }.into_any();
                }
                view! {
                    <ul class="connection-list">
                        {rows.into_iter().map(|row| {
                            let words = if row.outgoing {
                                format!("To {} ({})", row.other, row.edge.kind.name())
                            } else {
                                format!("From {} ({})", row.other, row.edge.kind.name())
                            };
                            let name = format!("Remove the connection {} {}", if row.outgoing { "to" } else { "from" }, row.other);
                            let remove = remove.clone();
                            let key = row.edge.key();
                            view! {
                                <li data-connection=key>
                                    <span>{words}</span>
                                    {(!readonly).then(|| view! {
                                        <button type="button" class="button" aria-label=name
                                            on:click=move |_| remove(&row.edge, &row.other)>"Remove"</button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
