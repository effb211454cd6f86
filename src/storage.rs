//! Autosave in the browser's localStorage: the design as the same JSON a
//! file export holds, one slot per kata.

use design::{format, Design, Diagnostic};

/// Why a saved design could not be restored.
#[derive(Debug, Clone, PartialEq)]
pub enum RestoreError {
    /// The saved text is not a design we can read; it is kept in a backup
    /// slot so nothing is lost.
    Unreadable(String),
}

impl std::fmt::Display for RestoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RestoreError::Unreadable(reason) => write!(
                f,
                "your autosaved design could not be read ({reason}); it was kept aside and the starter design is shown"
            ),
        }
    }
}

fn slot(kata: &str) -> String {
    format!("kata-playground/{kata}/design")
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Saves the design for `kata`. Storage can be full or disabled (private
/// windows); saving is best-effort and says whether it worked.
pub fn save(kata: &str, design: &Design) -> bool {
    local_storage()
        .map(|s| s.set_item(&slot(kata), &format::to_json(design)).is_ok())
        .unwrap_or(false)
}

/// The autosaved design for `kata`, if there is one, with the notes the
/// parser made while reading it.
pub fn restore(kata: &str) -> Result<Option<(Design, Vec<Diagnostic>)>, RestoreError> {
    let Some(storage) = local_storage() else {
        return Ok(None);
    };
    let Ok(Some(text)) = storage.get_item(&slot(kata)) else {
        return Ok(None);
    };
    match format::parse(&text) {
        Ok(parsed) => Ok(Some((parsed.design, parsed.diagnostics))),
        Err(error) => {
            // Keep the unreadable text: the next autosave must not erase it.
            let _ = storage.set_item(&format!("{}.unreadable", slot(kata)), &text);
            Err(RestoreError::Unreadable(error.to_string()))
        }
    }
}

/// Forgets the autosave of `kata` (tests use it to start clean).
pub fn forget(kata: &str) {
    if let Some(s) = local_storage() {
        let _ = s.remove_item(&slot(kata));
    }
}
