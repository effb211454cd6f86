//! The stylesheets keep to their type scale (the comment at the top of
//! `style/main.css`; `style/later.css` keeps to it too): the page's text takes its sizes from the `--text-*`
//! variables, its weights are regular and 600, and nothing is italic. The
//! SVG canvas's labels alone have pixel sizes (scaled with the zoom) and
//! may be bold. index.html looks the scale's fonts up while the wasm
//! downloads; a size or style off the scale would be looked up in the
//! middle of a later layout, a long task on Linux (5-25 ms a font here).
//! Reads the file; needs no build.

use e2e::workspace_root;

/// `(selector, declarations)` of every rule, comments removed; a rule
/// inside an `@media` block comes with its own selector.
fn rules(css: &str) -> Vec<(String, String)> {
    let mut text = String::new();
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        rest = rest[start..]
            .find("*/")
            .map_or("", |end| &rest[start + end + 2..]);
    }
    text.push_str(rest);
    let mut out = Vec::new();
    let mut selector = String::new();
    for piece in text.split_inclusive(['{', '}']) {
        if let Some(head) = piece.strip_suffix('{') {
            selector = head.trim().to_string();
        } else if let Some(body) = piece.strip_suffix('}') {
            if body.contains(':') {
                out.push((selector.clone(), body.trim().to_string()));
            }
            selector.clear();
        }
    }
    out
}

/// The declarations `name: value` of a rule's body.
fn declarations(body: &str) -> impl Iterator<Item = (&str, &str)> {
    body.split(';').filter_map(|d| {
        let (name, value) = d.split_once(':')?;
        Some((name.trim(), value.trim()))
    })
}

/// What breaks the type scale in `css`, one line each.
fn off_scale(css: &str) -> Vec<String> {
    let mut wrong = Vec::new();
    for (selector, body) in rules(css) {
        let svg = selector.starts_with("svg.canvas");
        for (name, value) in declarations(&body) {
            let ok = match name {
                "font-size" => value.starts_with("var(--text-") || (svg && value.ends_with("px")),
                "font" => {
                    value == "inherit"
                        || value.starts_with("var(--text-")
                        // The base size every rem is counted from.
                        || (selector == "html, body" && value == "15px/1.5 var(--font)")
                }
                "font-weight" => matches!(value, "400" | "600") || (svg && value == "700"),
                "font-style" => value == "normal",
                _ => true,
            };
            if !ok {
                wrong.push(format!("{selector} {{ {name}: {value} }}"));
            }
        }
    }
    wrong
}

#[test]
fn the_stylesheet_keeps_to_its_type_scale() {
    let css =
        std::fs::read_to_string(workspace_root().join("style/main.css")).expect("style/main.css");
    let scale: Vec<(String, String)> = rules(&css)
        .into_iter()
        .filter(|(selector, _)| selector == ":root")
        .flat_map(|(_, body)| {
            declarations(&body)
                .filter(|(name, _)| name.starts_with("--text-"))
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(scale.len(), 6, "the six sizes of the scale: {scale:?}");
    let wrong = off_scale(&css);
    assert!(wrong.is_empty(), "off the type scale: {wrong:#?}");
    // The later part's styles keep to the same scale.
    let later =
        std::fs::read_to_string(workspace_root().join("style/later.css")).expect("style/later.css");
    assert!(later.contains(".dialog"), "the later part's styles");
    let wrong = off_scale(&later);
    assert!(
        wrong.is_empty(),
        "off the type scale in style/later.css: {wrong:#?}"
    );
    // index.html finds the scale by the variables' prefix.
    let index = std::fs::read_to_string(workspace_root().join("index.html")).expect("index.html");
    assert!(index.contains("\"--text-\"") && index.contains("warmFonts"));
}

#[test]
fn sizes_weights_and_styles_off_the_scale_are_found() {
    let css = "/* a { font-size: 13px } */\n\
               :root { --text-90: 0.9rem; }\n\
               .a { font-size: var(--text-90); font-weight: 600; }\n\
               .b { font-size: 0.82rem; }\n\
               @media (max-width: 10px) { .c { font-weight: 700; } }\n\
               .d { font-style: italic; }\n\
               .e { font: 0.9rem/1.4 monospace; }\n\
               svg.canvas .f { font-size: 14px; font-weight: 700; }\n\
               .g { font-size: 14px; }";
    assert_eq!(
        off_scale(css),
        [
            ".b { font-size: 0.82rem }",
            ".c { font-weight: 700 }",
            ".d { font-style: italic }",
            ".e { font: 0.9rem/1.4 monospace }",
            ".g { font-size: 14px }",
        ]
    );
}
