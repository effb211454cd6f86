//! The messages shown to the learner over the canvas, and which of them
//! stay.
//!
//! Two kinds of notice:
//! - a *passing* notice ("Added Cache to the canvas.") says what just
//!   happened and fades; the next passing notice replaces it;
//! - a *lasting* notice says what was repaired or refused in the learner's
//!   input (a link, a file, an autosave, a course message) or that part of
//!   the page is missing. It stays until dismissed: no later notice, of
//!   either kind, takes its place (up to [`LASTING_LIMIT`] of them), so
//!   two things said at startup (a repaired link and a malformed
//!   `?allow=`) are both on screen.
//!
//! The list of lasting notices is short ([`LASTING_LIMIT`]): a newer one
//! pushes out the oldest, and one that repeats a notice on screen word for
//! word takes that notice's place instead of showing twice. A lasting
//! notice about a passing state of the page (a part of it missing) names
//! it, and is withdrawn when that state is over ([`Notices::withdraw`]):
//! it would be false from then on.

/// How many lasting notices are shown at once.
pub const LASTING_LIMIT: usize = 3;

/// How many notices are shown at once: the lasting ones and a passing one.
pub const SHOWN_AT_ONCE: usize = LASTING_LIMIT + 1;

/// One message for the learner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The words shown.
    pub text: String,
    /// Unique among the notices of one [`Notices`], and increasing: a
    /// repeated message gets a new one, so it is announced again, and a
    /// fading timer knows whether its notice is still the one shown.
    pub serial: u64,
    /// Whether it stays until dismissed.
    pub lasting: bool,
    /// The state of the page it is about, if it is withdrawn when that is
    /// over.
    pub about: Option<&'static str>,
}

/// The notices on screen: the lasting ones, oldest first, then the
/// passing one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notices {
    lasting: Vec<Notice>,
    passing: Option<Notice>,
    last_serial: u64,
}

impl Notices {
    /// No notices.
    pub fn new() -> Self {
        Self::default()
    }

    /// Shows `text`, lasting or passing, and returns its serial.
    pub fn show(&mut self, text: String, lasting: bool) -> u64 {
        self.show_notice(text, lasting, None)
    }

    /// Shows `text` as a lasting notice about `about`, a state of the page
    /// that will be over (then [`Notices::withdraw`] takes it away), and
    /// returns its serial.
    pub fn show_about(&mut self, about: &'static str, text: String) -> u64 {
        self.show_notice(text, true, Some(about))
    }

    /// Takes away every notice about `about`, whose state is over; `false`
    /// if none was shown.
    pub fn withdraw(&mut self, about: &'static str) -> bool {
        let before = self.lasting.len();
        self.lasting.retain(|n| n.about != Some(about));
        self.lasting.len() != before
    }

    fn show_notice(&mut self, text: String, lasting: bool, about: Option<&'static str>) -> u64 {
        self.last_serial += 1;
        let notice = Notice {
            text,
            serial: self.last_serial,
            lasting,
            about,
        };
        if lasting {
            self.lasting.retain(|n| n.text != notice.text);
            if self.lasting.len() >= LASTING_LIMIT {
                self.lasting.remove(0);
            }
            self.lasting.push(notice);
        } else {
            self.passing = Some(notice);
        }
        self.last_serial
    }

    /// Removes the notice with `serial`, lasting or passing; `false` if it
    /// is not shown (already dismissed, faded or pushed out).
    pub fn dismiss(&mut self, serial: u64) -> bool {
        if self.passing.as_ref().is_some_and(|n| n.serial == serial) {
            self.passing = None;
            return true;
        }
        let before = self.lasting.len();
        self.lasting.retain(|n| n.serial != serial);
        self.lasting.len() != before
    }

    /// The passing notice's serial, if one is shown (its fading timer
    /// starts from it).
    pub fn passing_serial(&self) -> Option<u64> {
        self.passing.as_ref().map(|n| n.serial)
    }

    /// The notices in the order shown: lasting ones oldest first, then the
    /// passing one.
    pub fn shown(&self) -> impl Iterator<Item = &Notice> {
        self.lasting.iter().chain(&self.passing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(notices: &Notices) -> Vec<&str> {
        notices.shown().map(|n| n.text.as_str()).collect()
    }

    #[test]
    fn a_passing_notice_does_not_replace_a_lasting_one() {
        let mut notices = Notices::new();
        notices.show("The link was repaired.".into(), true);
        notices.show("Added Cache to the canvas.".into(), false);
        assert_eq!(
            texts(&notices),
            ["The link was repaired.", "Added Cache to the canvas."]
        );
        notices.show("Connection cancelled.".into(), false);
        assert_eq!(
            texts(&notices),
            ["The link was repaired.", "Connection cancelled."]
        );
    }

    #[test]
    fn lasting_notices_all_stay_up_to_the_limit() {
        let mut notices = Notices::new();
        for i in 0..LASTING_LIMIT + 2 {
            notices.show(format!("note {i}"), true);
        }
        let expected: Vec<String> = (2..LASTING_LIMIT + 2)
            .map(|i| format!("note {i}"))
            .collect();
        assert_eq!(texts(&notices), expected);
    }

    #[test]
    fn a_repeated_lasting_notice_shows_once_as_the_newest() {
        let mut notices = Notices::new();
        let first = notices.show("That key did nothing.".into(), true);
        notices.show("The autosave was repaired.".into(), true);
        let again = notices.show("That key did nothing.".into(), true);
        assert!(again > first);
        assert_eq!(
            texts(&notices),
            ["The autosave was repaired.", "That key did nothing."]
        );
        assert!(!notices.dismiss(first), "the older copy is gone");
        assert!(notices.dismiss(again));
        assert_eq!(texts(&notices), ["The autosave was repaired."]);
    }

    #[test]
    fn dismissing_removes_only_that_notice() {
        let mut notices = Notices::new();
        let a = notices.show("a".into(), true);
        let b = notices.show("b".into(), true);
        let c = notices.show("c".into(), false);
        assert_eq!(notices.passing_serial(), Some(c));
        assert!(notices.dismiss(a));
        assert_eq!(texts(&notices), ["b", "c"]);
        assert!(notices.dismiss(c));
        assert_eq!(notices.passing_serial(), None);
        assert!(!notices.dismiss(c));
        assert!(notices.dismiss(b));
        assert_eq!(notices.shown().count(), 0);
    }

    #[test]
    fn notices_about_a_state_are_withdrawn_when_it_is_over() {
        let mut notices = Notices::new();
        notices.show("The link was repaired.".into(), true);
        notices.show_about("part", "Part of the page is missing.".into());
        notices.show_about("part", "That key did nothing.".into());
        notices.show("Added Cache.".into(), false);
        assert!(notices.withdraw("part"));
        assert_eq!(texts(&notices), ["The link was repaired.", "Added Cache."]);
        assert!(!notices.withdraw("part"), "nothing left about it");
    }

    #[test]
    fn serials_increase_across_both_kinds() {
        let mut notices = Notices::new();
        let serials: Vec<u64> = (0..6)
            .map(|i| notices.show(format!("{i}"), i % 2 == 0))
            .collect();
        assert!(serials.windows(2).all(|w| w[0] < w[1]));
    }
}
