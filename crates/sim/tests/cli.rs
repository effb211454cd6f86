//! The `kata` command-line tool. `kata simulate`: a design runs and prints
//! a table or JSON. `kata grade`: a table or JSON of the four scenarios;
//! exit code 0 when all pass, 1 when any fails; it reads design files and
//! share links. Bad input gets a message in words and exit code 2.

use std::process::Command;

fn kata(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kata"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the kata binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn simulate_prints_json_with_overall_and_nodes() {
    let (code, out, err) = kata(&[
        "simulate",
        "tests/data/reference.json",
        "--profile",
        "constant:2000",
        "--seconds",
        "120",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["duration_s"], 120);
    assert_eq!(v["overall"]["offered"], 240_000.0);
    for key in [
        "offered",
        "served",
        "errors",
        "mean_ms",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "utilisation",
        "staleness_p95_s",
        "cost_usd",
    ] {
        assert!(v["overall"].get(key).is_some(), "{key}");
    }
    assert_eq!(v["nodes"].as_array().map(Vec::len), Some(12));
}

#[test]
fn simulate_a_kata_run_prints_a_table() {
    let (code, out, err) = kata(&[
        "simulate",
        "../../katas/status-dashboard/designs/starter.json",
        "--kata",
        "status-dashboard",
        "--seconds",
        "600",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("external reads"));
    assert!(out.contains("window incident"));
    assert!(out.contains("external reads at the primary"));
}

#[test]
fn bad_input_is_exit_code_2_with_words() {
    for args in [
        vec![],
        vec!["fly"],
        vec!["simulate"],
        vec!["simulate", "no-such-file.json"],
        vec!["simulate", "Cargo.toml"],
        vec![
            "simulate",
            "tests/data/reference.json",
            "--profile",
            "sometimes",
        ],
        vec!["simulate", "tests/data/reference.json", "--seconds", "-3"],
        vec!["simulate", "tests/data/reference.json", "--kata", "nope"],
        vec!["simulate", "tests/data/reference.json", "--wat"],
    ] {
        let (code, _, err) = kata(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(
            err.starts_with("kata: ") && err.len() > 12,
            "{args:?}: {err}"
        );
    }
}

const DESIGNS: &str = "../../katas/status-dashboard/designs";

#[test]
fn the_reference_design_passes_with_exit_code_0() {
    let (code, out, err) = kata(&["grade", &format!("{DESIGNS}/reference.json")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("4 of 4 scenarios passed"), "{out}");
    for name in [
        "Fast under surge",
        "Writes don't compete with reads",
        "Minimal cost",
        "Never the incident",
    ] {
        assert!(out.contains(name), "{name}");
    }
    assert_eq!(out.matches("\nPASS ").count(), 8, "{out}");
    assert!(!out.contains("next step:"));
}

#[test]
fn the_starter_fails_with_exit_code_1_and_says_what_to_do() {
    let (code, out, err) = kata(&["grade", &format!("{DESIGNS}/starter.json")]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("1 of 4 scenarios passed"), "{out}");
    assert!(out.contains("limited by: api"));
    assert!(out.contains("next step: Add a CDN"), "{out}");
    assert!(out.contains("Tried it: external read errors 82.2 % → 0 %, this scenario passes"));
    assert!(out.contains("Design advice:"));
    assert!(out.contains("No CDN in front of users"));
}

#[test]
fn json_output_is_the_grade() {
    let (code, out, err) = kata(&["grade", &format!("{DESIGNS}/peak-fleet.json"), "--json"]);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["passed"], 3);
    assert_eq!(v["scenarios"][2]["id"], "cost");
    assert_eq!(v["scenarios"][2]["passed"], false);
    assert_eq!(v["scenarios"][2]["limiting_node"], "api");
    // Without --reports the runs carry no series.
    assert!(v["runs"][0]["report"]["series"]["t_s"]
        .as_array()
        .unwrap()
        .is_empty());
    let (_, full, _) = kata(&[
        "grade",
        &format!("{DESIGNS}/peak-fleet.json"),
        "--json",
        "--reports",
    ]);
    let v: serde_json::Value = serde_json::from_str(&full).expect("JSON");
    assert_eq!(
        v["runs"][0]["report"]["series"]["t_s"]
            .as_array()
            .unwrap()
            .len(),
        360
    );
}

#[test]
fn share_links_are_graded_too() {
    let text = std::fs::read_to_string(format!(
        "{}/{DESIGNS}/reference.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let d = design::format::parse(&text).unwrap().design;
    let link = design::share::encode(&d, "status-dashboard", 3);
    for form in [
        link.clone(),
        format!("#{link}"),
        format!("https://example.org/play/?embed=1#{link}"),
    ] {
        let (code, out, err) = kata(&["grade", &form]);
        assert_eq!(code, 0, "{form}: {err}");
        assert!(out.contains("(seed 3)"), "the link's seed is used: {out}");
    }
    // --seed overrides the link's.
    let (_, out, _) = kata(&["grade", &link, "--seed", "9"]);
    assert!(out.contains("(seed 9)"));
}

#[test]
fn grade_bad_input_is_exit_code_2_with_words() {
    for (args, words) in [
        (vec!["grade"], "which design"),
        (
            vec!["grade", "no-such-file.json"],
            "neither a file nor a share link",
        ),
        (vec!["grade", "Cargo.toml"], "is not a design"),
        (vec!["grade", "d1.!!!"], "characters that do not belong"),
        (vec!["grade", "d1.AAAA"], "damaged or cut off"),
        (vec!["grade", "d9.AAAA"], "newer version"),
        (
            vec!["grade", "tests/data/reference.json", "--kata", "nope"],
            "no kata called",
        ),
        (
            vec!["grade", "tests/data/reference.json", "--seed", "x"],
            "--seed must be a whole number",
        ),
        (
            vec!["grade", "tests/data/reference.json", "--wat"],
            "unknown option",
        ),
        (
            vec![
                "grade",
                "tests/data/reference.json",
                "tests/data/reference.json",
            ],
            "only one design",
        ),
    ] {
        let (code, out, err) = kata(&args);
        assert_eq!(code, 2, "{args:?}: {out}");
        assert!(err.starts_with("kata: "), "{args:?}: {err}");
        assert!(err.contains(words), "{args:?}: {err}");
    }
}
