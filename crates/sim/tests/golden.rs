//! The reference design's reports, pinned by fingerprint. The browser test
//! `tests/determinism.rs` (workspace root) computes the same fingerprints
//! in wasm and compares them with the same file: native and wasm runs are
//! bit-identical. Every canonical design's grade (its runs' reports and
//! the whole grade, explanations included) is pinned too, natively: the
//! failing designs take the engine's paths the reference never does (a
//! queue fed straight by noisy demand, saturated queues, serverless), so a
//! speed-up there that changed a bit would show.
//!
//! Beside the fingerprints, `tests/data/canonical-grades.json` holds the
//! same grades for people: every check of every scenario, measured and
//! target rounded to four significant digits, so a review of a blessing
//! sees what moved and by how much.
//!
//! After an intended engine change, run `scripts/bless.sh`: it prints the
//! largest relative difference per design and scenario between the pinned
//! readable values and the new ones (`GOLDEN_PREVIEW=FILE`, which writes
//! only that report), then, once confirmed, writes every pinned file
//! (`GOLDEN_BLESS=1`).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::OnceLock;

use serde_json::Value;
use sim::grade::Grade;

const GOLDEN: &str = include_str!("data/reference-fingerprints.txt");
const CANONICAL: &str = include_str!("data/canonical-fingerprints.txt");
const READABLE: &str = include_str!("data/canonical-grades.json");

/// The seeds every pinned grade is computed with.
const SEEDS: [u64; 2] = [1, 2];

/// Significant digits of the readable grades.
const DIGITS: usize = 4;

fn fingerprints() -> String {
    let kata = sim::kata::load("status-dashboard").expect("built in");
    let text = include_str!("../../../katas/status-dashboard/designs/reference.json");
    let design = design::format::parse(text).expect("parses").design;
    let mut out = String::new();
    for seed in SEEDS {
        let grade = sim::grade::grade(&design, &kata, seed).expect("grades");
        for run in &grade.runs {
            writeln!(
                out,
                "seed {seed} run {} {:016x}",
                run.id,
                run.report.fingerprint()
            )
            .expect("write");
        }
    }
    out
}

#[test]
fn reference_reports_match_the_pinned_fingerprints() {
    check_or_bless(
        &fingerprints(),
        GOLDEN,
        "reference-fingerprints.txt",
        "the engine's output changed",
    );
}

/// How this run of the tests treats the pinned files.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Mode {
    /// Compare (the default).
    Check,
    /// `GOLDEN_PREVIEW=FILE`: add what blessing would change to FILE,
    /// write nothing else.
    Preview,
    /// `GOLDEN_BLESS`: write the files.
    Bless,
}

fn mode() -> Mode {
    if std::env::var_os("GOLDEN_BLESS").is_some() {
        Mode::Bless
    } else if std::env::var_os("GOLDEN_PREVIEW").is_some() {
        Mode::Preview
    } else {
        Mode::Check
    }
}

/// Adds `text` to the preview file `GOLDEN_PREVIEW` names, in one write
/// (the tests may run side by side).
fn preview(text: &str) {
    use std::io::Write as _;
    let path = std::env::var_os("GOLDEN_PREVIEW").expect("a preview file");
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .expect("write the preview");
}

/// Compares `now` with the pinned `golden` text; with `GOLDEN_BLESS` set
/// writes `now` to `tests/data/{file}` instead; with `GOLDEN_PREVIEW` set
/// says how many lines would change.
fn check_or_bless(now: &str, golden: &str, file: &str, what: &str) {
    match mode() {
        Mode::Bless => {
            let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
            std::fs::write(path, now).expect("write the golden file");
        }
        Mode::Preview => {
            let old: Vec<&str> = golden.lines().collect();
            let new: Vec<&str> = now.lines().collect();
            let changed = new.iter().filter(|l| !old.contains(l)).count();
            preview(&format!(
                "{file}: {changed} of {} lines change{}\n",
                new.len(),
                if old.len() == new.len() {
                    String::new()
                } else {
                    format!(" ({} lines before)", old.len())
                }
            ));
        }
        Mode::Check => assert_eq!(
            now, golden,
            "{what}; if intended, bless with scripts/bless.sh (see the module docs)"
        ),
    }
}

