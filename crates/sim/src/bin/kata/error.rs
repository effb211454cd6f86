//! The one error type of the tool; `main` prints it and maps it to the
//! exit code.

use std::fmt;
use std::io;

/// Why `kata` stopped without a result.
#[derive(Debug)]
pub enum CliError {
    /// The command line asks for something unknown or out of bounds.
    Usage(String),
    /// The design (a file, standard input or a link) or the kata cannot be
    /// used.
    Input(String),
    /// The result could not be written to standard output (a full disk, a
    /// closed file…; a closed pipe is not an error, see `output::emit`).
    Output(io::Error),
}

impl CliError {
    /// The process's exit code: 2 for every error (0 and 1 are the grade's).
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) | CliError::Input(_) | CliError::Output(_) => 2,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(m) | CliError::Input(m) => f.write_str(m),
            CliError::Output(e) => write!(f, "could not write the output: {e}"),
        }
    }
}

/// `context: message`, the message's first letter made small when it
/// starts a sentence of its own ("This is not a design…" → "this is not a
/// design…"), so the line reads as one sentence and ends with the
/// message's own full stop, never a second one.
pub fn within(context: &str, message: &str) -> String {
    let mut chars = message.chars();
    let first = match chars.next() {
        Some(c) if c.is_uppercase() && !chars.clone().next().is_some_and(char::is_uppercase) => {
            c.to_lowercase().collect::<String>()
        }
        Some(c) => c.to_string(),
        None => String::new(),
    };
    format!("{context}: {first}{}", chars.as_str())
}
