//! A second kata added as data only: `tests/data/katas/profile-page/`
//! holds its file, its starter and a design that passes, and nothing in
//! the engine or the grader names it. It loads with `Kata::from_json`,
//! grades with the numbers of its own file (its targets, its window, its
//! incidents a month), and a kata file with a defect is refused with a
//! typed error that says what is wrong.

use serde_json::Value;
use sim::grade::{self, Bound, Grade, Metric};
use sim::kata::{Kata, KataError};

const KATA: &str = include_str!("data/katas/profile-page/kata.json");
const STARTER: &str = include_str!("data/katas/profile-page/designs/starter.json");
const PASSING: &str = include_str!("data/katas/profile-page/designs/passing.json");

fn kata() -> Kata {
    Kata::from_json(KATA, STARTER).expect("the profile page loads")
}

/// The kata file as JSON, to read its numbers independently of `Kata`.
fn file() -> Value {
    serde_json::from_str(KATA).expect("the kata file is JSON")
}

/// `file` after `edit`, loaded as a kata.
fn edited(edit: impl FnOnce(&mut Value)) -> Result<Kata, KataError> {
    let mut v = file();
    edit(&mut v);
    Kata::from_json(&v.to_string(), STARTER)
}

fn design(text: &str) -> design::Design {
    design::format::parse(text).expect("parses").design
}

fn grade_of(text: &str, kata: &Kata, seed: u64) -> Grade {
    grade::grade(&design(text), kata, seed).expect("the kata grades")
}

/// Every check of every scenario of the grade carries the target its
/// scenario's check in the kata file gives, in the file's order.
fn assert_targets_from_file(g: &Grade, file: &Value) {
    let scenarios = file["scenarios"].as_array().expect("scenarios");
    assert_eq!(g.scenarios.len(), scenarios.len());
    for (s, json) in g.scenarios.iter().zip(scenarios) {
        assert_eq!(s.id, json["id"].as_str().expect("an id"));
        assert_eq!(s.name, json["name"].as_str().expect("a name"));
        let checks = json["checks"].as_array().expect("checks");
        assert_eq!(s.checks.len(), checks.len(), "{}", s.id);
        for (c, json) in s.checks.iter().zip(checks) {
            assert_eq!(c.metric.key(), json["metric"].as_str().expect("a metric"));
            assert_eq!(c.window.as_deref(), json["window"].as_str());
            assert_eq!(c.target.bound, Bound::AtMost, "{}", s.id);
            assert_eq!(Some(c.target.value), json["at_most"].as_f64(), "{}", s.id);
            assert_eq!(
                c.passed,
                c.measured.value <= c.target.value,
                "{}: {}",
                s.id,
                c.name
            );
        }
    }
}

#[test]
fn the_second_kata_loads_from_its_files_with_its_own_numbers() {
    let kata = kata();
    let file = file();
    assert_eq!(kata.id, "profile-page");
    assert_eq!(kata.title, file["title"].as_str().expect("a title"));
    assert_eq!(kata.scenarios.len(), 2);
    assert_eq!(kata.starter.nodes.len(), 4);
    // The chart lines: the smallest `at_most` the file sets on a metric.
    for metric in Metric::ALL {
        let from_file = file["scenarios"]
            .as_array()
            .expect("scenarios")
            .iter()
            .flat_map(|s| s["checks"].as_array().expect("checks"))
            .filter(|c| c["metric"] == metric.key())
            .filter_map(|c| c["at_most"].as_f64())
            .min_by(f64::total_cmp);
        assert_eq!(kata.limit(metric), from_file, "{}", metric.key());
    }
    assert_eq!(kata.limit(Metric::ReadP95Ms), Some(120.0));
    // The timeline's marks: the file's windows, in seconds.
    let windows: Vec<(String, f64)> = file["run"]["windows"]
        .as_array()
        .expect("windows")
        .iter()
        .map(|w| {
            let name = w["name"].as_str().expect("a name").to_string();
            (name, w["from_min"].as_f64().expect("a start") * 60.0)
        })
        .collect();
    assert_eq!(kata.window_starts(), windows);
    assert_eq!(kata.window_starts(), vec![("peak".to_string(), 360.0)]);
    // Different numbers from the built-in kata's, so nothing could come
    // from there unnoticed.
    let builtin = sim::kata::load("status-dashboard").expect("built in");
    for metric in [
        Metric::ReadP95Ms,
        Metric::ReadErrorsPct,
        Metric::ReadStalenessP95S,
        Metric::MonthlyCostUsd,
    ] {
        assert_ne!(kata.limit(metric), builtin.limit(metric), "{metric:?}");
    }
    assert_ne!(kata.window_starts(), builtin.window_starts());
}

