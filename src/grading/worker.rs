//! The worker's side: listens for requests on the worker's global scope
//! and answers through it. `src/bin/worker.rs` calls [`serve`].

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::helpers;
use super::protocol::{self, Request, Response, Wire};
use super::service::Service;

/// Runs the grading service in this Web Worker until it is terminated
/// (or, in a worker named [`helpers::HELPER_NAME`], grades what the
/// grading worker hands it: see `helpers.rs`).
pub fn serve() {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    if scope.name() == helpers::HELPER_NAME {
        helpers::serve_as_helper(scope);
        return;
    }
    let asked = helpers::asked(&scope.location().search());
    let count = helpers::how_many(asked, scope.navigator().hardware_concurrency());
    let answer = scope.clone();
    let service = Service::with_helpers(
        Rc::new(move |response: Response| post(&answer, &response)),
        count,
    );
    let listener =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            match protocol::from_event::<Request>(&ev) {
                Ok(request) => service.receive(request),
                Err(error) => web_sys::console::error_1(&error.to_string().into()),
            }
        });
    scope.set_onmessage(Some(listener.as_ref().unchecked_ref()));
    // The worker lives as long as the page keeps it: so does its listener.
    listener.forget();
    // Messages sent before the wasm loaded were dropped: say we listen.
    post(&scope, &Response::Ready);
}

/// Posts `message` from this worker to whoever started it, its buffer
/// transferred; a failure is said in the console (the other side then
/// sees no answer, and copes: see `transport.rs` and `helpers.rs`).
pub(crate) fn post<T: Wire>(scope: &web_sys::DedicatedWorkerGlobalScope, message: &T) {
    if let Err(e) = protocol::send(message, |buffer, transfer| {
        scope.post_message_with_transfer(buffer, transfer)
    }) {
        web_sys::console::error_1(&e);
    }
}
