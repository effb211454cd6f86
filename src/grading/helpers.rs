//! Helper workers: more threads for testing a grade's candidate fixes.
//!
//! The grading worker starts a few workers of its own, each running this
//! same binary as a *helper* (told apart by its worker name,
//! [`HELPER_NAME`]). While it tests fixes, the grading worker hands one
//! candidate at a time to each idle helper ([`Helpers::hand_out`]) and
//! grades candidates itself meanwhile; a helper grades its design and
//! sends back what the verifier reads of the grade (its outcome). The
//! advice does not depend on which thread graded what, nor in which order
//! (`sim::grade::Verifier`), so it is the advice one thread gives, sooner
//! when the machine has idle cores.
//!
//! Invariants: the page never talks to a helper (its wasm has none of
//! this); a helper's answer names the request and candidate it belongs to,
//! and an answer to an older request is dropped; a helper that fails gives
//! its candidate back to be graded by the grading worker.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use design::Design;
use serde::{Deserialize, Serialize};
use sim::grade::{Outcome, Task};
use sim::kata::Kata;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::protocol::{self, KataRef, Wire};
use super::service::Wake;
use super::worker::post;

/// The worker name that makes the worker binary a helper.
pub const HELPER_NAME: &str = "helper";
/// The script that starts the worker binary (beside the grading worker's).
const SCRIPT: &str = "worker_loader.js";
/// At most this many helpers, whatever the machine or the page asks.
pub const MAX_HELPERS: u32 = 3;

/// What the grading worker asks a helper: grade `design` on `kata` with
/// `seed`. The design travels as its design document, as in a grading
/// request (it reads back exactly: `design::format`'s round-trip
/// property), so the worker compiles one design reader.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    /// The grading request this candidate belongs to.
    pub request: u64,
    /// The candidate's number in that request's verifier.
    pub index: usize,
    /// The kata.
    pub kata: KataRef,
    /// The runs' seed.
    pub seed: u64,
    /// The design with the candidate fix applied.
    #[serde(with = "protocol::design_document")]
    pub design: Design,
}

impl Wire for Assignment {}

/// A helper's answer: what the verifier reads of the candidate's grade
/// (its [`Outcome`]: scenarios, passes, cost, bit for bit, as the JSON's
/// numbers round-trip), or why it could not be graded. Not the whole
/// grade: the worker then compiles no reader of reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Graded {
    /// The request the candidate belongs to.
    pub request: u64,
    /// The candidate's number.
    pub index: usize,
    /// Its outcome, or the error in words.
    pub outcome: Result<Outcome, String>,
}

/// What a helper says to the grading worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Said {
    /// It has loaded and takes assignments (it is given none before: a
    /// helper still loading could take longer than grading here).
    Ready,
    /// A candidate's outcome.
    Graded(Graded),
}

impl Wire for Said {}

/// The number of helpers the query `search` asks for (`?helpers=N`: the
/// page passes its query on in the worker's address), if it is a whole
/// number.
pub fn asked(search: &str) -> Option<u32> {
    crate::page::query_pairs(search)
        .find(|(key, _)| *key == "helpers")
        .and_then(|(_, value)| value.parse().ok())
}

/// How many helpers to start: as many as `asked` ([`asked`], at most
/// [`MAX_HELPERS`]), else one per core beyond two, at least one and at
/// most two, and none on a single core. On two cores one helper shares
/// them with the page and the grading worker: once the page has opened
/// (the helpers start then, see [`Helpers`]) it is idle while fixes are
/// tested (its tasks only show what arrives), and measured on a 2-core
/// machine, with the helper loaded, the starter's fixes came a quarter
/// sooner with no long task on the page (BENCHMARKS.md, "Helper
/// workers"). The first grade's fixes are tested without it.
pub fn how_many(asked: Option<u32>, cores: f64) -> u32 {
    match asked {
        Some(n) => n.min(MAX_HELPERS),
        None if cores.is_finite() && cores >= 2.0 => (cores as u32 - 2).clamp(1, 2),
        None => 0,
    }
}

/// A candidate a helper took: `None` when it is idle.
type Held = Option<(u64, Task)>;

