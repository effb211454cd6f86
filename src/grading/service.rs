//! The grading service: what runs in the worker (and, in the browser
//! tests, in the page). It grades the latest request, answers, then tests
//! the failed scenarios' candidate fixes one grade at a time, yielding to
//! its event loop between them so a newer request is seen and supersedes
//! the rest. In the worker, helper workers grade candidates too, one each
//! at a time, once they are loaded: they start when the service is first
//! idle (`helpers.rs`).
//!
//! Invariants: only the latest request is ever worked on (older ones
//! waiting behind it are dropped unread); every answer names the
//! request it belongs to (by number).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Poll, Waker};

use sim::grade::{Grade, Verifier};
use sim::kata::Kata;

use super::helpers::Helpers;
use super::now_ms;
use super::protocol::{self, KataRef, Request, Response};

/// Wakes the service's work loop when it waits for something that
/// happens in another task: a helper's answer, or a newer request.
#[derive(Default)]
pub struct Wake {
    woken: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

impl Wake {
    /// Wakes the waiting loop (or the next wait returns at once).
    pub fn wake(&self) {
        self.woken.set(true);
        if let Some(waker) = self.waker.borrow_mut().take() {
            waker.wake();
        }
    }

    /// Waits until woken since the last wait, or `ms` milliseconds: true
    /// if woken.
    async fn within(&self, ms: u32) -> bool {
        let mut timer = gloo_timers::future::TimeoutFuture::new(ms);
        std::future::poll_fn(move |cx| {
            if self.woken.replace(false) {
                return Poll::Ready(true);
            }
            *self.waker.borrow_mut() = Some(cx.waker().clone());
            match Pin::new(&mut timer).poll(cx) {
                Poll::Ready(()) => Poll::Ready(false),
                Poll::Pending => Poll::Pending,
            }
        })
        .await
    }
}

/// The kata `which` names, read once into `katas`: a built-in one by id,
/// or one given as data; why it cannot be read, in words.
pub(crate) fn kata_of(
    katas: &RefCell<HashMap<KataRef, Rc<Kata>>>,
    which: &KataRef,
) -> Result<Rc<Kata>, String> {
    if let Some(kata) = katas.borrow().get(which) {
        return Ok(kata.clone());
    }
    let kata = match which {
        KataRef::BuiltIn(id) => sim::kata::load(id),
        KataRef::Given(data) => Kata::from_json(&data.kata_json, &data.starter_json),
    }
    .map(Rc::new)
    .map_err(|e| e.to_string())?;
    katas.borrow_mut().insert(which.clone(), kata.clone());
    Ok(kata)
}

/// Where the service's answers go.
pub type Post = Rc<dyn Fn(Response)>;

/// The service's state, shared by its message handler and its work loop.
pub struct Service {
    inbox: RefCell<Option<Request>>,
    running: Cell<bool>,
    /// Each kata read so far, built in or given as data.
    katas: RefCell<HashMap<KataRef, Rc<Kata>>>,
    post: Post,
    wake: Rc<Wake>,
    helpers: Helpers,
}

impl Service {
    /// A service that answers through `post` and tests fixes alone.
    pub fn new(post: Post) -> Rc<Self> {
        Self::with_helpers(post, 0)
    }

    /// A service that answers through `post`, with `helpers` helper
    /// workers to test fixes (in a worker only: see `helpers.rs`).
    pub fn with_helpers(post: Post, helpers: u32) -> Rc<Self> {
        let wake = Rc::new(Wake::default());
        Rc::new(Service {
            inbox: RefCell::new(None),
            running: Cell::new(false),
            katas: RefCell::new(HashMap::new()),
            post,
            helpers: Helpers::new(helpers, wake.clone()),
            wake,
        })
    }

    /// Takes a request: it replaces any request not started yet, and the
    /// work loop starts if it was idle (or stops waiting for helpers).
    pub fn receive(self: &Rc<Self>, request: Request) {
        self.inbox.replace(Some(request));
        self.wake.wake();
        if !self.running.replace(true) {
            let service = self.clone();
            wasm_bindgen_futures::spawn_local(async move {
                service.work().await;
                service.running.set(false);
            });
        }
    }

    fn superseded(&self) -> bool {
        self.inbox.borrow().is_some()
    }

    /// The kata `which` names (see [`kata_of`]).
    fn kata(&self, which: &KataRef) -> Result<Rc<Kata>, String> {
        kata_of(&self.katas, which)
    }

