//! Every screen and every hand: the site on phones and tablets
//! (touch, emulated), laptops and desktops, and embedded in an 800×640-ish
//! iframe. On each, with a fresh profile (the starter design), once the
//! first grade shows:
//!
//! - a screenshot is saved to `target/e2e/` for a person to look at;
//! - nothing overflows the viewport horizontally;
//! - every action of the top bar (as found on a 1440 px desktop) is on
//!   screen, directly or after opening one of the top bar's menus;
//! - the grade summary (`.grade-summary`: "N of M passed") is on screen
//!   without scrolling;
//! - axe-core finds no serious or critical accessibility violation.
//!
//! Each screen's failures are collected and all of them reported at the
//! end, so one run tells the whole story. Screens are opened one after
//! another (one browser at a time): the machines that run this are small.

use e2e::webdriver::{Browser, Screen};
use e2e::{a11y, artifacts_dir, serve_and_open_on};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// What a grade summary says once a grade shows.
const GRADE_WORDS: &str = r"/\d+ of \d+ passed|All \d+ scenarios pass/";

/// Page functions the checks share (prepended to their scripts):
/// `describe(e)` names an element as a short CSS selector, and `why(e)` says
/// why `e` cannot be seen and pressed where it is (`null` when it can):
/// hidden, empty, not fully inside the viewport, or covered by another
/// element at its centre.
const HELPERS: &str = r#"
const vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight;
const describe = e => {
  if (!e) return 'nothing';
  let s = e.tagName.toLowerCase();
  if (e.id) s += '#' + e.id;
  for (const c of e.classList) s += '.' + c;
  if (e.dataset && e.dataset.action) s += '[data-action="' + e.dataset.action + '"]';
  return s;
};
const px = n => Math.round(n * 10) / 10;
const why = e => {
  for (let d = e.closest('details'); d; d = d.parentElement && d.parentElement.closest('details'))
    if (!d.open && !(e.tagName === 'SUMMARY' && e.parentElement === d)) {
      const s = d.querySelector(':scope > summary');
      return 'inside the closed menu "' + (s ? s.textContent.trim() : '') + '"';
    }
  if (!e.checkVisibility({ visibilityProperty: true, opacityProperty: true }))
    return 'hidden (display: none, visibility or opacity)';
  const r = e.getBoundingClientRect();
  if (r.width < 1 || r.height < 1) return 'zero size (' + px(r.width) + '×' + px(r.height) + ')';
  if (r.left < -0.5 || r.top < -0.5 || r.right > vw + 0.5 || r.bottom > vh + 0.5)
    return 'not inside the ' + vw + '×' + vh + ' viewport (x ' + px(r.left) + '..' + px(r.right) +
      ', y ' + px(r.top) + '..' + px(r.bottom) + ')';
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  if (!hit || !(hit === e || e.contains(hit))) return 'covered by ' + describe(hit);
  return null;
};
"#;

/// A page to check on a screen.
struct Target {
    /// How the report names it.
    name: String,
    /// What to open on the served `dist/` (`""`, `"?embed=1"`…).
    path: &'static str,
    /// The screen to open it on.
    screen: Screen,
    /// The iframe (a CSS selector) holding the playground, if the page
    /// embeds it: the checks then run inside that frame.
    frame: Option<&'static str>,
    /// The screenshot's file name in `target/e2e/`.
    shot: String,
}

impl Target {
    /// The site itself on `screen`.
    fn site(screen: Screen) -> Target {
        Target {
            name: format!("site at {screen}"),
            path: "",
            screen,
            frame: None,
            shot: format!("screen-{}x{}.png", screen.width, screen.height),
        }
    }
}

/// What checking one target found.
struct Findings {
    /// What is wrong, one sentence each.
    failures: Vec<String>,
    /// The top bar's actions present on the page (wherever they are).
    actions: Vec<String>,
}