/// Every canonical design's grade with each seed, by design name (the
/// file's stem) in name order; computed once for all the tests.
fn canonical_grades() -> &'static [(String, u64, Grade)] {
    static GRADES: OnceLock<Vec<(String, u64, Grade)>> = OnceLock::new();
    GRADES.get_or_init(|| {
        let kata = sim::kata::load("status-dashboard").expect("built in");
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../katas/status-dashboard/designs"
        );
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .expect("designs")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        assert_eq!(paths.len(), 14, "the canonical designs");
        let mut out = Vec::new();
        for path in paths {
            let name = path.file_stem().expect("a name").to_string_lossy();
            let text = std::fs::read_to_string(&path).expect("a design");
            let design = design::format::parse(&text).expect("parses").design;
            for seed in SEEDS {
                let grade = sim::grade::grade(&design, &kata, seed).expect("grades");
                out.push((name.to_string(), seed, grade));
            }
        }
        out
    })
}

/// Every canonical design's grade: each run's report and the whole
/// grade, by fingerprint (FNV-1a of the JSON, whose numbers round-trip
/// bit for bit).
fn canonical_fingerprints() -> String {
    let mut out = String::new();
    for (name, seed, grade) in canonical_grades() {
        for run in &grade.runs {
            writeln!(
                out,
                "{name} seed {seed} run {} {:016x}",
                run.id,
                run.report.fingerprint()
            )
            .expect("write");
        }
        writeln!(out, "{name} seed {seed} grade {:016x}", grade.fingerprint()).expect("write");
    }
    out
}

#[test]
fn canonical_grades_match_the_pinned_fingerprints() {
    check_or_bless(
        &canonical_fingerprints(),
        CANONICAL,
        "canonical-fingerprints.txt",
        "a canonical design's grade changed",
    );
}

/// `v` rounded to `DIGITS` significant digits, as JSON (`null` for a
/// value that is not a number).
fn rounded(v: f64) -> String {
    if !v.is_finite() {
        return "null".to_string();
    }
    let r: f64 = format!("{v:.*e}", DIGITS - 1)
        .parse()
        .expect("a number in scientific notation");
    // `-0` reads as 0.
    Value::from(if r == 0.0 { 0.0 } else { r }).to_string()
}

/// A string as JSON.
fn quoted(s: &str) -> String {
    Value::from(s).to_string()
}

/// The canonical grades for people: one line per check, numbers rounded
/// (see the module docs). Valid JSON, written by hand to keep a check on
/// one line.
fn readable(grades: &[(String, u64, Grade)]) -> String {
    let mut out = String::new();
    out.push_str("{\n");
    let _ = writeln!(out, "  \"kata\": \"status-dashboard\",");
    let _ = writeln!(out, "  \"significant_digits\": {DIGITS},");
    out.push_str("  \"grades\": [\n");
    for (g, (name, seed, grade)) in grades.iter().enumerate() {
        out.push_str("    {\n");
        let _ = writeln!(out, "      \"design\": {},", quoted(name));
        let _ = writeln!(out, "      \"seed\": {seed},");
        let _ = writeln!(out, "      \"passed\": {},", grade.passed);
        let _ = writeln!(out, "      \"total\": {},", grade.total);
        out.push_str("      \"scenarios\": [\n");
        for (s, scenario) in grade.scenarios.iter().enumerate() {
            out.push_str("        {\n");
            let _ = writeln!(out, "          \"id\": {},", quoted(&scenario.id));
            let _ = writeln!(out, "          \"passed\": {},", scenario.passed);
            out.push_str("          \"checks\": [\n");
            for (c, check) in scenario.checks.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "            {{\"metric\": {}, \"window\": {}, \"measured\": {}, \"target\": {}, \"passed\": {}}}{}",
                    quoted(check.metric.key()),
                    check.window.as_deref().map_or("null".to_string(), quoted),
                    rounded(check.measured.value),
                    rounded(check.target.value),
                    check.passed,
                    comma(c, scenario.checks.len())
                );
            }
            out.push_str("          ]\n");
            let _ = writeln!(out, "        }}{}", comma(s, grade.scenarios.len()));
        }
        out.push_str("      ]\n");
        let _ = writeln!(out, "    }}{}", comma(g, grades.len()));
    }
    out.push_str("  ]\n}\n");
    out
}

