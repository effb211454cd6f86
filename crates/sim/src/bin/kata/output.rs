//! Writing results and messages. Results go to standard output through
//! `emit`, which never panics: a reader that went away (`kata … | head`)
//! ends the output quietly, any other failure is a `CliError::Output`.

use std::io::{self, ErrorKind, Write};

use crate::error::CliError;

/// Writes `text` (and a final newline if it has none) to standard output.
/// A closed pipe counts as done: whoever reads stopped wanting more.
pub fn emit(text: &str) -> Result<(), CliError> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let written = write!(out, "{text}")
        .and_then(|()| {
            if text.ends_with('\n') {
                Ok(())
            } else {
                writeln!(out)
            }
        })
        .and_then(|()| out.flush());
    match written {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Output(e)),
    }
}

/// Writes `kata: message` on standard error. If even that fails there is
/// nobody left to tell, so the failure is ignored.
pub fn say(message: &str) {
    let _ = writeln!(io::stderr().lock(), "kata: {message}");
}

/// Writes `text` as it is on standard error (progress lines); failures are
/// ignored as in `say`.
pub fn whisper(text: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}
