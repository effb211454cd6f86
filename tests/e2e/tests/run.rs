//! Run and grade in the built site: the scenario cards must agree with the
//! native grader (`kata grade`) on the same design, and the reference
//! design must pass all four. Screenshots during playback are saved under
//! `target/e2e/`.

use e2e::webdriver::Browser;
use e2e::{artifacts_dir, open_site};
use serde_json::json;
use std::time::Duration;

const SEED: u64 = 1;

fn kata() -> sim::kata::Kata {
    sim::kata::load("status-dashboard").expect("the built-in kata")
}

/// Waits until the cards show a grade of the design on screen with every
/// failed card's fix tested, and returns each card's (scenario id, passed,
/// text).
fn graded_cards(browser: &Browser) -> Vec<(String, bool, String)> {
    browser
        .wait_for(
            "const s = document.querySelector('.results-summary'); \
             return s && !s.textContent.includes('Re-grading') && \
                    document.querySelectorAll('.scenario-card[data-passed]').length === 4 && \
                    !document.querySelector('.scenario-card .next.checking');",
            Duration::from_secs(60),
        )
        .expect("the design was graded and its fixes tested");
    let cards = browser
        .execute(
            "return [...document.querySelectorAll('.scenario-card[data-passed]')].map(c => \
               [c.dataset.scenario, c.dataset.passed === 'true', c.textContent]);",
            vec![],
        )
        .expect("read the cards");
    cards
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| {
            (
                c[0].as_str().unwrap_or("").to_string(),
                c[1].as_bool().unwrap_or(false),
                c[2].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn assert_cards_match_native_grade(browser: &Browser, design: &design::Design) {
    let native = sim::grade::advise(design, &kata(), SEED).expect("the kata grades");
    let cards = graded_cards(browser);
    assert_eq!(cards.len(), native.scenarios.len());
    for (scenario, (id, passed, text)) in native.scenarios.iter().zip(&cards) {
        assert_eq!(&scenario.id, id, "cards in the kata's order");
        assert_eq!(
            scenario.passed, *passed,
            "{id}: the page and `kata grade` disagree"
        );
        assert!(
            text.contains(&scenario.measured.text),
            "{id}: card shows {text:?}, native measured {:?}",
            scenario.measured.text
        );
        // The fix the page tested is the one tested natively, with the
        // same measured effect.
        match &scenario.advice {
            sim::grade::Advice::Tested(t) => {
                assert!(
                    text.contains(&t.fix.text),
                    "{id}: {text:?} lacks {:?}",
                    t.fix.text
                );
                assert!(
                    text.contains(&t.effect),
                    "{id}: {text:?} lacks {:?}",
                    t.effect
                );
            }
            _ => {
                if let Some(next) = &scenario.next_step {
                    assert!(text.contains(next.as_str()), "{id}: the next step is shown");
                }
            }
        }
    }
}

/// A number the grade's summary carries in its `data-` attribute `key`
/// (camel case, as `dataset` names it); NaN when there is none.
fn summary_number(browser: &Browser, key: &str) -> f64 {
    page_number(
        browser,
        "return parseFloat(document.querySelector('.results-summary').dataset[arguments[0]])",
        vec![json!(key)],
    )
}

/// The number `script` returns in the page (NaN when it returns none).
fn page_number(browser: &Browser, script: &str, args: Vec<serde_json::Value>) -> f64 {
    browser
        .execute(script, args)
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(f64::NAN)
}

/// How long the page took to test the fixes after the grade, ms.
fn fixes_ms(browser: &Browser) -> f64 {
    summary_number(browser, "fixesMs")
}

fn grade_ms(browser: &Browser) -> f64 {
    summary_number(browser, "gradeMs")
}

/// Opens the link to `d` made of `prefix` (the site's address up to the
/// hash) and its share code, keeps the link's design if the page asks,
/// and waits until it is on the canvas.
fn open_link(browser: &Browser, prefix: &str, d: &design::Design) {
    let link = format!(
        "{prefix}{}",
        design::share::encode(d, "status-dashboard", SEED)
    );
    browser.goto(&link).expect("open the link");
    if browser
        .wait_for(
            "return document.querySelector('[data-choice=\"link\"]')",
            Duration::from_secs(5),
        )
        .is_ok()
    {
        browser.click_first("[data-choice=\"link\"]");
    }
    browser
        .wait_for(
            &format!(
                "return document.querySelectorAll('svg.canvas g.node').length === {}",
                d.nodes.len()
            ),
            Duration::from_secs(30),
        )
        .expect("the design is on the canvas");
}

fn watch_and_shoot(browser: &Browser, name: &str) {
    browser
        .mouse_path(&[browser.centre_of("[data-action=\"run\"]").unwrap()])
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500)); // 90 simulated seconds at 60×
    let playing = browser
        .execute(
            "return document.querySelector('svg.canvas').classList.contains('playing')",
            vec![],
        )
        .unwrap();
    assert_eq!(
        playing,
        json!(true),
        "the canvas animates while the run plays"
    );
    browser
        .execute("const r = document.querySelector('input[type=range]'); r.value = 1200; r.dispatchEvent(new Event('input', {bubbles: true}));", vec![])
        .unwrap(); // scrub to minute 20, the burst
    std::thread::sleep(Duration::from_millis(300));
    let png = browser.screenshot().expect("screenshot");
    std::fs::write(artifacts_dir().join(name), png).expect("save the screenshot");
}

#[test]
fn cards_agree_with_kata_grade_and_the_reference_passes_all_four() {
    let (server, browser) = open_site(1440, 1100);

    // The starter design: graded in the page exactly as natively.
    let starter = kata().starter;
    assert_cards_match_native_grade(&browser, &starter);
    let starter_ms = grade_ms(&browser);
    let starter_fixes_ms = fixes_ms(&browser);
    watch_and_shoot(&browser, "run-starter.png");
    let badges = browser
        .execute(
            "return document.querySelectorAll('svg.canvas .error-badge').length",
            vec![],
        )
        .unwrap();
    assert!(
        badges.as_u64().unwrap_or(0) >= 1,
        "a failing node carries an error badge"
    );

    // The reference design, opened from a link: 4 of 4.
    let reference = e2e::canonical_design("reference");
    let link = format!(
        "{}#{}",
        server.url,
        design::share::encode(&reference, "status-dashboard", SEED)
    );
    browser.goto(&link).expect("open the link");
    // Same page, new hash: the playground asks before replacing the design.
    browser
        .wait_for(
            "return document.querySelector('[data-choice=\"link\"]')",
            Duration::from_secs(10),
        )
        .expect("asked whether to open the link");
    browser
        .mouse_path(&[browser.centre_of("[data-choice=\"link\"]").unwrap()])
        .unwrap();
    browser
        .wait_for(
            "return document.querySelectorAll('svg.canvas g.node').length > 4",
            Duration::from_secs(30),
        )
        .expect("the reference design is on the canvas");
    assert_cards_match_native_grade(&browser, &reference);
    let summary = browser
        .execute(
            "return document.querySelector('.results-summary').textContent",
            vec![],
        )
        .unwrap();
    assert!(
        summary
            .as_str()
            .unwrap_or("")
            .contains("All 4 scenarios pass"),
        "summary: {summary}"
    );
    let reference_ms = grade_ms(&browser);
    watch_and_shoot(&browser, "run-reference.png");
    let labels = browser
        .execute("return [...document.querySelectorAll('svg.canvas .live-label')].map(t => t.textContent).join(' | ')", vec![])
        .unwrap();
    let labels = labels.as_str().unwrap_or("");
    assert!(
        labels.contains("% at edge"),
        "the CDN shows its edge share: {labels}"
    );
    assert!(labels.contains("lag "), "a replica shows its lag: {labels}");

    // Selecting a node shows its part in the run: metrics and waterfall.
    let api = reference
        .nodes
        .iter()
        .find(|n| n.kind == design::NodeKind::Api)
        .expect("the reference has an API");
    browser
        .mouse_path(&[browser
            .centre_of(&format!("[data-node=\"{}\"] rect", api.id))
            .unwrap()])
        .unwrap();
    browser
        .wait_for(
            "return document.querySelector('.node-run .waterfall')",
            Duration::from_secs(5),
        )
        .expect("the inspector shows the node in the run");
    let png = browser.screenshot().expect("screenshot");
    std::fs::write(artifacts_dir().join("run-inspector.png"), png).expect("save the screenshot");

    // The same design graded again in the same page (undo to the starter,
    // redo to the reference): the browser has compiled the engine by then.
    let passes = "return document.querySelector('.results-summary').textContent.includes('All 4 scenarios pass')";
    browser.click_first("[data-action=\"undo\"]");
    browser
        .wait_for(
            &passes.replace("return ", "return !"),
            Duration::from_secs(10),
        )
        .expect("undo brings the starter back, graded");
    browser.click_first("[data-action=\"redo\"]");
    browser
        .wait_for(passes, Duration::from_secs(10))
        .expect("redo brings the reference back, graded");
    let again_ms = grade_ms(&browser);
    assert!(again_ms.is_finite() && again_ms >= 0.0, "{again_ms}");

    println!("grade in the page (release wasm): starter {starter_ms:.1} ms, reference {reference_ms:.1} ms, reference again {again_ms:.1} ms; the starter's fixes tested {starter_fixes_ms:.0} ms after its grade");
    browser.assert_no_console_errors();
}

/// From the starter, pressing only "Apply this fix" on the first failed
/// card reaches 4 of 4 within 8 presses; every press is one undoable edit.
#[test]
fn pressing_only_apply_from_the_starter_reaches_four_of_four() {
    let (_server, browser) = open_site(1440, 1100);
    let mut presses = Vec::new();
    let mut waits = Vec::new();
    loop {
        let cards = graded_cards(&browser);
        waits.push(fixes_ms(&browser));
        if cards.iter().all(|c| c.1) {
            break;
        }
        assert!(
            presses.len() < 8,
            "still failing after 8 presses: {presses:#?}"
        );
        let fix = browser
            .execute(
                "const b = document.querySelector('.scenario-card.failed .apply-fix'); \
                 if (!b) return null; \
                 const t = b.closest('.scenario-card').querySelector('.next').textContent; \
                 b.click(); return t;",
                vec![],
            )
            .expect("press Apply");
        let fix = fix
            .as_str()
            .unwrap_or_else(|| panic!("a failed card without a fix to apply after {presses:#?}"))
            .to_string();
        presses.push(fix);
        // The press is an edit: the grade goes out of date, then comes back.
        browser
            .wait_for(
                "return document.querySelector('.results-summary').textContent.includes('Re-grading') \
                 || document.querySelector('.scenario-card .next.checking');",
                Duration::from_secs(10),
            )
            .ok();
    }
    let png = browser.screenshot().expect("screenshot");
    std::fs::write(artifacts_dir().join("apply-fixes.png"), png).expect("save the screenshot");
    println!("{} presses of Apply reached 4 of 4:", presses.len());
    for p in &presses {
        println!("  {p}");
    }
    println!("fixes tested after each grade (ms): {waits:.0?}");
    // Undo takes the last fix back as one step.
    browser.click_first("[data-action=\"undo\"]");
    browser
        .wait_for(
            "return !document.querySelector('.results-summary').textContent.includes('All 4 scenarios pass')",
            Duration::from_secs(10),
        )
        .expect("undo takes the last fix back");
    browser.assert_no_console_errors();
}

/// Every canonical design that fails a scenario, opened from a link: the
/// page tests its failed cards' fixes and shows the same ones as `kata
/// grade`. Prints how long the fixes took after the grade (a report, not
/// a timed assertion: this machine is shared). With no `?helpers=`, the
/// grading worker starts a helper on a machine of two cores or more
/// (`helpers::how_many`), so some of these fixes are graded by it, and
/// none on one core.
#[test]
fn every_failing_canonical_design_gets_its_tested_fixes_in_the_page() {
    let (server, browser) = open_site(1440, 1100);
    graded_cards(&browser);
    let cores = page_number(&browser, "return navigator.hardwareConcurrency", vec![]);
    assert!(
        cores.is_finite(),
        "the page did not say how many cores it has"
    );
    let mut by_helpers = 0.0;
    let dir = e2e::workspace_root().join("katas/status-dashboard/designs");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the designs folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut figures = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("a design file");
        let d = design::format::parse(&text).expect("it parses").design;
        let native = sim::grade::grade(&d, &kata(), SEED).expect("grades");
        if native.all_passed() {
            continue;
        }
        open_link(&browser, &format!("{}#", server.url), &d);
        assert_cards_match_native_grade(&browser, &d);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let helped = summary_number(&browser, "fixesByHelpers");
        by_helpers += helped;
        figures.push(format!(
            "{name}: grade {:.0} ms, fixes {:.0} ms, {helped} by a helper",
            grade_ms(&browser),
            fixes_ms(&browser)
        ));
    }
    if cores >= 2.0 {
        assert!(
            by_helpers >= 1.0,
            "{cores} cores, and no fix graded by a helper: {figures:?}"
        );
    } else {
        assert_eq!(by_helpers, 0.0, "one core, yet helpers graded: {figures:?}");
    }
    println!("tested fixes in the page (release wasm), after the grade:");
    for f in &figures {
        println!("  {f}");
    }
    browser.assert_no_console_errors();
}

