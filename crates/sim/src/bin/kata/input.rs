//! Reading a design: a file of any kind (`/dev/zero` and pipes included),
//! standard input (`-`) or a share link. Never more than
//! `MAX_INPUT_BYTES` + 1 bytes are read, whatever the source.

use std::io::{self, ErrorKind, Read};
use std::path::Path;

use crate::error::{within, CliError};
use crate::limits::{input_limit, MAX_INPUT_BYTES};

/// A design read from the command line, with the kata and seed a link
/// carries and what had to be repaired while reading it.
pub struct Input {
    pub design: design::Design,
    pub kata: Option<String>,
    pub seed: Option<u64>,
    pub diagnostics: Vec<design::Diagnostic>,
}

/// True for text that reads as a share link rather than a path or JSON.
fn looks_like_link(text: &str) -> bool {
    let t = text.trim();
    let versioned = t
        .strip_prefix('d')
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(digits, _)| {
            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
        });
    versioned || t.starts_with("#d") || t.contains("://") || t.contains("#d")
}

/// The design named on the command line: `-` (standard input), a file
/// holding JSON or a link, or a link.
pub fn read_design(arg: &str) -> Result<Input, CliError> {
    let (name, text) = if arg == "-" {
        let name = "standard input".to_string();
        let text = read_bounded(io::stdin().lock(), &name)?;
        (name, text)
    } else {
        let name = format!("“{arg}”");
        match std::fs::metadata(arg) {
            Ok(meta) if meta.is_dir() => {
                return Err(CliError::Input(format!(
                    "{name} is a folder; a design is a JSON file or a share link"
                )))
            }
            Ok(_) => {
                let file = std::fs::File::open(Path::new(arg))
                    .map_err(|e| CliError::Input(format!("could not read {name}: {e}")))?;
                let text = read_bounded(file, &name)?;
                (name, text)
            }
            Err(_) if looks_like_link(arg) => return from_link(arg, None),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Err(CliError::Input(format!(
                    "{name} is neither a file nor a share link (a link looks like d2.… or https://…#d2.…; old d1.… links still open)"
                )))
            }
            Err(e) => return Err(CliError::Input(format!("could not read {name}: {e}"))),
        }
    };
    if !text.trim_start().starts_with('{') && looks_like_link(&text) {
        return from_link(&text, Some(&name));
    }
    let parsed =
        design::format::parse(&text).map_err(|e| CliError::Input(within(&name, &e.to_string())))?;
    Ok(Input {
        design: parsed.design,
        kata: None,
        seed: None,
        diagnostics: parsed.diagnostics,
    })
}

/// A design from link text; `name` is where the text came from, if not
/// the command line itself.
fn from_link(text: &str, name: Option<&str>) -> Result<Input, CliError> {
    let shared = design::share::decode(text).map_err(|e| {
        CliError::Input(match name {
            Some(name) => within(name, &e.to_string()),
            None => e.to_string(),
        })
    })?;
    Ok(Input {
        kata: (!shared.kata.is_empty()).then(|| shared.kata.clone()),
        seed: Some(shared.seed),
        design: shared.design,
        diagnostics: shared.diagnostics,
    })
}

/// Reads at most `MAX_INPUT_BYTES` + 1 bytes of `source` (named `name` in
/// messages) and refuses more, or text that is not UTF-8, in words.
fn read_bounded(source: impl Read, name: &str) -> Result<String, CliError> {
    let mut bytes = Vec::new();
    source
        .take(MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::Input(format!("could not read {name}: {e}")))?;
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(CliError::Input(format!(
            "{name} is larger than {}, the most a design may be; a design is a JSON file or a share link",
            input_limit()
        )));
    }
    String::from_utf8(bytes).map_err(|_| {
        CliError::Input(format!(
            "{name} is not a text file (it is not valid UTF-8); a design is a JSON file or a share link"
        ))
    })
}

/// A kata being written, from its folder: `kata.json` and
/// `designs/starter.json` inside it (the layout of `katas/<id>/`), read
/// with `Kata::from_json`. Each file is read up to the design limit.
pub fn read_kata_dir(dir: &Path) -> Result<sim::kata::Kata, CliError> {
    let read = |file: &str| -> Result<String, CliError> {
        let path = dir.join(file);
        let name = format!("“{}”", path.display());
        let opened = std::fs::File::open(&path)
            .map_err(|e| CliError::Input(format!("could not read {name}: {e}")))?;
        let mut bytes = Vec::new();
        opened
            .take(MAX_INPUT_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::Input(format!("could not read {name}: {e}")))?;
        if bytes.len() > MAX_INPUT_BYTES {
            return Err(CliError::Input(format!(
                "{name} is larger than {}, the most a kata file may be",
                input_limit()
            )));
        }
        String::from_utf8(bytes)
            .map_err(|_| CliError::Input(format!("{name} is not a text file (not valid UTF-8)")))
    };
    let kata = read("kata.json")?;
    let starter = read("designs/starter.json")?;
    sim::kata::Kata::from_json(&kata, &starter).map_err(|e| CliError::Input(e.to_string()))
}