/// One browser at a time: cargo runs a file's tests in parallel threads,
/// and the machines that run this have two cores.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Each screen in turn, the wide desktop first (its top bar says which
/// actions every other screen must reach); all failures reported at once.
#[test]
fn every_screen_shows_the_grade_and_reaches_every_action() {
    let _serial = one_at_a_time();
    let started = Instant::now();
    let mut targets = vec![Target::site(Screen::desktop(1440, 900))];
    for screen in [
        Screen::touch(320, 568),
        Screen::touch(390, 844),
        Screen::touch(768, 1024),
        Screen::desktop(1024, 700),
    ] {
        targets.push(Target::site(screen));
    }
    targets.push(Target {
        name: "embed (?embed=1) at 800x640".into(),
        path: "?embed=1",
        screen: Screen::desktop(800, 640),
        frame: None,
        shot: "embed-800x640.png".into(),
    });
    // The course page's iframe is 100% of a 72rem column (less 1rem of
    // padding each side) and 680 px tall: 800 px wide in an 847 px window
    // with a scroll bar.
    targets.push(Target {
        name: "course-example.html's iframe, window 847x1000".into(),
        path: "course-example.html",
        screen: Screen::desktop(847, 1000),
        frame: Some("iframe#playground"),
        shot: "embed-course-example-847x1000.png".into(),
    });

    let mut actions: Vec<String> = Vec::new();
    let mut report = Vec::new();
    let mut failed = 0;
    for (i, target) in targets.iter().enumerate() {
        let began = Instant::now();
        let findings = check(target, &actions);
        if i == 0 {
            // The list every other screen is held to: everything the top
            // bar holds on a wide desktop.
            actions = findings.actions.clone();
            println!("top-bar actions at 1440 px: {actions:?}");
        }
        println!(
            "{}: {} failure(s) in {:.1} s",
            target.name,
            findings.failures.len(),
            began.elapsed().as_secs_f64()
        );
        failed += findings.failures.len();
        let mut section = format!("== {}: {} failure(s)", target.name, findings.failures.len());
        for f in &findings.failures {
            section.push_str(&format!("\n  - {f}"));
        }
        report.push(section);
    }
    println!(
        "{} screens checked in {:.1} s",
        targets.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        failed == 0,
        "{failed} failure(s) across screens:\n{}",
        report.join("\n")
    );
}

