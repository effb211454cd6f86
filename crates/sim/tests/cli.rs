//! The `kata` command-line tool: a design runs and prints a table or JSON;
//! bad input gets a message in words and exit code 2.

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