#[test]
fn its_starter_fails_and_its_passing_design_passes() {
    let kata = kata();
    let file = file();
    for seed in [1, 2, 7] {
        let starter = grade_of(STARTER, &kata, seed);
        assert_eq!(starter.kata, "profile-page");
        assert_targets_from_file(&starter, &file);
        let snappy = starter.scenario("snappy").expect("a scenario");
        assert!(!snappy.passed, "seed {seed}: {}", snappy.cause);
        // The starter's one API saturates at the peak the file describes.
        assert!(snappy.measured.value > 120.0, "seed {seed}");
        assert!(starter.scenario("budget").expect("a scenario").passed);
        assert!(!starter.all_passed());

        let passing = grade_of(PASSING, &kata, seed);
        assert_targets_from_file(&passing, &file);
        assert!(
            passing.all_passed(),
            "seed {seed}: {:?}",
            passing
                .scenarios
                .iter()
                .map(|s| (&s.id, &s.cause))
                .collect::<Vec<_>>()
        );
        // One run, the file's: its length, its window, its incidents.
        assert_eq!(passing.runs.len(), 1);
        assert_eq!(passing.runs[0].id, "evening");
        assert_eq!(passing.runs[0].report.duration_s, 30 * 60);
        assert_eq!(passing.cost.incidents_per_month, 30.0);
        let peak = passing.runs[0].report.window("peak").expect("the window");
        assert_eq!((peak.from_s, peak.to_s), (360.0, 1200.0));
    }
}

#[test]
fn a_changed_number_in_the_file_changes_the_grade() {
    let passing = grade_of(PASSING, &kata(), 1);
    let snappy = passing.scenario("snappy").expect("a scenario");
    let p95 = snappy.checks[0].measured.value;
    let cost = passing.cost.total_usd;
    assert!(p95 > 0.0 && cost > 0.0);

    // A p95 target under what the passing design measures fails it.
    let strict =
        edited(|v| v["scenarios"][0]["checks"][0]["at_most"] = (p95 / 2.0).into()).expect("loads");
    let g = grade_of(PASSING, &strict, 1);
    let snappy = g.scenario("snappy").expect("a scenario");
    assert!(!snappy.passed);
    assert_eq!(snappy.target.value, p95 / 2.0);
    assert_eq!(strict.limit(Metric::ReadP95Ms), Some(p95 / 2.0));

    // So does a budget under its cost…
    let poor =
        edited(|v| v["scenarios"][1]["checks"][0]["at_most"] = (cost * 0.9).into()).expect("loads");
    assert!(
        !grade_of(PASSING, &poor, 1)
            .scenario("budget")
            .expect("a scenario")
            .passed
    );
    // …and the month counts the file's number of peaks (the starter's
    // API adds instances at each).
    let starter = grade_of(STARTER, &kata(), 1).cost;
    assert!(starter.incident_usd > 0.0);
    let daily_twice = edited(|v| v["grading"]["incidents_per_month"] = 60.into()).expect("loads");
    let twice = grade_of(STARTER, &daily_twice, 1).cost;
    assert_eq!(
        (starter.incidents_per_month, twice.incidents_per_month),
        (30.0, 60.0)
    );
    assert!(twice.total_usd > starter.total_usd);

    // A later window is measured, named and marked where the file says.
    let later = edited(|v| v["run"]["windows"][0]["from_min"] = 10.into()).expect("loads");
    assert_eq!(later.window_starts(), vec![("peak".to_string(), 600.0)]);
    let g = grade_of(PASSING, &later, 1);
    let check = &g.scenario("snappy").expect("a scenario").checks[0];
    assert!(check.name.contains("minutes 10–20"), "{}", check.name);
}