/// The checks can fail: a page made to break each of them, on a small
/// desktop, is reported for each, and only for what it breaks.
#[test]
fn the_checks_catch_what_they_look_for() {
    let _serial = one_at_a_time();
    let page = r#"<!doctype html><html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1"><title>Probe</title></head>
        <body style="margin:0"><header class="top-bar">
          <button data-action="run" style="position:absolute;left:0;top:0">Run</button>
          <details class="menu" style="position:absolute;left:0;top:40px"><summary data-action="more">More</summary>
            <button data-action="export">Export</button>
            <details class="menu"><summary data-action="deeper">Deeper</summary><button data-action="deep">Deep</button></details>
          </details>
          <button data-action="covered" style="position:absolute;left:0;top:160px">Covered</button>
          <div class="cover" style="position:absolute;left:0;top:150px;width:200px;height:50px;background:#fff"></div>
          <button data-action="far" style="position:absolute;left:700px;top:0">Far</button>
        </header>
        <main><img src="data:,"><p class="grade-summary" style="margin-top:900px">3 of 4 passed</p></main>
        </body></html>"#;
    use base64::Engine as _;
    let url = format!(
        "data:text/html;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(page)
    );
    let browser = Browser::start_screen(Screen::desktop(480, 600)).expect("start Chromium");
    browser.goto(&url).expect("open the probe page");
    let findings = page_checks(&browser, &[]);
    let text = findings.failures.join("\n");
    println!("{text}");
    assert_eq!(
        findings.actions,
        ["run", "more", "export", "deeper", "deep", "covered", "far"]
    );
    for expected in [
        "horizontal overflow: the document is",
        "reaching past the right edge: button[data-action=\"far\"] (right edge",
        ".grade-summary is not on screen without scrolling: not inside the ",
        "axe-core: image-alt (critical, 1 element)",
        "top-bar action \"far\" cannot be reached: button[data-action=\"far\"] is not inside the ",
        "top-bar action \"covered\" cannot be reached: button[data-action=\"covered\"] is covered by div.cover",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // Reached through the menu and the menu inside it.
    for reached in [
        "\"run\"",
        "\"more\"",
        "\"export\"",
        "\"deeper\"",
        "\"deep\"",
    ] {
        assert!(!text.contains(reached), "{reached} was reachable:\n{text}");
    }
    assert_eq!(findings.failures.len(), 5, "{text}");
    let open = browser
        .execute(
            "return [...document.querySelectorAll('details')].some(d => d.open)",
            vec![],
        )
        .unwrap();
    assert_eq!(open, json!(false), "the menus opened were closed again");
}

/// Opens `target` in a fresh browser and runs every check; `actions` are
/// the top bar's actions to find (empty on the first, wide screen, which
/// finds them all in its own top bar).
fn check(target: &Target, actions: &[String]) -> Findings {
    let mut failures = Vec::new();
    let (_server, browser) = serve_and_open_on(target.path, target.screen);
    if let Some(frame) = target.frame {
        failures.extend(viewport(&browser, target.screen));
        // The host page itself must fit too.
        failures.extend(
            overflow(&browser)
                .into_iter()
                .map(|f| format!("host page: {f}")),
        );
        match enter_frame(&browser, frame) {
            Ok((fw, fh)) => {
                println!("{}: the playground's frame is {fw}×{fh}", target.name);
                if !(760..=840).contains(&fw) || !(600..=720).contains(&fh) {
                    failures.push(format!(
                        "the iframe is {fw}×{fh}, not about 800×640: this does not test an 800×640 embed"
                    ));
                }
            }
            Err(e) => {
                failures.push(e);
                return Findings {
                    failures,
                    actions: Vec::new(),
                };
            }
        }
    }

    if let Err(e) = wait_for_grade(&browser) {
        failures.push(e);
    }
    if target.frame.is_none() {
        // Measured on the page as drawn: a touch screen zooms out a page
        // wider than itself.
        failures.extend(viewport(&browser, target.screen));
    }
    let _ = browser.execute("window.scrollTo(0, 0)", vec![]);
    save_screenshot(&browser, &target.shot);
    let findings = page_checks(&browser, actions);
    failures.extend(findings.failures);

    let _ = browser.switch_to_top();
    match browser.console_log() {
        Ok(log) => failures.extend(
            log.into_iter()
                .filter(|e| e.level == "SEVERE")
                .map(|e| format!("console error: {}", e.message)),
        ),
        Err(e) => failures.push(format!("could not read the console: {e}")),
    }
    Findings {
        failures,
        actions: findings.actions,
    }
}

/// The checks of the page in the current browsing context: overflow, the
/// grade summary, axe-core, and the top bar's `actions` (when empty, the
/// ones this page's top bar holds, at least three).
fn page_checks(browser: &Browser, actions: &[String]) -> Findings {
    let mut failures = Vec::new();
    failures.extend(overflow(browser));
    failures.extend(grade_summary(browser));
    match a11y::serious_violations(browser) {
        Ok(violations) => failures.extend(violations.iter().map(|v| format!("axe-core: {v}"))),
        Err(e) => failures.push(format!("axe-core did not run: {e}")),
    }
    let present = present_actions(browser);
    let wanted: &[String] = if actions.is_empty() {
        if present.len() < 3 {
            failures.push(format!(
                "the top bar (.top-bar [data-action]) holds only {present:?}: nothing to hold the other screens to"
            ));
        }
        &present
    } else {
        actions
    };
    failures.extend(unreachable_actions(browser, wanted));
    Findings {
        failures,
        actions: present,
    }
}

/// The viewport must be the screen's size.
fn viewport(browser: &Browser, screen: Screen) -> Option<String> {
    let (w, h) = (screen.width, screen.height);
    match browser.viewport() {
        Ok(size) if size == (w, h) => None,
        Ok((iw, ih)) => Some(format!(
            "the viewport is {iw}×{ih}, not {w}×{h} (a touch screen zooms out a page wider than itself)"
        )),
        Err(e) => Some(format!("could not read the viewport: {e}")),
    }
}

/// Waits for the iframe `selector` to hold the playground's document,
/// switches into it and returns its viewport.
fn enter_frame(browser: &Browser, selector: &str) -> Result<(u32, u32), String> {
    browser
        .wait_for(
            &format!(
                "const f = document.querySelector({selector:?}); \
                 return !!f && !!f.contentDocument && !!f.contentDocument.querySelector('.top-bar');"
            ),
            Duration::from_secs(30),
        )
        .map_err(|e| format!("the playground did not mount in {selector}: {e}"))?;
    let frame = browser
        .element(
            "return document.querySelector(arguments[0])",
            vec![json!(selector)],
        )
        .map_err(|e| format!("find {selector}: {e}"))?
        .ok_or_else(|| format!("no {selector}"))?;
    browser
        .switch_to_frame(&frame)
        .map_err(|e| format!("switch into {selector}: {e}"))?;
    browser
        .viewport()
        .map_err(|e| format!("read the frame's viewport: {e}"))
}

/// Waits until the first grade shows (the grade summary says so, or the
/// scenario cards have a verdict), then, for a calmer screenshot, until the
/// candidate fixes are tested (nothing busy), which may not happen.
fn wait_for_grade(browser: &Browser) -> Result<(), String> {
    browser
        .wait_for(
            &format!(
                "const g = document.querySelector('.grade-summary'); \
                 if (g && {GRADE_WORDS}.test(g.textContent)) return true; \
                 return !!document.querySelector('.scenario-card[data-passed]');"
            ),
            Duration::from_secs(60),
        )
        .map_err(|e| format!("no grade showed within 60 s: {e}"))?;
    let _ = browser.wait_for(
        "return !document.querySelector('[aria-busy=\"true\"]')",
        Duration::from_secs(30),
    );
    Ok(())
}

fn save_screenshot(browser: &Browser, name: &str) {
    let path = artifacts_dir().join(name);
    match browser.screenshot() {
        Ok(png) => {
            std::fs::write(&path, png).expect("save the screenshot");
            println!("screenshot: {}", path.display());
        }
        Err(e) => println!("no screenshot {name}: {e}"),
    }
}

/// Horizontal overflow of the document (root and body) of the current
/// browsing context, naming the outermost elements that reach past the
/// right edge (those no narrower ancestor clips).
fn overflow(browser: &Browser) -> Vec<String> {
    let value = browser.execute(
        &format!(
            "{HELPERS} \
             const d = document.documentElement, b = document.body; \
             const clipped = e => {{ \
               for (let a = e.parentElement; a && a !== b; a = a.parentElement) \
                 if (getComputedStyle(a).overflowX !== 'visible' && a.getBoundingClientRect().right <= vw + 0.5) \
                   return true; \
               return false; }}; \
             const past = [...b.querySelectorAll('*')].filter(e => \
               !(e.closest('svg') && e.tagName.toLowerCase() !== 'svg') && \
               e.checkVisibility() && e.getBoundingClientRect().right > vw + 0.5 && !clipped(e)); \
             const set = new Set(past); \
             const outermost = past.filter(e => !set.has(e.parentElement)).slice(0, 5) \
               .map(e => describe(e) + ' (right edge ' + px(e.getBoundingClientRect().right) + ')'); \
             return {{ html: d.scrollWidth, body: b.scrollWidth, client: vw, inner: innerWidth, outermost }};"
        ),
        vec![],
    );
    let v = match value {
        Ok(v) => v,
        Err(e) => return vec![format!("could not measure overflow: {e}")],
    };
    let n = |k: &str| v[k].as_u64().unwrap_or(0);
    let (html, body, client, inner) = (n("html"), n("body"), n("client"), n("inner"));
    let mut out = Vec::new();
    for (what, width) in [("document", html), ("body", body)] {
        if width > client.min(inner) {
            out.push(format!(
                "horizontal overflow: the {what} is {width} px wide in a {client} px viewport \
                 (innerWidth {inner}); reaching past the right edge: {}",
                v["outermost"]
                    .as_array()
                    .map(|a| a
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", "))
                    .unwrap_or_default()
            ));
        }
    }
    out
}