    async fn work(&self) {
        loop {
            // Let messages that arrived meanwhile land first: only the
            // latest is worked on.
            yield_now().await;
            let Some(request) = self.inbox.take() else {
                (self.post)(Response::Idle);
                // The page's first request is answered in full: the
                // helpers load now, not while its fixes were tested.
                self.helpers.start();
                return;
            };
            (self.post)(Response::Started {
                request: request.number(),
            });
            match request {
                Request::Grade {
                    request,
                    kata,
                    seed,
                    design,
                } => {
                    let kata_ref = kata;
                    let kata = match self.kata(&kata_ref) {
                        Ok(kata) => kata,
                        Err(error) => {
                            (self.post)(Response::Graded {
                                request,
                                grade: Err(error),
                                series: Vec::new(),
                                took_ms: 0.0,
                            });
                            continue;
                        }
                    };
                    let started = now_ms();
                    let mut grade =
                        sim::grade::grade(&design, &kata, seed).map_err(|e| e.to_string());
                    let took_ms = now_ms() - started;
                    let series = grade
                        .as_mut()
                        .map(protocol::pack_series)
                        .unwrap_or_default();
                    // The verifier needs only the scenarios and checks,
                    // not the series (now packed away).
                    let advised = grade.as_ref().ok().filter(|g| !g.all_passed()).cloned();
                    (self.post)(Response::Graded {
                        request,
                        grade,
                        series,
                        took_ms,
                    });
                    if let Some(graded) = advised {
                        let on = Advising {
                            request,
                            kata: &kata,
                            kata_ref: &kata_ref,
                            seed,
                            took_ms,
                        };
                        self.test_fixes(on, &design, graded).await;
                    }
                }
            }
        }
    }

    /// Tests `advised`'s candidate fixes a grade per turn of the event
    /// loop (and one per idle helper at a time), answering each time a
    /// scenario's fix is settled; stops as soon as a newer request waits.
    async fn test_fixes(&self, on: Advising<'_>, design: &design::Design, mut advised: Grade) {
        let Advising {
            request,
            kata,
            kata_ref,
            seed,
            took_ms,
        } = on;
        // How long a helper may take over a candidate before it is graded
        // here too (a helper that hangs must not stop the advice): far
        // longer than a grade of this design took here.
        let patience = (took_ms * 4.0).clamp(1_000.0, 60_000.0) as u32;
        let started = now_ms();
        let mut verifier = Verifier::new(design, kata, seed, &advised);
        let checking = |(done, total): (usize, usize)| Response::Checking {
            request,
            done,
            total,
        };
        (self.post)(checking(verifier.progress()));
        let mut here = Vec::new();
        let mut by_helpers = 0;
        loop {
            yield_now().await;
            if self.superseded() {
                return;
            }
            let mut came_back = false;
            for (index, graded) in self.helpers.take_graded(request) {
                // (Counted when it counts: not a candidate graded here too.)
                by_helpers += usize::from(verifier.is_out(index));
                verifier.put(index, graded);
                came_back = true;
            }
            here.extend(self.helpers.take_returned(request));
            self.helpers
                .hand_out(request, kata_ref, seed, || verifier.take());
            match here.pop().or_else(|| verifier.take()) {
                Some(task) => match sim::grade::grade(&task.design, kata, seed) {
                    Ok(graded) => verifier.put(task.index, graded.into()),
                    // The kata graded this design once already, so it
                    // cannot fail now; if it does, what was tested so far
                    // is the answer (the rest counts as not helping).
                    Err(_) => break,
                },
                None if verifier.finished() => break,
                // Helpers answered: say so, then hand out what follows.
                None if came_back => {}
                // The helpers hold the rest: wait for one to answer (or
                // for a newer request); past `patience`, grade one of
                // theirs here too (the first grade back counts).
                None => {
                    let Some(theirs) = self.helpers.held(request, |i| verifier.is_out(i)) else {
                        break;
                    };
                    if !self.wake.within(patience).await {
                        here.push(theirs);
                    }
                    continue;
                }
            }
            (self.post)(checking(verifier.progress()));
            if verifier.finish_ready(&mut advised) > 0 && !verifier.finished() {
                (self.post)(Response::Advised {
                    request,
                    scenarios: advised.scenarios.clone(),
                    fixes_ms: None,
                    by_helpers,
                });
            }
        }
        verifier.finish(&mut advised);
        (self.post)(Response::Advised {
            request,
            scenarios: advised.scenarios,
            fixes_ms: Some(now_ms() - started),
            by_helpers,
        });
    }
}

/// The grade whose fixes are tested: its request, kata and seed.
#[derive(Clone, Copy)]
struct Advising<'a> {
    request: u64,
    kata: &'a Kata,
    kata_ref: &'a KataRef,
    seed: u64,
    /// How long its grade took, milliseconds.
    took_ms: f64,
}

/// Lets the event loop run (messages, timers) before going on.
async fn yield_now() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}
