//! Autosave in the browser's localStorage: the design as the same JSON a
//! file export holds, one slot per kata (and per embedded design).
//!
//! Nothing the learner made is ever overwritten silently:
//!
//! - an autosave that cannot be read is copied to a backup slot first, and
//!   the copy is read back before anything else may write the slot; the
//!   last [`BACKUPS`] such copies are kept. When the copy cannot be made
//!   (storage full, or the text too large to hold twice) the unreadable
//!   text is left where it is and autosave pauses until the learner
//!   downloads or discards it;
//! - each save remembers the text it wrote; a save that finds the slot
//!   holding something else (another tab saved since) does not write, and
//!   the page asks which design to keep.

use design::{format, Design, Diagnostic};

use crate::json;

/// How many backups of unreadable autosaves are kept per slot.
pub const BACKUPS: usize = 3;

/// What was found in the autosave slot.
#[derive(Debug, Clone, PartialEq)]
pub enum Restored {
    /// Nothing saved (or no storage).
    Nothing,
    /// A design, with the corrections the parser made while reading it.
    Design(Design, Vec<Diagnostic>),
    /// Text that is not a design we can read.
    Unreadable {
        /// Why, in words.
        reason: String,
        /// Where it is now.
        kept: Kept,
    },
}

/// Where an unreadable autosave was kept.
#[derive(Debug, Clone, PartialEq)]
pub enum Kept {
    /// Copied to this backup slot and read back; the autosave slot may be
    /// written again.
    Backup(String),
    /// Could not be copied: it stays in the autosave slot, which must not
    /// be written until the learner downloads or discards it.
    InPlace,
}

/// Why a save did not happen.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveError {
    /// The browser refused to store it (storage full or disabled).
    Refused,
    /// Saving is paused until the learner chooses (an unreadable autosave
    /// left in place, or a save from elsewhere not yet answered).
    Paused,
    /// The slot changed since this page last saved or read it: another
    /// tab (or embed) saved there. Nothing was written.
    ChangedElsewhere,
}

fn slot_key(slot: &str) -> String {
    format!("kata-playground/{slot}/design")
}