#[test]
fn a_kata_file_with_a_defect_is_refused_in_words() {
    let refused = |edit: fn(&mut Value)| edited(edit).expect_err("refused");

    let e = Kata::from_json("{ \"id\": ", STARTER).expect_err("refused");
    assert!(matches!(e, KataError::Json { .. }), "{e:?}");
    assert!(e.to_string().contains("line 1"), "{e}");
    let e = refused(|v| {
        if let Some(o) = v.as_object_mut() {
            o.remove("title");
        }
    });
    assert!(e.to_string().contains("title"), "{e}");

    let e = refused(|v| v["id"] = "Profile Page".into());
    assert_eq!(
        e,
        KataError::BadId {
            id: "Profile Page".into()
        }
    );

    let e = refused(|v| v["scenarios"][1]["id"] = "snappy".into());
    assert!(matches!(&e, KataError::DuplicateScenario { scenario, .. } if scenario == "snappy"));

    for (edit, words) in [
        (
            (|v: &mut Value| v["run"]["windows"][0]["to_min"] = 45.into()) as fn(&mut Value),
            "falls outside the run",
        ),
        (
            |v: &mut Value| v["run"]["windows"][0]["to_min"] = 6.into(),
            "ends before it starts",
        ),
        (
            |v: &mut Value| v["run"]["windows"][0]["name"] = "run".into(),
            "needs a name",
        ),
    ] {
        let e = refused(edit);
        assert!(matches!(e, KataError::BadWindow { .. }), "{e:?}");
        assert!(e.to_string().contains(words), "{e}");
    }

    let e = Kata::from_json(KATA, "{ \"nodes\": 3 }").expect_err("refused");
    assert!(matches!(e, KataError::Starter { .. }), "{e:?}");

    let e = refused(|v| v["scenarios"][0]["run"] = "morning".into());
    assert!(
        matches!(
            &e,
            KataError::Grading {
                error: grade::GradeError::UnknownRun { run, .. },
                ..
            } if run == "morning"
        ),
        "{e:?}"
    );
    let e = refused(|v| v["scenarios"][0]["checks"][0]["window"] = "night".into());
    assert!(e.to_string().contains("night"), "{e}");
    let e = refused(|v| {
        if let Some(c) = v["scenarios"][1]["checks"][0].as_object_mut() {
            c.remove("at_most");
        }
    });
    assert!(
        matches!(
            &e,
            KataError::Grading {
                error: grade::GradeError::NoTarget { .. },
                ..
            }
        ),
        "{e:?}"
    );
}

/// What the graded run plays is the kata's word: its `event`, else its
/// first grading run's name.
#[test]
fn the_run_is_named_by_the_kata() {
    assert_eq!(kata().event(), "the evening");
    let unnamed = edited(|v| {
        v.as_object_mut().map(|o| o.remove("event"));
    })
    .expect("a kata without an event");
    assert_eq!(unnamed.event(), "an evening");
    // Only an ASCII capital is lowered.
    let accented = edited(|v| {
        v.as_object_mut().map(|o| o.remove("event"));
        v["grading"]["runs"][0]["name"] = "Étude".into();
    })
    .expect("a kata whose run starts with an accent");
    assert_eq!(accented.event(), "Étude");
    let builtin = sim::kata::load("status-dashboard").expect("built in");
    assert_eq!(builtin.event(), "the incident");
}