/// With helper workers (`?helpers=2`: the grading worker starts two more
/// workers and hands each one candidate fix at a time), the page shows
/// the fixes `kata grade` shows: the starter (its three failed cards, with
/// pairs of fixes), two designs opened from links, and the starter again,
/// of whose fixes the helpers (loaded by then) graded some. Prints how
/// long the fixes took after the grade (a report: on this 2-core machine
/// two helpers share the cores with the page and the grading worker).
#[test]
fn fixes_tested_with_helper_workers_are_the_fixes_tested_natively() {
    let (server, browser) = e2e::serve_and_open("?helpers=2", 1440, 1100);
    // How many of the shown grade's fixes the helpers graded (NaN: none said).
    let by_helpers = |browser: &Browser| summary_number(browser, "fixesByHelpers");
    let starter = kata().starter;
    assert_cards_match_native_grade(&browser, &starter);
    let mut figures = vec![format!(
        "starter: fixes {:.0} ms, {} by helpers",
        fixes_ms(&browser),
        by_helpers(&browser)
    )];
    for name in [
        "serverless-no-limit",
        "purge-no-collapse-no-shield",
        "starter",
    ] {
        let text = std::fs::read_to_string(
            e2e::workspace_root().join(format!("katas/status-dashboard/designs/{name}.json")),
        )
        .expect("a design file");
        let d = design::format::parse(&text).expect("it parses").design;
        open_link(&browser, &format!("{}?helpers=2#", server.url), &d);
        assert_cards_match_native_grade(&browser, &d);
        figures.push(format!(
            "{name}: fixes {:.0} ms, {} by helpers",
            fixes_ms(&browser),
            by_helpers(&browser)
        ));
    }
    println!("tested fixes with two helper workers, after the grade:");
    for f in &figures {
        println!("  {f}");
    }
    assert!(
        by_helpers(&browser) >= 1.0,
        "the helpers graded none of the starter's fixes: {figures:?}"
    );
    browser.assert_no_console_errors();
}
