//! Accessibility audits with axe-core: npm's `axe.min.js` (installed into
//! `.tools/node_modules` by `scripts/setup.sh`) is injected into the page
//! through WebDriver and run on the whole document; what it finds comes
//! back as [`Violation`]s that print as one line each, so a failing
//! assertion names the rule, its impact and the elements.

use crate::webdriver::{Browser, Error};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

/// How many of a violation's elements are named (axe reports them all).
const TARGETS_SHOWN: usize = 3;

/// One rule that axe-core found broken, on one or more elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The rule's id, e.g. `color-contrast`.
    pub id: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    pub impact: String,
    /// What the rule asks for, in words.
    pub help: String,
    /// How many elements break it.
    pub count: usize,
    /// The first few of them: a CSS selector of each, with axe's word on
    /// what is wrong there (e.g. the contrast ratio measured).
    pub targets: Vec<String>,
}

impl Violation {
    /// Whether the impact is `serious` or `critical`.
    pub fn is_serious(&self) -> bool {
        matches!(self.impact.as_str(), "serious" | "critical")
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}, {} element{}): {}",
            self.id,
            self.impact,
            self.count,
            if self.count == 1 { "" } else { "s" },
            self.help
        )?;
        for target in &self.targets {
            write!(f, "\n      at {target}")?;
        }
        if self.count > self.targets.len() {
            write!(f, "\n      and {} more", self.count - self.targets.len())?;
        }
        Ok(())
    }
}

/// Where `scripts/setup.sh` puts axe-core's browser bundle.
pub fn axe_script_path() -> PathBuf {
    crate::workspace_root().join(".tools/node_modules/axe-core/axe.min.js")
}

/// axe-core's source, read once per test process.
fn axe_source() -> Result<&'static str, Error> {
    static SOURCE: OnceLock<Result<String, Error>> = OnceLock::new();
    SOURCE
        .get_or_init(|| {
            let path = axe_script_path();
            std::fs::read_to_string(&path).map_err(|e| {
                format!(
                    "cannot read {} ({e}): install axe-core with scripts/setup.sh",
                    path.display()
                )
            })
        })
        .as_deref()
        .map_err(Clone::clone)
}

/// Runs axe-core on the document of the current browsing context (the
/// page, or a frame after [`Browser::switch_to_frame`]), injecting it
/// first if the page does not have it yet, and returns every violation.
pub fn audit(browser: &Browser) -> Result<Vec<Violation>, Error> {
    let present = browser.execute("return typeof window.axe === 'object'", vec![])?;
    if present != json!(true) {
        // WebDriver runs the script as a function body in the page, so
        // the page's content security policy does not apply; the bundle
        // sets `window.axe` itself.
        let script = format!("{}\n;return typeof window.axe;", axe_source()?);
        let kind = browser.execute(&script, vec![])?;
        if kind != json!("object") {
            return Err(format!("axe-core did not load: window.axe is {kind}"));
        }
    }
    browser.set_script_timeout(Duration::from_secs(120))?;
    let value = browser.execute_async(
        "const done = arguments[arguments.length - 1]; \
         const said = n => [...n.any, ...n.all, ...n.none].map(c => c.message).filter(Boolean)[0] || ''; \
         axe.run(document, { resultTypes: ['violations'], iframes: false }) \
           .then(r => done({ violations: r.violations.map(v => ({ \
               id: v.id, impact: v.impact || '', help: v.help, count: v.nodes.length, \
               targets: v.nodes.slice(0, arguments[0]).map(n => \
                 n.target.join(' >>> ') + (said(n) ? ' (' + said(n) + ')' : '')) })) })) \
           .catch(e => done({ error: String(e && e.stack || e) }));",
        vec![json!(TARGETS_SHOWN)],
    )?;
    if let Some(error) = value.get("error") {
        return Err(format!("axe.run failed: {error}"));
    }
    let violations = value["violations"]
        .as_array()
        .ok_or_else(|| format!("axe.run returned {value}"))?;
    Ok(violations.iter().map(violation).collect())
}

/// The violations of impact serious or critical (see [`audit`]).
pub fn serious_violations(browser: &Browser) -> Result<Vec<Violation>, Error> {
    Ok(audit(browser)?
        .into_iter()
        .filter(Violation::is_serious)
        .collect())
}

fn violation(v: &Value) -> Violation {
    let text = |key: &str| v[key].as_str().unwrap_or("").to_string();
    Violation {
        id: text("id"),
        impact: text("impact"),
        help: text("help"),
        count: v["count"].as_u64().unwrap_or(0) as usize,
        targets: v["targets"]
            .as_array()
            .map(|t| {
                t.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_violation_names_its_rule_impact_and_elements() {
        let v = violation(&json!({
            "id": "color-contrast", "impact": "serious",
            "help": "Elements must meet minimum color contrast ratio thresholds",
            "count": 5, "targets": [".a (contrast 2.1)", ".b", ".c"]
        }));
        assert!(v.is_serious());
        let text = v.to_string();
        assert!(text.starts_with("color-contrast (serious, 5 elements): Elements must"));
        assert!(text.contains("at .a (contrast 2.1)"));
        assert!(text.ends_with("and 2 more"));
        let minor = Violation {
            impact: "moderate".into(),
            ..v
        };
        assert!(!minor.is_serious());
    }
}
