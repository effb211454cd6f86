//! Messages for the learner (why a connection was refused, what was
//! restored), shown over the canvas and announced to screen readers. A
//! passing notice fades after a few seconds; one that says what was
//! repaired or refused in the learner's input stays until dismissed, under
//! any notice that comes after it (`editor::notices`).

use editor::notices::SHOWN_AT_ONCE;
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
    // notices have no timer. The effect runs whenever the notices change,
    // and schedules a timer only when the passing notice is a new one.
    Effect::new(move |scheduled: Option<Option<u64>>| {
        let passing = state.notices.with(|n| n.passing_serial());
        if let Some(serial) = passing.filter(|_| passing != scheduled.flatten()) {
            // `try_`: the page (or a test's mount) may be gone when the
            // timer fires. Nothing is notified when the notice is gone.
            Timeout::new(NOTICE_MS, move || {
                state.notices.try_maybe_update(|n| (n.dismiss(serial), ()));
            })
            .forget();
        }
        passing
    });
    // One slot per notice that can be shown (the lasting ones, then the
    // passing one). A slot is rebuilt in place whenever the notices
    // change, and one whose notice is the same sets nothing (tachys
    // writes a text only when it differs), so a passing notice coming or
    // going does not announce the lasting ones again. A lasting notice
    // coming or going moves the notices after it by a slot, and those are
    // announced again; that is rare. (Slots cost less code in the page
    // than a keyed list.)
    let slot = move |i: usize| {
        move || {
            state.notices.with(|n| n.shown().nth(i).cloned()).map(|n| {
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
            })
        }
    };
    const _: () = assert!(SHOWN_AT_ONCE == 4, "one slot per notice shown at once");
    view! {
        <div class="notice-area" role="status" aria-live="polite">
            {slot(0)}
            {slot(1)}
            {slot(2)}
            {slot(3)}
        </div>
    }
}
