//! How requests reach a grading service: a Web Worker on the site, the
//! page itself in the browser tests. The page picks one when it mounts
//! (see [`Connect`]); nothing else knows which.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::protocol::{self, Request, Response};
use super::service::{Post, Service};
use crate::later;

/// A way to send requests to a grading service.
pub trait Transport {
    /// Sends a request (held until the service is ready).
    fn send(&self, request: Request);
    /// Stops whatever the service is computing and starts it afresh (a
    /// grade cannot be interrupted from inside: the worker is replaced).
    fn restart(&self);
}

/// Makes a transport whose answers go to the given callback. Provided as
/// context to choose the transport (the app uses [`worker`] when none is).
/// A plain function, so it can be context (which must be `Send`).
#[derive(Clone, Copy)]
pub struct Connect(pub fn(Post) -> Result<Rc<dyn Transport>, String>);

/// The file trunk writes for the worker binary (`src/bin/worker.rs`):
/// it loads the worker's JS glue and wasm.
const WORKER_SCRIPT: &str = "worker_loader.js";

/// Where `index.html`'s inline script leaves the worker it starts early.
const EARLY_WORKER: &str = "__gradingWorker";

/// The inline script's function that starts that worker (at most once):
/// it waits for the page's wasm to download, and the page may mount
/// before the script has seen that.
const START_EARLY_WORKER: &str = "__startGradingWorker";

/// Grading in a Web Worker (the site).
pub fn worker() -> Connect {
    Connect(|post| {
        let transport = WorkerTransport::new(post);
        if !transport.adopt_early() {
            transport.spawn()?;
        }
        Ok(transport as Rc<dyn Transport>)
    })
}

/// Grading on the page's own thread: the browser tests, which have no
/// built worker to load. The site never uses it.
pub fn in_page() -> Connect {
    Connect(|post| {
        Ok(Rc::new(InPage {
            post: post.clone(),
            service: RefCell::new(Service::new(post)),
        }) as Rc<dyn Transport>)
    })
}

struct WorkerTransport {
    /// Itself, for answers read later (see `receive`).
    this: std::rc::Weak<WorkerTransport>,
    /// How many workers this transport has installed: an answer read
    /// later is dropped if its worker has been replaced meanwhile.
    generation: Cell<u64>,
    post: Post,
    worker: RefCell<Option<web_sys::Worker>>,
    /// Whether the current worker said it is ready.
    ready: Cell<bool>,
    /// The latest request made before the worker was ready.
    held: RefCell<Option<Request>>,
    /// Answers waiting to be handed to the page behind a grade that is
    /// shown a task after it was read (see `deliver`); `None` when none
    /// waits.
    behind_grade: Rc<RefCell<Option<Vec<Response>>>>,
    /// The one message listener, shared by every worker this transport
    /// starts.
    listener: Closure<dyn Fn(web_sys::MessageEvent)>,
    /// The one error listener: a worker that cannot load, or stops on an
    /// error, is reported as [`Response::Failed`].
    on_error: Closure<dyn Fn(web_sys::Event)>,
}

impl Drop for WorkerTransport {
    fn drop(&mut self) {
        // The listeners die with the transport: the worker must not call
        // them afterwards.
        if let Some(worker) = self.worker.take() {
            worker.set_onmessage(None);
            worker.set_onerror(None);
            worker.terminate();
        }
    }
}