/// One helper worker.
struct Helper {
    worker: web_sys::Worker,
    held: RefCell<Held>,
    /// It failed: it is given nothing more.
    dead: Cell<bool>,
    /// It said it is ready.
    ready: Cell<bool>,
}

/// What came back from the helpers, for the grading worker to take.
#[derive(Default)]
struct Inbox {
    /// Outcomes, by request: (candidate, outcome).
    graded: Vec<(u64, (usize, Outcome))>,
    /// Candidates to grade here: their helper failed, or its answer could
    /// not be read or was an error.
    returned: Vec<(u64, Task)>,
}

/// The grading worker's helpers, started when the grading worker first
/// has nothing to do: after the page's first request is answered in full
/// (its grade and, for a design that fails, its fixes tested). The page
/// is still opening while the first grade's fixes are tested, its wasm
/// compiling and its parts being built task by task, and on a 2-core
/// machine a helper loading and grading beside the grading worker took
/// the page's thread its core: tasks over 50 ms came during the fixes
/// (BENCHMARKS.md, "Helper workers"). Once loaded (about 200 ms here),
/// they take part in every later request's fixes.
pub struct Helpers {
    /// How many to start.
    count: u32,
    list: RefCell<Vec<Rc<Helper>>>,
    inbox: Rc<RefCell<Inbox>>,
    /// Woken whenever a helper answers or fails.
    wake: Rc<Wake>,
    /// The helpers were started (or tried to).
    started: Cell<bool>,
    /// Keeps the helpers' listeners alive as long as the helpers.
    listeners: RefCell<Vec<Listener>>,
}

/// What listens to a helper's messages and errors.
type Listener = Closure<dyn Fn(web_sys::Event)>;

impl Helpers {
    /// `count` helpers, started by [`Helpers::start`]; `wake` is woken
    /// whenever one answers or fails.
    pub fn new(count: u32, wake: Rc<Wake>) -> Self {
        Helpers {
            count,
            list: RefCell::new(Vec::new()),
            inbox: Rc::default(),
            wake,
            started: Cell::new(false),
            listeners: RefCell::new(Vec::new()),
        }
    }

    /// Starts the helpers unless they are started (the grading worker
    /// calls it when it is first idle). A helper that cannot start is left
    /// out, in the console.
    pub fn start(&self) {
        if self.started.replace(true) {
            return;
        }
        for _ in 0..self.count {
            let options = web_sys::WorkerOptions::new();
            options.set_name(HELPER_NAME);
            let worker = match web_sys::Worker::new_with_options(SCRIPT, &options) {
                Ok(worker) => worker,
                Err(e) => {
                    web_sys::console::error_2(&"a helper worker could not start:".into(), &e);
                    break;
                }
            };
            let helper = Rc::new(Helper {
                worker,
                held: RefCell::new(None),
                dead: Cell::new(false),
                ready: Cell::new(false),
            });
            let (me, inbox, woken) = (
                Rc::downgrade(&helper),
                self.inbox.clone(),
                self.wake.clone(),
            );
            let listener = Listener::new(move |ev: web_sys::Event| {
                let Some(helper) = me.upgrade() else {
                    return;
                };
                let said = ev
                    .dyn_ref::<web_sys::MessageEvent>()
                    .map(protocol::from_event::<Said>);
                if let Some(Ok(Said::Ready)) = said {
                    helper.ready.set(true);
                    woken.wake();
                    return;
                }
                let held = helper.held.borrow_mut().take();
                let mut inbox = inbox.borrow_mut();
                match (said, held) {
                    (
                        Some(Ok(Said::Graded(Graded {
                            request,
                            index,
                            outcome: Ok(outcome),
                        }))),
                        Some((r, task)),
                    ) if r == request && task.index == index => {
                        inbox.graded.push((request, (index, outcome)));
                    }
                    // An error event, an unreadable answer or an error:
                    // the candidate is graded here instead.
                    (said, held) => {
                        if !matches!(said, Some(Ok(_))) {
                            helper.dead.set(true);
                            let reason = match &said {
                                Some(Err(e)) => e.to_string(),
                                _ => "it stopped on an error".to_string(),
                            };
                            web_sys::console::error_1(
                                &format!("a helper worker failed: {reason}").into(),
                            );
                        }
                        if let Some(held) = held {
                            inbox.returned.push(held);
                        }
                    }
                }
                drop(inbox);
                woken.wake();
            });
            helper
                .worker
                .set_onmessage(Some(listener.as_ref().unchecked_ref()));
            helper
                .worker
                .set_onerror(Some(listener.as_ref().unchecked_ref()));
            helper
                .worker
                .set_onmessageerror(Some(listener.as_ref().unchecked_ref()));
            self.listeners.borrow_mut().push(listener);
            self.list.borrow_mut().push(helper);
        }
    }

