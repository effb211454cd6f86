//! The example course page embeds the playground in an iframe; a passing
//! design loaded into the iframe must reach the page as a `graded` message.
//! Every step of `docs/embed.md` is seen from the course page: `ready`, the
//! `graded` messages of each trigger (opened, load-design, run, edit) and
//! `design-changed` before the grade of an edit.

use e2e::{artifacts_dir, serve_and_open};
use serde_json::json;
use std::time::Duration;

#[test]
fn the_course_page_receives_the_grade_of_a_passing_design() {
    let (_server, browser) = serve_and_open("course-example.html", 1440, 1400);

    // The embed says it is ready, then grades the starter design it shows.
    browser
        .wait_for(
            "return document.getElementById('status').textContent.includes('ready')",
            Duration::from_secs(30),
        )
        .expect("the playground posted `ready`");
    browser
        .wait_for(
            "return document.querySelectorAll('#grades li').length >= 1",
            Duration::from_secs(60),
        )
        .expect("the starter design was graded");
    let first = browser
        .execute(
            "const li = document.querySelector('#grades li'); return [li.dataset.raw, li.dataset.trigger];",
            vec![],
        )
        .unwrap();
    assert_ne!(
        first[0],
        json!("4"),
        "the starter design does not pass everything"
    );
    assert_eq!(
        first[1],
        json!("opened"),
        "the first grade is marked as the design the page opened with"
    );

    // The course page loads the reference design into the iframe.
    let reference = e2e::canonical_design("reference");
    let share = design::share::encode(&reference, "status-dashboard", 1);
    browser
        .execute(
            "document.getElementById('playground').contentWindow.postMessage(\
               { source: 'kata-playground', v: 1, type: 'load-design', design: arguments[0] }, location.origin);",
            vec![json!(share)],
        )
        .expect("post load-design");
    browser
        .wait_for(
            "return document.querySelector('#grades li.success')",
            Duration::from_secs(60),
        )
        .expect("a `graded` message with success arrived");
    let text = browser
        .execute(
            "return document.querySelector('#grades li.success').textContent",
            vec![],
        )
        .unwrap();
    assert!(text.as_str().unwrap_or("").contains("4 of 4"), "{text}");
    let trigger = browser
        .execute(
            "return document.querySelector('#grades li.success').dataset.trigger",
            vec![],
        )
        .unwrap();
    assert_eq!(trigger, json!("load-design"));

    // Pressing Run in the playground reports the grade again, as a run.
    let before = browser
        .execute(
            "return document.querySelectorAll('#grades li').length",
            vec![],
        )
        .unwrap();
    browser
        .execute(
            "document.getElementById('playground').contentDocument \
               .querySelector('[data-action=\"run\"]').click();",
            vec![],
        )
        .expect("press Run in the playground");
    browser
        .wait_for(
            "const li = document.querySelector('#grades li'); \
             return document.querySelectorAll('#grades li').length > arguments_length && \
                    li.dataset.trigger === 'run' && li.dataset.raw === '4';"
                .replace("arguments_length", &before.to_string())
                .as_str(),
            Duration::from_secs(10),
        )
        .expect("Run posted the grade again with trigger `run`");

    // An edit in the playground (Undo brings the starter back): the page
    // hears `design-changed`, then the edited design's grade as an edit.
    browser
        .execute(
            "window.__heard = []; \
             window.addEventListener('message', e => { \
               if (e.data && e.data.source === 'kata-playground') \
                 window.__heard.push(e.data.type + (e.data.trigger ? ':' + e.data.trigger : '')); });",
            vec![],
        )
        .expect("listen to the playground");
    browser
        .execute(
            "document.getElementById('playground').contentDocument \
               .querySelector('[data-action=\"undo\"]').click();",
            vec![],
        )
        .expect("press Undo in the playground");
    let heard = browser
        .wait_for(
            "return window.__heard.includes('graded:edit') && window.__heard",
            Duration::from_secs(30),
        )
        .expect("the edit was graded with trigger `edit`");
    let heard: Vec<&str> = heard
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let changed = heard.iter().position(|&m| m == "design-changed");
    let graded = heard.iter().position(|&m| m == "graded:edit");
    assert!(
        changed.is_some() && changed < graded,
        "`design-changed` comes before the edit's grade: heard {heard:?}"
    );
    let edit = browser
        .execute(
            "const li = document.querySelector('#grades li'); return [li.dataset.trigger, li.dataset.raw];",
            vec![],
        )
        .unwrap();
    assert_eq!(
        edit[0],
        json!("edit"),
        "the course page lists the edit's grade"
    );
    assert_ne!(
        edit[1],
        json!("4"),
        "the undone design is the starter again"
    );
    let status = browser
        .execute(
            "return document.getElementById('status').textContent",
            vec![],
        )
        .unwrap();
    assert!(
        status.as_str().unwrap_or("").contains("changed the design"),
        "the course page shows `design-changed`: {status}"
    );

    let png = browser.screenshot().expect("screenshot");
    std::fs::write(artifacts_dir().join("course-page.png"), png).expect("save");
    browser.assert_no_console_errors();
}

