//! The grading service as the page talks to it, in headless Chromium:
//! grades survive the wire form unchanged, only the latest request is
//! worked on, and fixes are tested after the grade.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use playground::grading::protocol::{self, Request, Response};
use playground::grading::service::Service;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn kata() -> sim::kata::Kata {
    sim::kata::load("status-dashboard").unwrap()
}

fn request(number: u64, design: design::Design) -> Request {
    Request::Grade {
        request: number,
        kata: "status-dashboard".into(),
        seed: 1,
        design,
    }
}

/// A service whose answers are collected in a list.
fn service() -> (Rc<Service>, Rc<RefCell<Vec<Response>>>) {
    let answers = Rc::new(RefCell::new(Vec::new()));
    let sink = answers.clone();
    let service = Service::new(Rc::new(move |r| sink.borrow_mut().push(r)));
    (service, answers)
}

/// Waits (up to 20 s) until the service says it is idle.
async fn until_idle(answers: &Rc<RefCell<Vec<Response>>>) {
    for _ in 0..2000 {
        if answers.borrow().last() == Some(&Response::Idle) {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
    panic!("the service never went idle: {:?}", answers.borrow().len());
}

#[wasm_bindgen_test]
fn a_grade_with_its_reports_and_advice_survives_the_wire_unchanged() {
    let kata = sim::kata::load("status-dashboard").unwrap();
    let grade = sim::grade::advise(&kata.starter, &kata, 1).unwrap();
    assert!(!grade.all_passed(), "the starter fails, so it has advice");
    let mut sent = grade.clone();
    let series = protocol::pack_series(&mut sent);
    let message = Response::Graded {
        request: 7,
        grade: Ok(sent),
        series,
        took_ms: 1.5,
    };
    let bytes = protocol::encode(&message).unwrap();
    let back: Response = protocol::decode(&bytes).unwrap();
    // Compared as bytes too: the same message encodes the same way.
    assert_eq!(protocol::encode(&back).unwrap(), bytes);
    let Response::Graded {
        grade: Ok(mut back),
        series,
        ..
    } = back
    else {
        panic!("a grade")
    };
    protocol::unpack_series(&mut back, series).unwrap();
    assert_eq!(back.scenarios, grade.scenarios);
    // Bit for bit: the report's fingerprint hashes its exact contents.
    for (a, b) in grade.runs.iter().zip(&back.runs) {
        assert_eq!(a.report.fingerprint(), b.report.fingerprint());
    }
    let req = request(3, kata.starter.clone());
    assert_eq!(
        protocol::decode::<Request>(&protocol::encode(&req).unwrap()).unwrap(),
        req
    );
}

/// The page writes its requests itself (`Wire::json` for `Request`): the
/// very text `serde_json` writes from the derived `Serialize`, for a
/// built-in kata and a kata given as data, numbers at their limits, and
/// texts that need escaping.
#[wasm_bindgen_test]
fn the_page_writes_requests_as_serde_json_does() {
    let mut odd = kata().starter;
    odd.nodes[0].label = "Café \"A\" \\ \u{1}\n\t😀".to_string();
    odd.nodes[0].position.x = 0.1 + 1.0 / 3.0;
    let given = protocol::KataData {
        kata_json: "{\"id\": \"x\"}\n".into(),
        starter_json: "{}\u{7f}\u{1f}".into(),
    };
    for (number, kata, seed) in [
        (1, protocol::KataRef::from("status-dashboard"), 1),
        (u64::MAX, protocol::KataRef::Given(given), u64::MAX),
        (0, protocol::KataRef::from(""), 9_007_199_254_740_993),
    ] {
        let req = Request::Grade {
            request: number,
            kata,
            seed,
            design: odd.clone(),
        };
        let bytes = protocol::encode(&req).unwrap();
        assert_eq!(
            std::str::from_utf8(&bytes[4..]).unwrap(),
            serde_json::to_string(&req).unwrap()
        );
        // (It reads back; the label's control characters are then
        // repaired, as in a file.)
        assert!(protocol::decode::<Request>(&bytes).is_ok());
    }
}

/// A request carries its design as the design document (the text the
/// page writes for autosave and files), and every kind of design reads
/// back exactly: each canonical design, and one with fractional positions
/// and settings.
#[wasm_bindgen_test]
fn a_request_carries_its_design_as_the_design_document() {
    let mut designs: Vec<design::Design> = [
        include_str!("../katas/status-dashboard/designs/reference.json"),
        include_str!("../katas/status-dashboard/designs/serverless-no-limit.json"),
        include_str!("../katas/status-dashboard/designs/purge-no-collapse-no-shield.json"),
        include_str!("../katas/status-dashboard/designs/starter.json"),
    ]
    .iter()
    .map(|text| design::format::parse(text).unwrap().design)
    .collect();
    let mut odd = designs[0].clone();
    for (i, node) in odd.nodes.iter_mut().enumerate() {
        node.position.x += 0.1 + i as f64 / 3.0;
        node.position.y -= 1e-7;
    }
    let api = odd
        .nodes
        .iter()
        .find(|n| n.kind == design::NodeKind::Api)
        .map(|n| n.id.clone())
        .unwrap();
    let node = odd.node_mut(&api).unwrap();
    node.set_param("target_util", 0.65).unwrap();
    node.set_param("service_ms", 12.3).unwrap();
    designs.push(odd);
    for d in designs {
        let req = request(9, d.clone());
        let bytes = protocol::encode(&req).unwrap();
        let json = std::str::from_utf8(&bytes[4..]).unwrap();
        let document = serde_json::to_string(&design::format::to_json(&d)).unwrap();
        assert!(json.contains(&document), "{json}");
        let Request::Grade { design: back, .. } = protocol::decode::<Request>(&bytes).unwrap();
        assert_eq!(back, d);
    }
    // A design that is not a document is an error in words.
    let json = br#"{"Grade":{"request":1,"kata":"status-dashboard","seed":1,"design":"nope"}}"#;
    let mut bytes = (json.len() as u32).to_le_bytes().to_vec();
    bytes.extend_from_slice(json);
    let error = protocol::decode::<Request>(&bytes).unwrap_err();
    assert!(
        error.to_string().contains("the design could not be read"),
        "{error}"
    );
}

#[wasm_bindgen_test]
fn garbage_on_the_wire_is_an_error_in_words_not_a_panic() {
    let error = protocol::decode::<Request>(&[0xc1, 0x00, 0x13]).unwrap_err();
    assert!(error.to_string().contains("could not be read"), "{error}");

    // A grade whose bulk bytes were cut short, or have bytes to spare,
    // and a request followed by bytes it does not carry.
    let kata = kata();
    let mut grade = sim::grade::grade(&kata.starter, &kata, 1).unwrap();
    let series = protocol::pack_series(&mut grade);
    let graded = Response::Graded {
        request: 1,
        grade: Ok(grade),
        series,
        took_ms: 1.0,
    };
    let bytes = protocol::encode(&graded).unwrap();
    let short = protocol::decode::<Response>(&bytes[..bytes.len() - 4]).unwrap_err();
    assert!(
        short.to_string().contains("shorter than its columns"),
        "{short}"
    );
    let mut long = bytes.clone();
    long.extend_from_slice(&[0; 4]);
    let long = protocol::decode::<Response>(&long).unwrap_err();
    assert!(
        long.to_string().contains("longer than its columns"),
        "{long}"
    );
    let cut = protocol::decode::<Response>(&bytes[..40]).unwrap_err();
    assert!(cut.to_string().contains("arrived with 36"), "{cut}");
    let mut sent = protocol::encode(&request(2, kata.starter.clone())).unwrap();
    sent.push(0);
    let extra = protocol::decode::<Request>(&sent).unwrap_err();
    assert!(extra.to_string().contains("is followed by 1"), "{extra}");
}

#[wasm_bindgen_test]
async fn only_the_latest_request_is_graded_and_its_fixes_follow() {
    let kata = kata();
    let (service, answers) = service();
    // Three requests in one turn of the event loop: the first two are
    // superseded before the service starts.
    service.receive(request(1, kata.starter.clone()));
    service.receive(request(2, kata.starter.clone()));
    service.receive(request(3, kata.starter.clone()));
    until_idle(&answers).await;
    let answers = answers.borrow();
    let started: Vec<u64> = answers
        .iter()
        .filter_map(|r| match r {
            Response::Started { request } => Some(*request),
            _ => None,
        })
        .collect();
    assert_eq!(started, vec![3]);
    let graded = answers
        .iter()
        .position(|r| {
            matches!(
                r,
                Response::Graded {
                    request: 3,
                    grade: Ok(_),
                    ..
                }
            )
        })
        .expect("request 3 graded");
    // The starter fails: its fixes are tested after the grade, and the last
    // advice says how long that took.
    let last_advice = answers
        .iter()
        .rposition(|r| {
            matches!(
                r,
                Response::Advised {
                    request: 3,
                    fixes_ms: Some(_),
                    ..
                }
            )
        })
        .expect("fixes tested");
    assert!(graded < last_advice);
    let Response::Advised { scenarios, .. } = &answers[last_advice] else {
        unreachable!()
    };
    let native = sim::grade::advise(&kata.starter, &kata, 1).unwrap();
    assert_eq!(scenarios, &native.scenarios, "the same advice as `advise`");
}

#[wasm_bindgen_test]
async fn a_newer_request_stops_the_testing_of_fixes() {
    let kata = kata();
    let (service, answers) = service();
    service.receive(request(1, kata.starter.clone()));
    // Wait for the grade of 1, then ask for 2 while 1's fixes are tested.
    for _ in 0..2000 {
        if answers
            .borrow()
            .iter()
            .any(|r| matches!(r, Response::Graded { request: 1, .. }))
        {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(1).await;
    }
    service.receive(request(2, kata.starter.clone()));
    until_idle(&answers).await;
    let answers = answers.borrow();
    assert!(
        !answers.iter().any(|r| matches!(
            r,
            Response::Advised {
                request: 1,
                fixes_ms: Some(_),
                ..
            }
        )),
        "request 1's fixes were not all tested once 2 was asked for"
    );
    assert!(answers.iter().any(|r| matches!(
        r,
        Response::Advised {
            request: 2,
            fixes_ms: Some(_),
            ..
        }
    )));
}

/// How many helper workers the grading worker starts: the page's
/// `?helpers=N` (read as the page reads its query, at most
/// `MAX_HELPERS`), else the cores beyond two, at least one (none on one
/// core) and at most two.
#[wasm_bindgen_test]
fn helpers_are_the_cores_beyond_two_at_least_one_unless_the_page_asks() {
    use playground::grading::helpers::{asked, how_many, MAX_HELPERS};
    assert_eq!(how_many(asked(""), 2.0), 1);
    assert_eq!(how_many(asked(""), 1.0), 0);
    assert_eq!(how_many(asked(""), 0.0), 0);
    assert_eq!(how_many(asked(""), 3.0), 1);
    assert_eq!(how_many(asked(""), 4.0), 2);
    assert_eq!(how_many(asked(""), 16.0), 2);
    assert_eq!(how_many(asked(""), f64::NAN), 0);
    assert_eq!(how_many(asked("?helpers=0"), 2.0), 0);
    assert_eq!(how_many(asked("?helpers=2"), 2.0), 2);
    assert_eq!(how_many(asked("?embed=1&helpers=0"), 8.0), 0);
    assert_eq!(how_many(asked("?helpers=9"), 2.0), MAX_HELPERS);
    assert_eq!(how_many(asked("?helpers=x"), 4.0), 2);
}

/// A helper's answer carries a candidate's outcome (what the verifier
/// reads of its grade) bit for bit, and an assignment its design exactly.
#[wasm_bindgen_test]
fn a_helper_s_assignment_and_answer_survive_the_wire() {
    use playground::grading::helpers::{Assignment, Graded, Said};
    let kata = kata();
    let grade = sim::grade::grade(&kata.starter, &kata, 1).unwrap();
    let answer = Graded {
        request: 4,
        index: 2,
        outcome: Ok(grade.into()),
    };
    let said = Said::Graded(answer);
    let back: Said = protocol::decode(&protocol::encode(&said).unwrap()).unwrap();
    assert_eq!(back, said);
    let ready: Said = protocol::decode(&protocol::encode(&Said::Ready).unwrap()).unwrap();
    assert_eq!(ready, Said::Ready);
    let designs = [
        include_str!("../katas/status-dashboard/designs/serverless-no-limit.json"),
        include_str!("../katas/status-dashboard/designs/starter.json"),
    ];
    for text in designs {
        let assignment = Assignment {
            request: 4,
            index: 2,
            kata: "status-dashboard".into(),
            seed: 1,
            design: design::format::parse(text).unwrap().design,
        };
        let back: Assignment = protocol::decode(&protocol::encode(&assignment).unwrap()).unwrap();
        assert_eq!(back, assignment);
    }
}

/// A helper that cannot start (here there is no worker script to load)
/// gives its candidates back: the service grades them itself, and the
/// advice is what testing every fix in one thread gives.
#[wasm_bindgen_test]
async fn a_helper_that_fails_gives_its_fixes_back() {
    let kata = kata();
    let answers = Rc::new(RefCell::new(Vec::new()));
    let sink = answers.clone();
    let service = Service::with_helpers(Rc::new(move |r| sink.borrow_mut().push(r)), 2);
    service.receive(request(5, kata.starter.clone()));
    until_idle(&answers).await;
    let expected = sim::grade::advise(&kata.starter, &kata, 1).unwrap();
    let answers = answers.borrow();
    let last = answers
        .iter()
        .rev()
        .find_map(|r| match r {
            Response::Advised {
                request: 5,
                scenarios,
                fixes_ms: Some(_),
                ..
            } => Some(scenarios),
            _ => None,
        })
        .expect("the fixes were tested to the end");
    assert_eq!(last, &expected.scenarios);
    assert!(answers.iter().all(|r| !matches!(
        r,
        Response::Advised { by_helpers, .. } if *by_helpers > 0
    )));
}

/// The page knows the worker's Ready by its bytes alone (so its first
/// request need not wait for the part that reads answers): those bytes
/// must be what the worker sends.
#[wasm_bindgen_test]
fn ready_on_the_wire_is_the_bytes_the_page_knows_it_by() {
    assert_eq!(
        protocol::encode(&Response::Ready).unwrap(),
        protocol::READY_WIRE
    );
    // And nothing else is: a message the part must read.
    let started = protocol::encode(&Response::Started { request: 1 }).unwrap();
    assert_ne!(started, protocol::READY_WIRE);
}

/// The page's later part answers those who ask for it in the order they
/// asked, including one that asks while being answered, and at once once
/// it is loaded; `later::now` has it from the moment it is downloaded; it
/// reads the worker's answers as the wire form says. The worker's answers
/// (`with_if_coming`) never start its download; the download the page
/// starts early (`start_download`) is the one the callers wait for. The
/// part adds its styles to the page as it comes.
#[wasm_bindgen_test]
async fn the_later_part_answers_in_order_and_at_once_when_loaded() {
    use playground::later;
    let not_coming = Rc::new(RefCell::new(None));
    let put = not_coming.clone();
    later::with_if_coming(move |part| *put.borrow_mut() = Some(part.is_ok()));
    assert_eq!(
        *not_coming.borrow(),
        Some(false),
        "not asked for: answered at once, without a download"
    );
    assert!(
        later::now().is_none(),
        "not downloaded: nothing to take at once"
    );
    // The page starts the download before anyone waits for it; the
    // callers then wait for that download, the worker's answers too.
    later::start_download();
    assert!(later::is_coming(), "the download is under way");
    let order = Rc::new(RefCell::new(Vec::new()));
    for caller in 0..3 {
        let order = order.clone();
        let then = move |part: Result<later::Later, later::PartError>| {
            assert!(part.is_ok(), "the part loads");
            assert!(
                later::now().is_some(),
                "what the part brought can take it at once, while the callers are answered"
            );
            order.borrow_mut().push(caller);
            if caller == 1 {
                let order = order.clone();
                later::with(move |_| order.borrow_mut().push(10));
            }
        };
        // The last would not start a download: it waits for the one under
        // way, as the first two do.
        if caller < 2 {
            later::with(then);
        } else {
            later::with_if_coming(then);
        }
    }
    for _ in 0..100 {
        if order.borrow().len() == 4 {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(1).await;
    }
    let order = order.borrow().clone();
    assert_eq!(
        order,
        vec![0, 1, 2, 10],
        "callers are answered in the order they asked"
    );
    let answered = Rc::new(RefCell::new(None));
    let put = answered.clone();
    later::with(move |part| {
        let part = part.expect("loaded");
        let bytes = protocol::encode(&Response::Checking {
            request: 7,
            done: 2,
            total: 5,
        })
        .unwrap();
        *put.borrow_mut() = Some((part.decode)(&bytes));
    });
    assert_eq!(
        answered.borrow_mut().take(),
        Some(Ok(Response::Checking {
            request: 7,
            done: 2,
            total: 5
        })),
        "once loaded, the part answers at once"
    );
    // The part brought its styles, once, after the page's own, without
    // style/later.css's comments.
    let document = web_sys::window().unwrap().document().unwrap();
    let styles = document
        .query_selector_all(&format!("head > #{}", later::STYLE_ID))
        .unwrap();
    assert_eq!(styles.length(), 1, "the part's styles are added once");
    let text = styles.item(0).unwrap().text_content().unwrap_or_default();
    assert!(
        text.contains(".dialog-backdrop{") && text.contains(".palette-item{"),
        "the part's styles, with no space before a brace: {text:.200}"
    );
    assert!(!text.contains("/*"), "no comments: {text:.200}");
    assert!(
        !include_str!("../style/main.css").contains(".dialog-backdrop"),
        "the dialogs are styled by the part alone"
    );
}
