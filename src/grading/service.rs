//! The grading service: what runs in the worker (and, in the browser
//! tests, in the page). It grades the latest request, answers, then tests
//! the failed scenarios' candidate fixes one grade at a time, yielding to
//! its event loop between them so a newer request is seen and supersedes
//! the rest.
//!
//! Invariants: only the latest request is ever worked on (older ones
//! waiting behind it are dropped unread); every answer names the
//! request it belongs to (by number).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use sim::grade::{Grade, Verifier};
use sim::kata::Kata;

use super::now_ms;
use super::protocol::{self, KataRef, Request, Response};

/// Where the service's answers go.
pub type Post = Rc<dyn Fn(Response)>;

/// The service's state, shared by its message handler and its work loop.
pub struct Service {
    inbox: RefCell<Option<Request>>,
    running: Cell<bool>,
    /// Each kata read so far, built in or given as data.
    katas: RefCell<HashMap<KataRef, Rc<Kata>>>,
    post: Post,
}

impl Service {
    /// A service that answers through `post`.
    pub fn new(post: Post) -> Rc<Self> {
        Rc::new(Service {
            inbox: RefCell::new(None),
            running: Cell::new(false),
            katas: RefCell::new(HashMap::new()),
            post,
        })
    }

    /// Takes a request: it replaces any request not started yet, and the
    /// work loop starts if it was idle.
    pub fn receive(self: &Rc<Self>, request: Request) {
        self.inbox.replace(Some(request));
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

    /// The kata `which` names, read once: a built-in one by id, or one
    /// given as data; why it cannot be read, in words.
    fn kata(&self, which: &KataRef) -> Result<Rc<Kata>, String> {
        if let Some(kata) = self.katas.borrow().get(which) {
            return Ok(kata.clone());
        }
        let kata = match which {
            KataRef::BuiltIn(id) => sim::kata::load(id),
            KataRef::Given(data) => Kata::from_json(&data.kata_json, &data.starter_json),
        }
        .map(Rc::new)
        .map_err(|e| e.to_string())?;
        self.katas.borrow_mut().insert(which.clone(), kata.clone());
        Ok(kata)
    }

    async fn work(&self) {
        loop {
            // Let messages that arrived meanwhile land first: only the
            // latest is worked on.
            yield_now().await;
            let Some(request) = self.inbox.take() else {
                (self.post)(Response::Idle);
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
                    let kata = match self.kata(&kata) {
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
                        self.test_fixes(request, &design, &kata, seed, graded).await;
                    }
                }
            }
        }
    }

    /// Tests `graded`'s candidate fixes a grade per turn of the event
    /// loop, answering each time a scenario's fix is settled; stops as
    /// soon as a newer request waits.
    async fn test_fixes(
        &self,
        request: u64,
        design: &design::Design,
        kata: &Kata,
        seed: u64,
        mut advised: Grade,
    ) {
        let started = now_ms();
        let mut verifier = Verifier::new(design, kata, seed, &advised);
        let checking = |(done, total): (usize, usize)| Response::Checking {
            request,
            done,
            total,
        };
        (self.post)(checking(verifier.progress()));
        loop {
            yield_now().await;
            if self.superseded() {
                return;
            }
            match verifier.step() {
                Ok(more) => {
                    (self.post)(checking(verifier.progress()));
                    if !more {
                        break;
                    }
                    if verifier.finish_ready(&mut advised) > 0 {
                        (self.post)(Response::Advised {
                            request,
                            scenarios: advised.scenarios.clone(),
                            fixes_ms: None,
                        });
                    }
                }
                // The kata graded this design once already, so it cannot
                // fail now; if it does, what was tested so far is the
                // answer (the rest counts as not helping).
                Err(_) => break,
            }
        }
        verifier.finish(&mut advised);
        (self.post)(Response::Advised {
            request,
            scenarios: advised.scenarios,
            fixes_ms: Some(now_ms() - started),
        });
    }
}

/// Lets the event loop run (messages, timers) before going on.
async fn yield_now() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}
