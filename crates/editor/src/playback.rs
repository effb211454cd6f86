//! Playback of a finished run: where the timeline cursor is, whether it is
//! playing and how fast. Wall time in, simulated time out; the app calls
//! [`Playback::advance`] from a timer while playing.

/// How fast simulated time passes while playing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speed {
    /// One simulated second per second.
    X1,
    /// Ten simulated seconds per second.
    X10,
    /// A simulated minute per second.
    X60,
    /// Straight to the end.
    Instant,
}

impl Speed {
    /// Every speed, slowest first, with its label.
    pub const ALL: [(Speed, &'static str); 4] = [
        (Speed::X1, "1×"),
        (Speed::X10, "10×"),
        (Speed::X60, "60×"),
        (Speed::Instant, "Instant"),
    ];

    /// Simulated seconds per wall-clock second (`None`: instant).
    pub fn factor(self) -> Option<f64> {
        match self {
            Speed::X1 => Some(1.0),
            Speed::X10 => Some(10.0),
            Speed::X60 => Some(60.0),
            Speed::Instant => None,
        }
    }
}

/// The timeline cursor of one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Playback {
    duration_s: f64,
    position_s: f64,
    playing: bool,
    speed: Speed,
}

impl Playback {
    /// A stopped playback at the start of a run `duration_s` long.
    pub fn new(duration_s: f64) -> Self {
        Playback {
            duration_s: if duration_s.is_finite() {
                duration_s.max(0.0)
            } else {
                0.0
            },
            position_s: 0.0,
            playing: false,
            speed: Speed::X60,
        }
    }

    /// The run's length in simulated seconds.
    pub fn duration_s(&self) -> f64 {
        self.duration_s
    }

    /// Where the cursor is, in simulated seconds.
    pub fn position_s(&self) -> f64 {
        self.position_s
    }

    /// Whether time is passing.
    pub fn is_playing(&self) -> bool {
        self.playing
    }

    /// Whether the cursor is at the end.
    pub fn at_end(&self) -> bool {
        self.position_s >= self.duration_s
    }

    /// The speed.
    pub fn speed(&self) -> Speed {
        self.speed
    }

    /// Starts playing (from the start again if at the end); at instant
    /// speed, jumps to the end.
    pub fn play(&mut self) {
        if self.at_end() {
            self.position_s = 0.0;
        }
        if self.speed == Speed::Instant {
            self.position_s = self.duration_s;
            self.playing = false;
        } else {
            self.playing = true;
        }
    }

    /// Stops time where it is.
    pub fn pause(&mut self) {
        self.playing = false;
    }

    /// Play if paused, pause if playing.
    pub fn toggle(&mut self) {
        if self.playing {
            self.pause();
        } else {
            self.play();
        }
    }

    /// Moves the cursor by `by_s` simulated seconds (a step), pausing.
    pub fn step(&mut self, by_s: f64) {
        self.playing = false;
        self.seek(self.position_s + by_s);
    }

    /// Puts the cursor at `t_s` (scrubbing), within the run.
    pub fn seek(&mut self, t_s: f64) {
        if t_s.is_finite() {
            self.position_s = design::number::clamp(t_s, 0.0, self.duration_s);
        }
    }

    /// Back to the start, paused.
    pub fn restart(&mut self) {
        self.position_s = 0.0;
        self.playing = false;
    }

    /// Changes the speed; instant jumps to the end.
    pub fn set_speed(&mut self, speed: Speed) {
        self.speed = speed;
        if speed == Speed::Instant {
            self.position_s = self.duration_s;
            self.playing = false;
        }
    }

    /// Lets `wall_s` seconds of real time pass. Returns whether the cursor
    /// moved; stops at the end.
    pub fn advance(&mut self, wall_s: f64) -> bool {
        if !self.playing || wall_s.is_nan() || wall_s <= 0.0 {
            return false;
        }
        let before = self.position_s;
        match self.speed.factor() {
            Some(factor) => {
                self.position_s = (self.position_s + wall_s * factor).min(self.duration_s)
            }
            None => self.position_s = self.duration_s,
        }
        if self.at_end() {
            self.playing = false;
        }
        self.position_s != before
    }

    /// The index of the series point at or before the cursor, for a series
    /// sampled every `every_s` seconds with `len` points.
    pub fn series_index(&self, every_s: u32, len: usize) -> Option<usize> {
        if len == 0 || every_s == 0 {
            return None;
        }
        let i = (self.position_s / f64::from(every_s)).floor() as usize;
        Some(i.min(len - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plays_at_speed_and_stops_at_the_end() {
        let mut p = Playback::new(3600.0);
        p.set_speed(Speed::X60);
        p.play();
        assert!(p.advance(1.0));
        assert_eq!(p.position_s(), 60.0);
        p.advance(100.0);
        assert_eq!(p.position_s(), 3600.0);
        assert!(!p.is_playing() && p.at_end());
        p.play();
        assert_eq!(p.position_s(), 0.0, "play at the end starts over");
    }

    #[test]
    fn nothing_moves_while_paused() {
        let mut p = Playback::new(100.0);
        assert!(!p.advance(5.0));
        p.play();
        p.pause();
        assert!(!p.advance(5.0));
        assert_eq!(p.position_s(), 0.0);
    }

    #[test]
    fn step_seek_and_instant() {
        let mut p = Playback::new(600.0);
        p.play();
        p.step(10.0);
        assert!(!p.is_playing());
        assert_eq!(p.position_s(), 10.0);
        p.seek(-5.0);
        assert_eq!(p.position_s(), 0.0);
        p.seek(f64::NAN);
        assert_eq!(p.position_s(), 0.0);
        p.set_speed(Speed::Instant);
        assert!(p.at_end());
        assert_eq!(p.series_index(10, 61), Some(60));
        p.restart();
        assert_eq!(p.series_index(10, 61), Some(0));
        assert_eq!(p.series_index(10, 0), None);
    }
}
