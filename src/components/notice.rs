//! Messages for the learner (why a connection was refused, what was
//! restored), shown over the canvas and announced to screen readers. A
//! passing notice fades after a few seconds; one that says what was
//! repaired or refused in the learner's input stays until dismissed.

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
    // Each new notice schedules its own removal; an older timer finding a
    // newer notice leaves it alone (serials differ).
    Effect::new(move |_| {
        let fading = state
            .notice
            .with(|n| n.as_ref().filter(|n| !n.lasting).map(|n| n.serial));
        if let Some(serial) = fading {
            // `try_`: the page (or a test's mount) may be gone when the
            // timer fires.
            Timeout::new(NOTICE_MS, move || {
                if state
                    .notice
                    .try_with_untracked(|n| n.as_ref().map(|n| n.serial))
                    .flatten()
                    == Some(serial)
                {
                    state.notice.try_set(None);
                }
            })
            .forget();
        }
    });
    view! {
        <div class="notice-area" role="status" aria-live="polite">
            {move || state.notice.get().map(|n| view! {
                <p class="notice" class:lasting=n.lasting>
                    <span>{n.text}</span>
                    {n.lasting.then(|| view! {
                        <button type="button" class="button notice-dismiss" on:click=move |_| state.notice.set(None)>
                            "Dismiss"
                        </button>
                    })}
                </p>
            })}
        </div>
    }
}