/// The grade summary must be on screen without scrolling and say how
/// many scenarios passed.
fn grade_summary(browser: &Browser) -> Vec<String> {
    let value = browser.execute(
        &format!(
            "{HELPERS} \
             const g = document.querySelector('.grade-summary'); \
             if (!g) return {{ missing: true }}; \
             return {{ why: why(g), text: g.innerText, says: {GRADE_WORDS}.test(g.innerText) }};"
        ),
        vec![],
    );
    let v = match value {
        Ok(v) => v,
        Err(e) => return vec![format!("could not look for the grade summary: {e}")],
    };
    if v["missing"] == json!(true) {
        return vec![
            "no .grade-summary element (it should say \"N of M passed\" at every size)".into(),
        ];
    }
    let text = v["text"].as_str().unwrap_or("").replace('\n', " ⏎ ");
    println!("grade summary: {text:?}");
    let mut out = Vec::new();
    if let Some(reason) = v["why"].as_str() {
        out.push(format!(
            ".grade-summary is not on screen without scrolling: {reason}"
        ));
    }
    if v["says"] != json!(true) {
        out.push(format!(
            ".grade-summary says {text:?}, which does not match {GRADE_WORDS}"
        ));
    }
    out
}

/// The distinct `data-action`s in the top bar, wherever they are.
fn present_actions(browser: &Browser) -> Vec<String> {
    browser
        .execute(
            "return [...new Set([...document.querySelectorAll('.top-bar [data-action]')] \
               .map(e => e.dataset.action))];",
            vec![],
        )
        .ok()
        .and_then(|v| v.as_array().cloned())
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether each action can be seen and pressed now: `None` when an
/// element of the top bar with that `data-action` can, else why none can.
/// With `within`, only the elements inside that menu (an index among the
/// top bar's `details.menu`) count, and actions with none there are left
/// out.
fn action_states(
    browser: &Browser,
    actions: &[String],
    within: Option<usize>,
) -> BTreeMap<String, Option<String>> {
    let value = browser
        .execute(
            &format!(
                "{HELPERS} \
                 const menu = arguments[1] < 0 ? null : \
                   document.querySelectorAll('.top-bar details.menu')[arguments[1]]; \
                 const out = {{}}; \
                 for (const a of arguments[0]) {{ \
                   const all = [...document.querySelectorAll('.top-bar [data-action]')] \
                     .filter(e => e.dataset.action === a && (!menu || menu.contains(e))); \
                   if (!all.length) {{ if (!menu) out[a] = 'no element in the top bar'; continue; }} \
                   const reasons = all.map(why); \
                   out[a] = reasons.includes(null) ? null : \
                     all.map((e, i) => describe(e) + ' is ' + reasons[i]).join('; '); \
                 }} \
                 return out;"
            ),
            vec![json!(actions), json!(within.map_or(-1, |i| i as i64))],
        )
        .unwrap_or(Value::Null);
    actions
        .iter()
        .filter_map(|a| {
            let state = match value.get(a)? {
                Value::Null => None,
                v => Some(v.as_str().unwrap_or("?").to_string()),
            };
            Some((a.clone(), state))
        })
        .collect()
}

/// A top-bar menu: its index among the top bar's `details.menu`, the
/// index of the menu it sits in (if any), and its label.
struct Menu {
    index: usize,
    outer: Option<usize>,
    label: String,
}

/// The menus (`details.menu`) of the top bar.
fn menus(browser: &Browser) -> Vec<Menu> {
    let value = browser
        .execute(
            "const all = [...document.querySelectorAll('.top-bar details.menu')]; \
             return all.map(m => { \
               const outer = m.parentElement.closest('details.menu'); \
               const s = m.querySelector(':scope > summary'); \
               return [outer ? all.indexOf(outer) : -1, \
                       s ? (s.getAttribute('aria-label') || s.textContent.trim() || s.dataset.action || '') : '']; \
             });",
            vec![],
        )
        .unwrap_or(Value::Null);
    value
        .as_array()
        .map(|a| {
            a.iter()
                .enumerate()
                .map(|(index, m)| Menu {
                    index,
                    outer: m[0].as_i64().filter(|&o| o >= 0).map(|o| o as usize),
                    label: m[1].as_str().unwrap_or("").to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// What the search for the top bar's actions found so far.
#[derive(Default)]
struct Search {
    /// The actions not reached yet, with why not.
    missing: BTreeMap<String, String>,
    /// The actions reached by opening a menu, with its label.
    via: BTreeMap<String, String>,
    /// What went wrong opening menus.
    notes: Vec<String>,
    /// Failures found on the way (a menu that does not close).
    failures: Vec<String>,
}

/// The actions that cannot be seen and pressed, directly or after opening
/// one of the top bar's menus (and the menus inside it) by clicking its
/// summary. Each menu opened is closed again by a click on its summary.
fn unreachable_actions(browser: &Browser, actions: &[String]) -> Vec<String> {
    let _ = browser.execute("window.scrollTo(0, 0)", vec![]);
    let mut search = Search {
        missing: action_states(browser, actions, None)
            .into_iter()
            .filter_map(|(a, why)| why.map(|w| (a, w)))
            .collect(),
        ..Search::default()
    };
    if !search.missing.is_empty() {
        let menus = menus(browser);
        for menu in menus.iter().filter(|m| m.outer.is_none()) {
            open_menu(browser, menu, &menus, &mut search);
        }
        if !search.via.is_empty() {
            println!("reached through a menu: {:?}", search.via);
        }
    }
    let mut failures = search.failures;
    if !search.missing.is_empty() {
        failures.extend(search.notes.into_iter().map(|n| format!("top-bar {n}")));
    }
    for (action, why) in search.missing {
        failures.push(format!(
            "top-bar action \"{action}\" cannot be reached: {why}"
        ));
    }
    failures
}

/// Opens `menu` by clicking its summary, records which missing actions it
/// shows, opens the menus inside it in turn, then closes it.
fn open_menu(browser: &Browser, menu: &Menu, menus: &[Menu], search: &mut Search) {
    let (index, label) = (menu.index, &menu.label);
    let this = "document.querySelectorAll('.top-bar details.menu')[arguments[0]]";
    let is_open = || {
        browser
            .execute(&format!("return {this}.open"), vec![json!(index)])
            .map(|v| v == json!(true))
            .unwrap_or(false)
    };
    let summary_why = browser
        .execute(
            &format!("{HELPERS} return why({this}.querySelector(':scope > summary'));"),
            vec![json!(index)],
        )
        .unwrap_or(Value::Null);
    if let Some(reason) = summary_why.as_str() {
        search.notes.push(format!(
            "menu \"{label}\" cannot be opened: its summary is {reason}"
        ));
        return;
    }
    let summary = match browser.element(
        &format!("return {this}.querySelector(':scope > summary')"),
        vec![json!(index)],
    ) {
        Ok(Some(s)) => s,
        _ => {
            search
                .notes
                .push(format!("menu \"{label}\" has no summary"));
            return;
        }
    };
    if let Err(e) = browser.click(&summary) {
        search
            .notes
            .push(format!("clicking menu \"{label}\" failed: {e}"));
        return;
    }
    std::thread::sleep(Duration::from_millis(150));
    if !is_open() {
        search.notes.push(format!(
            "menu \"{label}\" did not open when its summary was clicked"
        ));
        return;
    }
    let names: Vec<String> = search.missing.keys().cloned().collect();
    for (action, state) in action_states(browser, &names, Some(index)) {
        match state {
            None => {
                search.missing.remove(&action);
                search.via.insert(action, label.clone());
            }
            Some(reason) => {
                if let Some(why) = search.missing.get_mut(&action) {
                    why.push_str(&format!("; with menu \"{label}\" open, {reason}"));
                }
            }
        }
    }
    for inner in menus.iter().filter(|m| m.outer == Some(index)) {
        if !search.missing.is_empty() {
            open_menu(browser, inner, menus, search);
        }
    }
    let closed = browser.click(&summary).is_ok() && {
        std::thread::sleep(Duration::from_millis(150));
        !is_open()
    };
    if !closed {
        search.failures.push(format!(
            "the top bar's menu \"{label}\" does not close when its summary is clicked again"
        ));
        let _ = browser.execute(&format!("{this}.open = false"), vec![json!(index)]);
    }
}
