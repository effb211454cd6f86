//! Messages for the learner (why a connection was refused, what was
//! restored), shown over the canvas and announced to screen readers. A
//! passing notice fades after a few seconds; one that says what was
//! repaired or refused in the learner's input stays until dismissed, under
//! any notice that comes after it (`editor::notices`).

use gloo_timers::callback::Timeout;
use leptos::prelude::*;

use crate::state::EditorState;

/// How long a notice stays, in milliseconds.
const NOTICE_MS: u32 = 6_000;

/// The notice area.
#[component]
pub fn NoticeArea(
    /// The editor whose notices are shown.
    state: EditorState,
) -> impl IntoView {
    // Each new passing notice schedules its own removal; an older timer
    // finding a newer notice leaves it alone (serials differ). Lasting
    // notices have no timer.
    Effect::new(move |_| {
        if let Some(serial) = state.notices.with(|n| n.passing_serial()) {
            // `try_`: the page (or a test's mount) may be gone when the
            // timer fires.
            Timeout::new(NOTICE_MS, move || {
                state.notices.try_update(|n| n.dismiss(serial));
            })
            .forget();
        }
    });
    // Keyed by serial, so a notice already shown keeps its element and is
    // not announced again when another comes or goes.
    view! {
        <div class="notice-area" role="status" aria-live="polite">
            <For
                each=move || state.notices.with(|n| n.shown().cloned().collect::<Vec<_>>())
                key=|n| n.serial
                children=move |n| {
                    let serial = n.serial;
                    view! {
                        <p class="notice" class:lasting=n.lasting>
                            <span>{n.text}</span>
                            {n.lasting.then(|| view! {
                                <button type="button" class="button notice-dismiss" on:click=move |_| {
                                    state.notices.update(|n| {
                                        n.dismiss(serial);
                                    });
                                }>
                                    "Dismiss"
                                </button>
                            })}
                        </p>
                    }
                }
            />
        </div>
    }
}
