//! The example course page embeds the playground in an iframe; a passing
//! design loaded into the iframe must reach the page as a `graded` message.

use e2e::{artifacts_dir, serve_and_open, workspace_root};
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
    let text = std::fs::read_to_string(
        workspace_root().join("katas/status-dashboard/designs/reference.json"),
    )
    .expect("the reference design");
    let reference = design::format::parse(&text).expect("parses").design;
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

    let png = browser.screenshot().expect("screenshot");
    std::fs::write(artifacts_dir().join("course-page.png"), png).expect("save");
    browser.assert_no_console_errors();
}