fn backup_key(slot: &str, n: u64) -> String {
    format!("kata-playground/{slot}/backup-{n}")
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The autosave of one slot, remembering what this page last read or
/// wrote there (so a change made elsewhere is noticed, not overwritten).
#[derive(Debug, Clone, Default)]
pub struct Autosave {
    slot: String,
    /// The slot's text as this page last saw it (`None`: empty).
    last_seen: Option<String>,
    /// Saving is paused: an unreadable autosave could not be backed up,
    /// or another tab saved and the learner has not chosen yet.
    paused: bool,
    /// A slot this one replaced (embeds once shared one): read when this
    /// slot is empty, never written.
    legacy: Option<String>,
}

impl Autosave {
    /// The autosave of `slot` (a kata id, or an embed's slot).
    pub fn new(slot: &str) -> Self {
        Autosave {
            slot: slot.to_string(),
            last_seen: None,
            paused: false,
            legacy: None,
        }
    }

    /// Reads `slot` when this one is empty (work saved before embeds had a
    /// slot each is not orphaned).
    pub fn with_legacy(mut self, slot: &str) -> Self {
        if slot != self.slot {
            self.legacy = Some(slot.to_string());
        }
        self
    }

    /// The localStorage key of the design.
    pub fn key(&self) -> String {
        slot_key(&self.slot)
    }

    /// Reads the slot (see [`Restored`]); an unreadable text is backed up
    /// first, and autosave pauses when it could not be.
    pub fn restore(&mut self) -> Restored {
        let Some(storage) = local_storage() else {
            return Restored::Nothing;
        };
        let Ok(Some(text)) = storage.get_item(&self.key()) else {
            self.last_seen = None;
            let legacy = self
                .legacy
                .as_deref()
                .and_then(|slot| storage.get_item(&slot_key(slot)).ok().flatten())
                .and_then(|text| json::parse_design(&text).ok());
            return match legacy {
                Some(parsed) => Restored::Design(parsed.design, parsed.diagnostics),
                None => Restored::Nothing,
            };
        };
        self.last_seen = Some(text.clone());
        match json::parse_design(&text) {
            Ok(parsed) => Restored::Design(parsed.design, parsed.diagnostics),
            Err(error) => {
                let kept = back_up(&storage, &self.slot, &text);
                if kept == Kept::InPlace {
                    self.paused = true;
                }
                Restored::Unreadable {
                    reason: error.to_string(),
                    kept,
                }
            }
        }
    }

    /// Saves `design` unless paused or the slot changed elsewhere since
    /// this page last saw it.
    pub fn save(&mut self, design: &Design) -> Result<(), SaveError> {
        if self.paused {
            return Err(SaveError::Paused);
        }
        let storage = local_storage().ok_or(SaveError::Refused)?;
        let now = storage.get_item(&self.key()).ok().flatten();
        if now != self.last_seen {
            self.paused = true;
            return Err(SaveError::ChangedElsewhere);
        }
        self.write(&storage, &format::to_json(design))
    }

    /// Saves `design` even though the slot changed elsewhere: the learner
    /// chose this page's design. Resumes autosave.
    pub fn overwrite(&mut self, design: &Design) -> Result<(), SaveError> {
        let storage = local_storage().ok_or(SaveError::Refused)?;
        self.paused = false;
        self.write(&storage, &format::to_json(design))
    }

    /// The learner took the other page's design (now on screen) or
    /// discarded an unreadable autosave: saving resumes from what the slot
    /// holds now.
    pub fn resume(&mut self) {
        self.last_seen = local_storage().and_then(|s| s.get_item(&self.key()).ok().flatten());
        self.paused = false;
    }

    /// Pauses saving until the learner chooses (another tab saved).
    pub fn pause(&mut self) {
        self.paused = true;
    }

    /// Whether `key`'s new value (from a `storage` event: another tab
    /// wrote) differs from what this page last saw in its slot.
    pub fn changed_elsewhere(&self, key: &str, new_value: Option<&str>) -> bool {
        key == self.key() && new_value != self.last_seen.as_deref()
    }

    /// The text in the slot now (to download an unreadable autosave).
    pub fn current_text(&self) -> Option<String> {
        local_storage()?.get_item(&self.key()).ok().flatten()
    }

    /// The design another page saved in this slot, if it reads.
    pub fn other_design(&self) -> Option<Design> {
        json::parse_design(&self.current_text()?)
            .ok()
            .map(|p| p.design)
    }

    fn write(&mut self, storage: &web_sys::Storage, text: &str) -> Result<(), SaveError> {
        storage
            .set_item(&self.key(), text)
            .map_err(|_| SaveError::Refused)?;
        self.last_seen = Some(text.to_string());
        Ok(())
    }
}

/// Copies an unreadable autosave to a new backup slot and reads it back;
/// keeps the newest [`BACKUPS`] backups of the slot.
fn back_up(storage: &web_sys::Storage, slot: &str, text: &str) -> Kept {
    let mut numbers = backup_numbers(storage, slot);
    // The same text backed up already (the page was reloaded): done.
    for &n in &numbers {
        if storage
            .get_item(&backup_key(slot, n))
            .ok()
            .flatten()
            .as_deref()
            == Some(text)
        {
            return Kept::Backup(backup_key(slot, n));
        }
    }
    let next = numbers.last().map_or(1, |n| n + 1);
    let key = backup_key(slot, next);
    let written = storage.set_item(&key, text).is_ok()
        && storage.get_item(&key).ok().flatten().as_deref() == Some(text);
    if !written {
        let _ = storage.remove_item(&key);
        return Kept::InPlace;
    }
    numbers.push(next);
    while numbers.len() > BACKUPS {
        let oldest = numbers.remove(0);
        let _ = storage.remove_item(&backup_key(slot, oldest));
    }
    Kept::Backup(key)
}

/// The numbers of a slot's backups, oldest first.
fn backup_numbers(storage: &web_sys::Storage, slot: &str) -> Vec<u64> {
    let prefix = format!("kata-playground/{slot}/backup-");
    let mut out = Vec::new();
    let len = storage.length().unwrap_or(0);
    for i in 0..len {
        if let Ok(Some(key)) = storage.key(i) {
            if let Some(n) = key
                .strip_prefix(&prefix)
                .and_then(|n| n.parse::<u64>().ok())
            {
                // Kept in order as they come: a slot has a few backups,
                // and a sort would be the only one in the page's first
                // download.
                let at = out.partition_point(|&m| m < n);
                out.insert(at, n);
            }
        }
    }
    out
}

/// The keys of a slot's backups, oldest first (tests and the help text).
pub fn backups(slot: &str) -> Vec<String> {
    local_storage()
        .map(|s| {
            backup_numbers(&s, slot)
                .into_iter()
                .map(|n| backup_key(slot, n))
                .collect()
        })
        .unwrap_or_default()
}

/// Forgets the autosave of `slot` and its backups (tests start clean).
pub fn forget(slot: &str) {
    if let Some(s) = local_storage() {
        let _ = s.remove_item(&slot_key(slot));
        for n in backup_numbers(&s, slot) {
            let _ = s.remove_item(&backup_key(slot, n));
        }
    }
}

/// The slot of an embedded playground: `?slot=NAME` when the course page
/// gives one, else one per starting design (a hash of the link it opens
/// with), so two embeds on one page keep their own work.
pub fn embed_slot(base: &str, explicit: Option<&str>, link: Option<&str>) -> String {
    match (explicit, link) {
        (Some(name), _) => format!("{base}/{}", sanitise(name)),
        (None, Some(link)) => format!("{base}/{:016x}", fnv1a(link.as_bytes())),
        (None, None) => base.to_string(),
    }
}

/// A slot name of letters, digits, `-`, `_` and `.`; a name that loses
/// characters on the way gets its hash too, so two names never share a
/// slot by accident ("日本" and "中文").
fn sanitise(name: &str) -> String {
    let kept: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .take(64)
        .collect();
    if kept == name {
        kept
    } else {
        format!("{kept}-{:08x}", fnv1a(name.as_bytes()) as u32)
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
