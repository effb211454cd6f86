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

// ---- "Lose nothing, trust no input" -------------------------------------

/// The progress decision of `kata simulate`, a pure function of the times.
#[path = "../src/bin/kata/progress.rs"]
#[allow(dead_code)]
mod progress;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The design limit of the CLI (and of `design::format::parse`).
const LIMIT: usize = design::limits::MAX_INPUT_BYTES;

fn kata_command(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kata"));
    c.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// Waits for `child`, killing it and failing after `secs` seconds.
fn wait_at_most(child: &mut Child, secs: u64, what: &str) -> ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {secs} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A file under the test's scratch folder holding `bytes`.
fn scratch(name: &str, bytes: &[u8]) -> String {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, bytes).expect("write a scratch file");
    path.to_string_lossy().into_owned()
}

fn stderr_of(child: &mut Child) -> String {
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut err);
    }
    err
}

#[test]
fn endless_input_is_refused_quickly_naming_the_limit() {
    for command in ["simulate", "grade", "link"] {
        let mut child = kata_command(&[command, "/dev/zero"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kata runs");
        let status = wait_at_most(&mut child, 30, command);
        let err = stderr_of(&mut child);
        assert_eq!(status.code(), Some(2), "{command}: {err}");
        assert!(err.contains("larger than 4 MiB"), "{command}: {err}");
    }
}

#[test]
fn an_endless_pipe_on_standard_input_is_refused() {
    let mut child = kata_command(&["grade", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kata runs");
    let mut stdin = child.stdin.take().expect("stdin");
    // Writes until kata stops reading (then the write fails).
    let writer = std::thread::spawn(move || {
        let block = vec![b' '; 64 * 1024];
        let mut sent = 0usize;
        while stdin.write_all(&block).is_ok() {
            sent += block.len();
            if sent > 64 * LIMIT {
                break;
            }
        }
        sent
    });
    let status = wait_at_most(&mut child, 30, "grade -");
    let err = stderr_of(&mut child);
    let sent = writer.join().expect("writer");
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(err.contains("standard input is larger than 4 MiB"), "{err}");
    assert!(sent < 2 * LIMIT, "kata kept reading: {sent} bytes");
}

#[test]
fn a_file_one_byte_past_the_limit_is_refused_and_one_at_it_is_read() {
    let past = scratch("past-the-limit.json", &vec![b' '; LIMIT + 1]);
    for command in ["simulate", "grade"] {
        let (code, _, err) = kata(&[command, &past]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("larger than 4 MiB (4,194,304 bytes)"), "{err}");
    }
    // At the limit the file is read (and found empty).
    let at = scratch("at-the-limit.json", &vec![b' '; LIMIT]);
    let (code, _, err) = kata(&["grade", &at]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no design here"), "{err}");
    // A design from standard input is read like a file.
    let out = kata_command(&["simulate", "-", "--seconds", "60", "--json"])
        .stdin(
            std::fs::File::open(format!(
                "{}/tests/data/reference.json",
                env!("CARGO_MANIFEST_DIR")
            ))
            .expect("reference"),
        )
        .output()
        .expect("kata runs");
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["duration_s"], 60);
}

#[test]
fn a_reader_that_closes_the_pipe_early_ends_the_output_quietly() {
    let mut child = kata_command(&[
        "grade",
        &format!("{DESIGNS}/starter.json"),
        "--json",
        "--reports",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("kata runs");
    // As `| head -1`: one line, then the pipe closes.
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("a line");
    assert_eq!(first.trim(), "{");
    let status = wait_at_most(&mut child, 120, "grade | head -1");
    let err = stderr_of(&mut child);
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.is_empty(), "no message for a closed pipe: {err}");
    // The grade's own code (the starter fails), not 134 nor a signal.
    assert_eq!(status.code(), Some(1), "{status:?}");
}

#[test]
fn output_that_cannot_be_written_is_exit_code_2_with_words() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    for args in [
        vec!["list"],
        vec!["grade", "tests/data/reference.json"],
        vec![
            "simulate",
            "tests/data/reference.json",
            "--seconds",
            "60",
            "--json",
        ],
    ] {
        let out = kata_command(&args)
            .stdout(std::fs::File::create("/dev/full").expect("/dev/full"))
            .output()
            .expect("kata runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.starts_with("kata: could not write the output"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn absurd_rates_and_run_lengths_are_refused() {
    let design = "tests/data/reference.json";
    for (profile, words) in [
        ("constant:1e307", "a rate of 1e307 requests/s is beyond"),
        ("constant:10000001", "beyond what kata simulates"),
        ("ramp:0=10,60=2e7", "a rate of 20000000 requests/s"),
        ("constant:NaN", "not “NaN”"),
        ("constant:inf", "not “inf”"),
        ("constant:infinity", "not “infinity”"),
        ("constant:1e400", "not “1e400”"),
        ("constant:-5", "at least 0"),
        ("ramp:0=-1,10=5", "at least 0"),
    ] {
        let (code, out, err) = kata(&["simulate", design, "--profile", profile]);
        assert_eq!(code, 2, "{profile}: {out}");
        assert!(err.contains(words), "{profile}: {err}");
        assert!(err.contains("10,000,000 requests/s"), "{profile}: {err}");
    }
    for seconds in ["604801", "99999999999", "0"] {
        let (code, _, err) = kata(&["simulate", design, "--seconds", seconds]);
        assert_eq!(code, 2, "{seconds}");
        assert!(
            err.contains("from 1 to 604,800 s (7 days)"),
            "{seconds}: {err}"
        );
    }
    // The limits themselves are accepted, and the usage text names them.
    let (code, out, err) = kata(&[
        "simulate",
        design,
        "--profile",
        "constant:10000000",
        "--seconds",
        "5",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["overall"]["offered"], 50_000_000.0);
    let (code, usage, _) = kata(&["help"]);
    assert_eq!(code, 0);
    for limit in ["4 MiB", "10,000,000 requests/s", "604,800 s (7 days)"] {
        assert!(usage.contains(limit), "{limit}: {usage}");
    }
}

#[test]
fn a_file_that_is_not_text_says_so_in_words() {
    let binary = scratch("not-text.json", &[0x7f, b'E', b'L', b'F', 0xff, 0xfe, 0, 1]);
    for command in ["simulate", "grade", "link"] {
        let (code, _, err) = kata(&[command, &binary]);
        assert_eq!(code, 2, "{command}");
        assert!(
            err.contains("is not a text file (it is not valid UTF-8); a design is a JSON file or a share link"),
            "{command}: {err}"
        );
        assert!(!err.contains("stream did not contain"), "{err}");
    }
}

#[test]
fn messages_are_one_sentence_with_one_full_stop() {
    for args in [
        vec!["grade", "Cargo.toml"],
        vec!["simulate", "Cargo.toml"],
        vec!["grade", "d1.AAAA"],
        vec![
            "simulate",
            "tests/data/reference.json",
            "--profile",
            "sometimes",
        ],
        vec!["grade", "tests/data/reference.json", "--kata", "nope"],
    ] {
        let (code, _, err) = kata(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(!err.contains(".."), "{args:?}: {err}");
        assert!(!err.contains(". ("), "{args:?}: {err}");
    }
    let (_, _, err) = kata(&["grade", "Cargo.toml"]);
    assert_eq!(
        err.trim_end(),
        "kata: “Cargo.toml”: this is not a design: the text is not valid JSON (the first problem is at line 1, column 2)."
    );
}

#[test]
fn link_prints_the_share_link_of_the_design() {
    let path = format!("{DESIGNS}/reference.json");
    let (code, out, err) = kata(&["link", &path]);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    assert!(out.ends_with('\n') && out.lines().count() == 1, "{out}");
    let text = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let d = design::format::parse(&text).unwrap().design;
    let link = out.trim_end();
    let shared = design::share::decode(link).expect("the link decodes");
    assert_eq!(shared.design, d);
    assert_eq!(shared.kata, "status-dashboard");
    assert_eq!(shared.seed, 1);
    assert_eq!(link, design::share::encode(&d, "status-dashboard", 1));
    // The link grades as the file does.
    let (code, graded, err) = kata(&["grade", link]);
    assert_eq!(code, 0, "{err}");
    assert!(graded.contains("4 of 4 scenarios passed"), "{graded}");
    // --seed goes into the link; a link's seed and kata are kept.
    let (_, out, _) = kata(&["link", &path, "--seed", "7"]);
    let with_seed = out.trim_end().to_string();
    assert_eq!(design::share::decode(&with_seed).unwrap().seed, 7);
    let (_, again, _) = kata(&["link", &with_seed]);
    assert_eq!(again.trim_end(), with_seed);
    // Bad input: exit code 2 and grade's words.
    for (args, words) in [
        (vec!["link"], "which design"),
        (
            vec!["link", "no-such-file.json"],
            "neither a file nor a share link",
        ),
        (vec!["link", "Cargo.toml"], "is not a design"),
        (vec!["link", "d1.AAAA"], "damaged or cut off"),
        (vec!["link", &path, "--kata", "nope"], "no kata called"),
        (
            vec!["link", &path, "--seed", "x"],
            "--seed must be a whole number",
        ),
        (vec!["link", &path, "--json"], "unknown option"),
    ] {
        let (code, out, err) = kata(&args);
        assert_eq!(code, 2, "{args:?}: {out}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(
            err.starts_with("kata: ") && err.contains(words),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn a_kata_being_written_is_named_by_its_folder() {
    let folder = "tests/data/katas/profile-page";
    let passing = format!("{folder}/designs/passing.json");
    let starter = format!("{folder}/designs/starter.json");
    let (code, out, err) = kata(&["grade", &passing, "--kata", folder]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("“The profile page”") && out.contains("2 of 2 scenarios passed"),
        "{out}"
    );
    let (code, out, _) = kata(&["grade", &starter, "--kata", folder]);
    assert_eq!(code, 1);
    assert!(out.contains("≤ 120 ms"), "{out}");
    // A link names the kata by its id, not by the folder.
    let (code, out, err) = kata(&["link", &passing, "--kata", folder]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        design::share::decode(out.trim_end()).expect("a link").kata,
        "profile-page"
    );
    // A folder without a kata file: exit code 2, in words.
    let (code, _, err) = kata(&["grade", &passing, "--kata", "tests/data"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("kata.json") && err.contains("could not read"),
        "{err}"
    );
}

#[test]
fn a_short_run_prints_nothing_on_stderr() {
    let (code, out, err) = kata(&["simulate", "tests/data/reference.json", "--seconds", "600"]);
    assert_eq!(code, 0);
    assert!(out.contains("external reads"));
    assert_eq!(err, "");
}

#[test]
fn progress_speaks_after_two_seconds_at_most_once_a_second() {
    let s = Duration::from_secs_f64;
    // Quiet for the first 2 s, whatever the run.
    assert_eq!(progress::line(s(0.5), None, 600, 3600), None);
    assert_eq!(progress::line(s(1.99), None, 600, 3600), None);
    // Then a line saying how far the run got.
    assert_eq!(
        progress::line(s(2.0), None, 720, 3600).as_deref(),
        Some("simulated 12 of 60 min (20 %), about 8 s left…")
    );
    // At most once a second.
    assert_eq!(progress::line(s(2.5), Some(s(2.0)), 900, 3600), None);
    assert!(progress::line(s(3.0), Some(s(2.0)), 900, 3600).is_some());
    // Nothing once the run is done, or for an empty one.
    assert_eq!(progress::line(s(5.0), None, 3600, 3600), None);
    assert_eq!(progress::line(s(5.0), None, 0, 0), None);
    // Long runs in days, with the first per cent in tenths.
    assert_eq!(
        progress::line(s(300.0), None, 4 * 3600, 604_800).as_deref(),
        Some("simulated 0.1 of 7 days (2 %), about 3 h 25 min left…")
    );
    assert_eq!(
        progress::line(s(60.0), None, 3600, 604_800).as_deref(),
        Some("simulated 0 of 7 days (0.5 %), about 2 h 47 min left…")
    );
    assert_eq!(
        progress::line(s(2.0), None, 0, 90).as_deref(),
        Some("simulated 0 of 90 s (0.0 %)…")
    );
    assert_eq!(
        progress::line(s(4.0), None, 6 * 3600, 24 * 3600).as_deref(),
        Some("simulated 6 of 24 h (25 %), about 12 s left…")
    );
}