    /// Gives each idle helper a candidate of request `request`, taken by
    /// `next` until it has none (none before the helpers are started and
    /// say they are ready).
    pub fn hand_out(
        &self,
        request: u64,
        kata: &KataRef,
        seed: u64,
        mut next: impl FnMut() -> Option<Task>,
    ) {
        for helper in self.list.borrow().iter() {
            if helper.dead.get() || !helper.ready.get() || helper.held.borrow().is_some() {
                continue;
            }
            let Some(task) = next() else {
                return;
            };
            let assignment = Assignment {
                request,
                index: task.index,
                kata: kata.clone(),
                seed,
                design: task.design.clone(),
            };
            match protocol::send(&assignment, |buffer, transfer| {
                helper.worker.post_message_with_transfer(buffer, transfer)
            }) {
                Ok(()) => *helper.held.borrow_mut() = Some((request, task)),
                Err(e) => {
                    web_sys::console::error_2(&"a helper worker could not be asked:".into(), &e);
                    helper.dead.set(true);
                    self.inbox.borrow_mut().returned.push((request, task));
                }
            }
        }
    }

    /// A candidate of request `request` that a helper holds and `wanted`
    /// still waits for (a copy: the helper keeps it).
    pub fn held(&self, request: u64, wanted: impl Fn(usize) -> bool) -> Option<Task> {
        self.list
            .borrow()
            .iter()
            .find_map(|h| match &*h.held.borrow() {
                Some((r, task)) if *r == request && wanted(task.index) => Some(task.clone()),
                _ => None,
            })
    }

    /// The outcomes that came back for request `request` (those of older
    /// requests are dropped).
    pub fn take_graded(&self, request: u64) -> Vec<(usize, Outcome)> {
        take_of(&mut self.inbox.borrow_mut().graded, request)
    }

    /// The candidates of request `request` given back to grade here.
    pub fn take_returned(&self, request: u64) -> Vec<Task> {
        take_of(&mut self.inbox.borrow_mut().returned, request)
    }
}

/// Empties `list`, keeping what belongs to request `request`.
fn take_of<T>(list: &mut Vec<(u64, T)>, request: u64) -> Vec<T> {
    std::mem::take(list)
        .into_iter()
        .filter_map(|(r, item)| (r == request).then_some(item))
        .collect()
}

impl Drop for Helpers {
    fn drop(&mut self) {
        for helper in self.list.borrow().iter() {
            helper.worker.terminate();
        }
    }
}

/// Runs this worker as a helper: says it is ready, then grades each
/// assignment as it arrives and answers with its outcome.
pub fn serve_as_helper(scope: web_sys::DedicatedWorkerGlobalScope) {
    let answer = scope.clone();
    let katas: RefCell<HashMap<KataRef, Rc<Kata>>> = RefCell::new(HashMap::new());
    let listener =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let assignment = match protocol::from_event::<Assignment>(&ev) {
                Ok(assignment) => assignment,
                Err(error) => {
                    web_sys::console::error_1(&error.to_string().into());
                    return;
                }
            };
            let outcome = super::service::kata_of(&katas, &assignment.kata).and_then(|kata| {
                sim::grade::grade(&assignment.design, &kata, assignment.seed)
                    .map(Outcome::from)
                    .map_err(|e| e.to_string())
            });
            post(
                &answer,
                &Said::Graded(Graded {
                    request: assignment.request,
                    index: assignment.index,
                    outcome,
                }),
            );
        });
    scope.set_onmessage(Some(listener.as_ref().unchecked_ref()));
    listener.forget();
    post(&scope, &Said::Ready);
}