/// A comma after every item but the last.
fn comma(i: usize, len: usize) -> &'static str {
    if i + 1 < len {
        ","
    } else {
        ""
    }
}

/// One check of a readable file: (design, scenario) → per seed and check,
/// (measured, target, passed).
type Key = (String, String);
type Checks = BTreeMap<Key, BTreeMap<String, (Option<f64>, Option<f64>, bool)>>;

/// The checks of a readable file, or why it is not one.
fn checks_of(text: &str) -> Result<Checks, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut out = Checks::new();
    for g in v["grades"].as_array().ok_or("no grades")? {
        let design = g["design"].as_str().ok_or("a grade without a design")?;
        let seed = g["seed"].as_u64().ok_or("a grade without a seed")?;
        for s in g["scenarios"]
            .as_array()
            .ok_or("a grade without scenarios")?
        {
            let id = s["id"].as_str().ok_or("a scenario without an id")?;
            let entry = out.entry((design.to_string(), id.to_string())).or_default();
            for c in s["checks"].as_array().ok_or("a scenario without checks")? {
                let metric = c["metric"].as_str().ok_or("a check without a metric")?;
                let window = c["window"].as_str().unwrap_or("run");
                entry.insert(
                    format!("seed {seed}, {metric} over {window}"),
                    (
                        c["measured"].as_f64(),
                        c["target"].as_f64(),
                        c["passed"].as_bool().unwrap_or(false),
                    ),
                );
            }
        }
    }
    Ok(out)
}

/// How far `new` is from `old`, relative to `old`: 0 when equal, infinite
/// from 0 or when one of them is not a number and the other is.
fn relative(old: Option<f64>, new: Option<f64>) -> f64 {
    match (old, new) {
        (Some(a), Some(b)) if a == b => 0.0,
        (Some(a), Some(b)) if a != 0.0 => (b - a).abs() / a.abs(),
        (None, None) => 0.0,
        _ => f64::INFINITY,
    }
}

/// A relative difference for people: "12.5 %", or "from 0" when there is
/// no old value to compare with.
fn percent(d: f64) -> String {
    if d.is_finite() {
        format!("{:.3} %", 100.0 * d)
    } else {
        "from 0".to_string()
    }
}

/// What blessing `new` over `old` changes, per design and scenario: the
/// largest relative difference of a measured value or target, with the
/// check it is in, and every pass that became a failure or the other way
/// round. Empty when nothing readable changes.
fn differences(old: &Checks, new: &Checks) -> Vec<String> {
    let mut out = Vec::new();
    let keys: std::collections::BTreeSet<&Key> = old.keys().chain(new.keys()).collect();
    for key in keys {
        let (design, scenario) = key;
        let (Some(before), Some(after)) = (old.get(key), new.get(key)) else {
            let what = if old.contains_key(key) { "gone" } else { "new" };
            out.push(format!("{design} {scenario}: {what}"));
            continue;
        };
        let mut largest: Option<(f64, String)> = None;
        let mut flips = Vec::new();
        let checks: std::collections::BTreeSet<&String> =
            before.keys().chain(after.keys()).collect();
        for check in checks {
            let (Some(b), Some(a)) = (before.get(check), after.get(check)) else {
                let what = if before.contains_key(check) {
                    "gone"
                } else {
                    "new"
                };
                flips.push(format!("{check}: {what}"));
                continue;
            };
            if a.2 != b.2 {
                let verdict = |p: bool| if p { "passed" } else { "failed" };
                flips.push(format!("{check}: {} → {}", verdict(b.2), verdict(a.2)));
            }
            for (label, o, n) in [("measured", b.0, a.0), ("target", b.1, a.1)] {
                let d = relative(o, n);
                if d > 0.0 && largest.as_ref().is_none_or(|(l, _)| d > *l) {
                    let show = |v: Option<f64>| v.map_or("null".to_string(), |v| v.to_string());
                    largest = Some((d, format!("{check}, {label} {} → {}", show(o), show(n))));
                }
            }
        }
        if let Some((d, at)) = largest {
            out.push(format!("{design} {scenario}: {} ({at})", percent(d)));
        }
        for flip in flips {
            out.push(format!("{design} {scenario}: {flip}"));
        }
    }
    out
}

