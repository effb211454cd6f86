//! `kata grade`: a table or JSON of the four scenarios; exit code 0 when
//! all pass, 1 when any fails, 2 on bad input (with a message in words).
//! It reads design files and share links.

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
    assert!(out.contains("next step: Put a CDN"));
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
fn bad_input_is_exit_code_2_with_words() {
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