impl WorkerTransport {
    fn new(post: Post) -> Rc<Self> {
        Rc::new_cyclic(|this: &std::rc::Weak<WorkerTransport>| {
            // Weak: the listeners must not keep the transport alive.
            let for_messages = this.clone();
            let listener =
                Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                    if let Some(this) = for_messages.upgrade() {
                        this.receive(&ev);
                    }
                });
            let for_errors = this.clone();
            let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
                let Some(this) = for_errors.upgrade() else {
                    return;
                };
                this.failed(&ev);
            });
            WorkerTransport {
                this: this.clone(),
                generation: Cell::new(0),
                post,
                worker: RefCell::new(None),
                ready: Cell::new(false),
                held: RefCell::new(None),
                behind_grade: Rc::new(RefCell::new(None)),
                on_error,
                listener,
            }
        })
    }

    /// Starts a worker, replacing (terminating) the current one.
    fn spawn(&self) -> Result<(), String> {
        // The page's query goes on, as index.html's worker has it (the
        // worker reads `?helpers=` in it).
        let search = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        let worker = web_sys::Worker::new(&format!("{WORKER_SCRIPT}{search}")).map_err(|e| {
            format!(
                "the grading worker could not start ({})",
                e.as_string().unwrap_or_else(|| format!("{e:?}"))
            )
        })?;
        self.install(worker);
        Ok(())
    }

    /// Makes `worker` the current one, listened to and not yet ready,
    /// terminating the one it replaces.
    fn install(&self, worker: web_sys::Worker) {
        worker.set_onmessage(Some(self.listener.as_ref().unchecked_ref()));
        worker.set_onerror(Some(self.on_error.as_ref().unchecked_ref()));
        self.ready.set(false);
        self.generation.set(self.generation.get() + 1);
        if let Some(old) = self.worker.replace(Some(worker)) {
            old.terminate();
        }
    }

    /// Takes over the worker `index.html` started once the page's own
    /// wasm had downloaded (`window.__gradingWorker`: the worker and the
    /// messages it sent before the page listened), asking the script to
    /// start it now if it has not yet, so the engine's wasm is already on
    /// its way when the page mounts. False if there is none.
    fn adopt_early(&self) -> bool {
        let global = js_sys::global();
        if let Some(start) = js_sys::Reflect::get(&global, &START_EARLY_WORKER.into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        {
            // Started now unless it already was; a script error only
            // means the page starts its own below.
            let _ = start.call0(&global);
        }
        let key = JsValue::from_str(EARLY_WORKER);
        let Ok(early) = js_sys::Reflect::get(&global, &key) else {
            return false;
        };
        let worker = js_sys::Reflect::get(&early, &"worker".into())
            .ok()
            .and_then(|w| w.dyn_into::<web_sys::Worker>().ok());
        let Some(worker) = worker else {
            return false;
        };
        let _ = js_sys::Reflect::delete_property(global.unchecked_ref::<js_sys::Object>(), &key);
        self.install(worker);
        // What it said before the page listened (its Ready, or an error).
        let said = js_sys::Reflect::get(&early, &"early".into())
            .ok()
            .map(|v| js_sys::Array::from(&v))
            .unwrap_or_default();
        for event in said.iter() {
            if let Ok(message) = event.clone().dyn_into::<web_sys::MessageEvent>() {
                self.receive(&message);
            } else if let Ok(error) = event.dyn_into::<web_sys::Event>() {
                self.failed(&error);
            }
        }
        true
    }

    /// Reports an error event of the current worker.
    fn failed(&self, ev: &web_sys::Event) {
        if !self.is_current(ev.target()) {
            return;
        }
        let detail = ev
            .dyn_ref::<web_sys::ErrorEvent>()
            .map(|e| e.message())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "its script could not be loaded".to_string());
        self.deliver(Response::Failed {
            reason: format!("the grading worker stopped: {detail}"),
        });
    }

    /// Whether an event comes from the current worker (a replaced
    /// worker's late messages are dropped).
    fn is_current(&self, target: Option<web_sys::EventTarget>) -> bool {
        match (target, self.worker.borrow().as_ref()) {
            (Some(from), Some(worker)) => JsValue::from(from) == JsValue::from(worker.clone()),
            _ => false,
        }
    }

    /// Reads a message of the current worker. Its Ready is known by its
    /// bytes; everything else is read by the page's later part, once that
    /// has loaded (at once on every message after the first few), in the
    /// order the messages came. The part is never downloaded from here
    /// (`later::with_if_coming`): the page starts its download as it
    /// starts (`later::start_download`), the app waits for it when it
    /// mounts, before any answer can come, and asks again at its own pace
    /// if that failed. An answer that cannot be read because the part is
    /// missing is dropped: the app says so, once, and grades again with a new
    /// worker when the part comes (`app::ask_for_later_part`). The app is
    /// answered before any answer that waited for the same download, so
    /// those answers, from a broken stream, find their worker replaced
    /// and are dropped too.
    fn receive(&self, ev: &web_sys::MessageEvent) {
        if !self.is_current(ev.target()) {
            return;
        }
        let bytes = js_sys::Uint8Array::new(&ev.data()).to_vec();
        if bytes == protocol::READY_WIRE {
            self.answer(Response::Ready);
            return;
        }
        let (this, generation) = (self.this.clone(), self.generation.get());
        later::with_if_coming(move |part| {
            let Some(this) = this.upgrade() else {
                return;
            };
            // Its worker was replaced while the part loaded: stale.
            let (Ok(part), true) = (part, this.generation.get() == generation) else {
                return;
            };
            match (part.decode)(&bytes) {
                Ok(response) => this.answer(response),
                // A page and a worker from different builds (a cached
                // worker after a deploy) cannot talk: said, not ignored.
                Err(error) => this.deliver(Response::Failed {
                    reason: error.to_string(),
                }),
            }
        });
    }

    /// Acts on an answer that was read.
    fn answer(&self, response: Response) {
        if matches!(response, Response::Ready) {
            self.ready.set(true);
            if let Some(request) = self.held.take() {
                self.post_now(&request);
            }
            (self.post)(Response::Ready);
        } else {
            self.deliver(response);
        }
    }

    /// Hands an answer to the page. Reading a grade and showing it are
    /// two tasks: together they made the opening's longest task (a grade's
    /// message is some 120 KB). So a grade is shown a task after it was
    /// read, and the answers read meanwhile wait behind it, in order.
    fn deliver(&self, response: Response) {
        let mut behind_grade = self.behind_grade.borrow_mut();
        if let Some(queue) = behind_grade.as_mut() {
            queue.push(response);
            return;
        }
        if !matches!(response, Response::Graded { .. }) {
            drop(behind_grade);
            (self.post)(response);
            return;
        }
        *behind_grade = Some(vec![response]);
        drop(behind_grade);
        let (queue, post) = (self.behind_grade.clone(), self.post.clone());
        gloo_timers::callback::Timeout::new(0, move || {
            // Taken before posting: the page may answer at once.
            let answers = queue.borrow_mut().take().unwrap_or_default();
            for answer in answers {
                post(answer);
            }
        })
        .forget();
    }

    fn post_now(&self, request: &Request) {
        let Some(worker) = self.worker.borrow().clone() else {
            return;
        };
        if let Err(e) = protocol::send(request, |buffer, transfer| {
            worker.post_message_with_transfer(buffer, transfer)
        }) {
            web_sys::console::error_1(&e);
        }
    }
}

impl Transport for WorkerTransport {
    fn send(&self, request: Request) {
        if self.ready.get() {
            self.post_now(&request);
        } else {
            self.held.replace(Some(request));
        }
    }

    fn restart(&self) {
        web_sys::console::info_1(&"grading worker replaced".into());
        if let Err(error) = self.spawn() {
            (self.post)(Response::Failed { reason: error });
        }
    }
}

struct InPage {
    post: Post,
    service: RefCell<Rc<Service>>,
}

impl Transport for InPage {
    fn send(&self, request: Request) {
        self.service.borrow().receive(request);
    }

    fn restart(&self) {
        // The page's own thread is never interrupted mid-grade, so there is
        // nothing to stop: a fresh service simply forgets the old one.
        self.service.replace(Service::new(self.post.clone()));
    }
}