#[test]
fn canonical_grades_match_the_readable_file() {
    let now = readable(canonical_grades());
    match mode() {
        Mode::Check => {
            assert!(checks_of(READABLE).is_ok(), "the pinned file is readable");
            assert_eq!(
                now, READABLE,
                "a canonical design's grade changed; if intended, bless with scripts/bless.sh"
            );
        }
        Mode::Preview => {
            let mut text = String::new();
            let old = checks_of(READABLE).unwrap_or_else(|e| {
                let _ = writeln!(
                    text,
                    "canonical-grades.json cannot be read ({e}): every value is new"
                );
                Checks::new()
            });
            let new = checks_of(&now).expect("the new file is readable");
            let changes = differences(&old, &new);
            if changes.is_empty() {
                let _ = writeln!(
                    text,
                    "canonical-grades.json: no value changes at {DIGITS} significant digits"
                );
            } else {
                let _ = writeln!(
                    text,
                    "canonical-grades.json: the largest relative difference per design and scenario (over seeds and checks), and every verdict that changes:"
                );
                for line in changes {
                    let _ = writeln!(text, "  {line}");
                }
            }
            preview(&text);
        }
        Mode::Bless => {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/data/canonical-grades.json"
            );
            std::fs::write(path, now).expect("write the readable grades");
        }
    }
}

#[test]
fn the_readable_file_rounds_and_the_preview_finds_the_largest_difference() {
    assert_eq!(rounded(45.6123), "45.61");
    assert_eq!(rounded(26_294.4), "26290.0");
    assert_eq!(rounded(0.001_534_9), "0.001535");
    assert_eq!(rounded(-0.0), "0.0");
    assert_eq!(rounded(f64::NAN), "null");

    let grades = &canonical_grades()[..4];
    let text = readable(grades);
    let old = checks_of(&text).expect("valid JSON");
    assert_eq!(differences(&old, &old), Vec::<String>::new());
    // Nudge one measured value by 2 % and another by 10 % in the same
    // scenario, and fail a passed check (or pass a failed one): the 10 %
    // and the flip are named.
    let (design, _, grade) = &grades[0];
    let first = &grade.scenarios[0];
    let moving: Vec<usize> = (0..first.checks.len())
        .filter(|&i| first.checks[i].measured.value.abs() > 0.0)
        .collect();
    assert!(moving.len() >= 2, "two checks with a value to nudge");
    let mut v: Value = serde_json::from_str(&text).expect("valid JSON");
    let checks = &mut v["grades"][0]["scenarios"][0]["checks"];
    for (i, by) in [(moving[0], 1.02), (moving[1], 1.10)] {
        let m = checks[i]["measured"].as_f64().expect("a number");
        checks[i]["measured"] = (m * by).into();
    }
    let was = checks[0]["passed"].as_bool().expect("a verdict");
    checks[0]["passed"] = (!was).into();
    let new = checks_of(&v.to_string()).expect("valid JSON");
    let changes = differences(&old, &new);
    assert_eq!(changes.len(), 2, "{changes:#?}");
    assert!(
        changes[0].starts_with(&format!("{design} {}: 10.0", first.id))
            && changes[0].contains(&format!("{} over", first.checks[moving[1]].metric.key())),
        "{changes:#?}"
    );
    assert!(
        changes[1].contains(if was {
            "passed → failed"
        } else {
            "failed → passed"
        }),
        "{changes:#?}"
    );
}