/// The page's later part (`src/later.rs`) reads the course page's messages
/// and writes the share strings they carry. While that part cannot be
/// downloaded the playground still says it is ready, and keeps a design the
/// course page sends; a change the learner makes meanwhile cannot be told,
/// so it is owed. Once the part comes the course page hears the owed
/// change, with the design then, and the design it sent is loaded and told
/// (`design-changed`) before that design's grade.
#[test]
fn a_design_sent_while_the_later_part_is_missing_is_loaded_once_it_comes() {
    let (site, later) = e2e::site_without_later_part("course-without-later");
    let server = e2e::serve::StaticServer::start(&site).expect("serve the copy");
    let browser = e2e::webdriver::Browser::start(1440, 1400).expect("start headless Chromium");
    browser
        .goto(&format!("{}course-example.html", server.url))
        .expect("open the course page");
    browser
        .wait_for(
            "return document.getElementById('status').textContent.includes('ready')",
            Duration::from_secs(30),
        )
        .expect("the playground posted `ready` without its later part");
    browser
        .execute(
            "window.__heard = []; \
             window.addEventListener('message', e => { \
               if (e.data && e.data.source === 'kata-playground') window.__heard.push(e.data); });",
            vec![],
        )
        .expect("listen to the playground");
    let starter = e2e::canonical_design("starter");
    let count_nodes = "return document.getElementById('playground').contentDocument \
         .querySelectorAll('svg.canvas g.node').length";
    browser
        .wait_for(
            &format!("{count_nodes} === {};", starter.nodes.len()),
            Duration::from_secs(10),
        )
        .expect("the playground draws the starter without its later part");

    let reference = e2e::canonical_design("reference");
    browser
        .execute(
            "document.getElementById('playground').contentWindow.postMessage(\
               { source: 'kata-playground', v: 1, type: 'load-design', design: arguments[0] }, location.origin);",
            vec![json!(design::share::encode(&reference, "status-dashboard", 1))],
        )
        .expect("post load-design");
    // The learner drags the readers meanwhile (the notice of the missing
    // part is dismissed first: it may cover the node).
    browser
        .execute(
            "const d = document.getElementById('playground').contentDocument; \
             const b = d.querySelector('.notice-area button'); if (b) b.click();",
            vec![],
        )
        .expect("dismiss the notice");
    let at = browser
        .execute(
            "const f = document.getElementById('playground'); \
             const r = f.getBoundingClientRect(); \
             const n = f.contentDocument.querySelector('[data-node=\"users\"] rect').getBoundingClientRect(); \
             return [r.left + f.clientLeft + n.left + n.width / 2, r.top + f.clientTop + n.top + n.height / 2];",
            vec![],
        )
        .expect("find the readers");
    let (x, y) = (at[0].as_f64().unwrap_or(0.0), at[1].as_f64().unwrap_or(0.0));
    browser
        .mouse_path(&[(x, y), (x + 20.0, y + 10.0), (x + 60.0, y + 40.0)])
        .expect("drag the readers");
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        browser
            .execute(count_nodes, vec![])
            .expect("count the nodes"),
        json!(starter.nodes.len()),
        "the design on screen stays until the part that reads the message comes"
    );
    let heard = browser
        .execute("return window.__heard.map(m => m.type)", vec![])
        .expect("read what the course page heard");
    assert_eq!(
        heard,
        json!([]),
        "nothing with a share string can be written without the part"
    );

    e2e::put_back_later_part(&site, &later);
    browser
        .wait_for(
            "return window.__heard.some(m => m.type === 'graded' && m.trigger === 'load-design')",
            // The page asks again 5, 15, 35 and 75 s after its first failure.
            Duration::from_secs(120),
        )
        .expect("the design sent is loaded and graded once the part has come");
    browser
        .wait_for(
            &format!("{count_nodes} === {};", reference.nodes.len()),
            Duration::from_secs(10),
        )
        .expect("the playground shows the design sent");
    // The grades of the designs before it (the starter as opened, and as
    // dragged) may come or not, depending on when the worker answers.
    let heard = browser
        .execute(
            "return window.__heard.filter(m => m.type !== 'graded' || m.trigger === 'load-design')",
            vec![],
        )
        .expect("read what the course page heard");
    let kinds: Vec<&str> = heard
        .as_array()
        .map(|all| all.iter().filter_map(|m| m["type"].as_str()).collect())
        .unwrap_or_default();
    println!("heard: {kinds:?}");
    assert_eq!(
        kinds,
        ["design-changed", "design-changed", "graded"],
        "the owed change, then the design sent, then its grade"
    );
    let told = |i: usize| {
        design::share::decode(heard[i]["share"].as_str().unwrap_or(""))
            .expect("a share string")
            .design
    };
    let owed = told(0);
    let (was, now) = (
        starter.node(&"users".into()).map(|n| n.position),
        owed.node(&"users".into()).map(|n| n.position),
    );
    assert!(
        owed.nodes.len() == starter.nodes.len() && was.is_some() && was != now,
        "the owed `design-changed` carries the starter as dragged: {was:?} → {now:?}"
    );
    assert_eq!(
        told(1),
        reference,
        "the second `design-changed` carries the design sent"
    );
    assert_eq!(told(2), reference, "the grade is of the design sent");
    let log = browser.console_log().expect("read the console");
    assert!(
        !log.iter().any(|e| e.message.contains("panicked")),
        "the page panicked: {log:?}"
    );
    let _ = std::fs::remove_dir_all(&site);
}
