//! Autoscaling of API instances (target tracking, as cloud autoscalers do):
//! utilisation is averaged over each minute; three minutes in a row above
//! the target scale out to ⌈n·u/target⌉ instances, which take traffic after
//! the boot time; fifteen minutes in a row below 90 % of the target scale in.

/// Scale-out evaluations needed in a row.
pub(crate) const BREACHES: u32 = 3;
/// Scale-in evaluations needed in a row (15 minutes).
pub(crate) const CALM: u32 = 15;
/// Seconds per evaluation.
pub(crate) const PERIOD_S: u32 = 60;

/// What the autoscaler did in a tick.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Scale {
    /// Decided to grow from `from` to `to` instances.
    Out { from: u32, to: u32 },
    /// Booted instances started taking traffic; `running` now.
    Ready { running: u32 },
    /// Removed instances: from `from` to `to`.
    In { from: u32, to: u32 },
}

/// One API node's autoscaler.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Autoscaler {
    enabled: bool,
    min: u32,
    max: u32,
    target: f64,
    boot_s: f64,
    running: u32,
    booting: Vec<(f64, u32)>,
    busy: f64,
    samples: u32,
    breaches: u32,
    calm: u32,
}

impl Autoscaler {
    pub(crate) fn new(enabled: bool, min: u32, max: u32, target: f64, boot_s: f64) -> Self {
        let min = min.max(1);
        Autoscaler {
            enabled,
            min,
            max: max.max(min),
            target: if target > 0.0 { target } else { 0.6 },
            boot_s: boot_s.max(0.0),
            running: min,
            booting: Vec::with_capacity(16),
            busy: 0.0,
            samples: 0,
            breaches: 0,
            calm: 0,
        }
    }

    /// Instances taking traffic.
    pub(crate) fn running(&self) -> u32 {
        self.running
    }

    /// Instances paid for: running and booting.
    pub(crate) fn billed(&self) -> u32 {
        self.running + self.booting.iter().map(|b| b.1).sum::<u32>()
    }

    /// True when instances are booting.
    pub(crate) fn booting(&self) -> bool {
        !self.booting.is_empty()
    }

    /// Records `ticks` ticks at `utilisation` that end no minute (the
    /// same as that many calls of [`Autoscaler::end_of_tick`] that decide
    /// nothing, up to rounding).
    pub(crate) fn record(&mut self, ticks: u32, utilisation: f64) {
        if !self.enabled || ticks == 0 {
            return;
        }
        let u = if utilisation.is_finite() {
            utilisation.clamp(0.0, 1.0)
        } else {
            1.0
        };
        self.busy += f64::from(ticks) * u;
        self.samples += ticks;
    }

    /// Ticks recorded since the last evaluation, and their summed
    /// utilisation.
    #[cfg(test)]
    pub(crate) fn recorded(&self) -> (u32, f64) {
        (self.samples, self.busy)
    }

    /// Instances that booted by time `t` start taking traffic.
    pub(crate) fn start_of_tick(&mut self, t: f64) -> Option<Scale> {
        if self.booting.is_empty() {
            return None;
        }
        let before = self.running;
        let mut i = 0;
        while i < self.booting.len() {
            if self.booting[i].0 <= t {
                self.running += self.booting[i].1;
                self.booting.remove(i);
            } else {
                i += 1;
            }
        }
        (self.running != before).then_some(Scale::Ready {
            running: self.running,
        })
    }

    /// Records the tick's utilisation; at the end of each minute, decides.
    /// `t` is the tick's start.
    pub(crate) fn end_of_tick(&mut self, t: u32, utilisation: f64) -> Option<Scale> {
        self.record(1, utilisation);
        self.evaluate(t)
    }

    /// True when tick `t` ends a minute, so that [`Autoscaler::evaluate`]
    /// decides at its end.
    pub(crate) fn evaluates_at(&self, t: u32) -> bool {
        self.enabled && (t + 1) % PERIOD_S == 0
    }

    /// What [`Autoscaler::evaluate`] would decide at the end of tick `t`
    /// after `ticks` more ticks at `utilisation` were recorded; changes
    /// nothing.
    pub(crate) fn would_act(&self, t: u32, ticks: u32, utilisation: f64) -> bool {
        let mut probe = self.clone();
        probe.record(ticks, utilisation);
        probe.evaluate(t).is_some()
    }

    /// At the end of each minute (`t` the tick's start), decides from the
    /// utilisation recorded since the last decision; otherwise nothing.
    pub(crate) fn evaluate(&mut self, t: u32) -> Option<Scale> {
        if !self.evaluates_at(t) {
            return None;
        }
        let u = self.busy / f64::from(self.samples.max(1));
        self.busy = 0.0;
        self.samples = 0;
        let total = self.billed();
        if u > self.target {
            self.breaches += 1;
            self.calm = 0;
        } else {
            self.breaches = 0;
            self.calm = if u < 0.9 * self.target {
                self.calm + 1
            } else {
                0
            };
        }
        if self.breaches >= BREACHES {
            self.breaches = 0;
            let want = libm::ceil(f64::from(total) * u / self.target);
            let want = (want.min(f64::from(self.max)) as u32).max(self.min);
            if want > total {
                self.booting
                    .push((f64::from(t + 1) + self.boot_s, want - total));
                if self.boot_s <= 0.0 {
                    self.start_of_tick(f64::from(t + 1));
                }
                return Some(Scale::Out {
                    from: total,
                    to: want,
                });
            }
        }
        if self.calm >= CALM && self.booting.is_empty() {
            self.calm = 0;
            let want = libm::ceil(f64::from(total) * u / self.target);
            let want = (want.max(f64::from(self.min)) as u32).min(self.max);
            if want < self.running {
                let from = self.running;
                self.running = want;
                return Some(Scale::In { from, to: want });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_out_after_three_minutes_and_boots() {
        let mut a = Autoscaler::new(true, 2, 10, 0.5, 90.0);
        let mut decided = None;
        for t in 0..180 {
            a.start_of_tick(f64::from(t));
            if let Some(s) = a.end_of_tick(t, 1.0) {
                decided = Some((t, s));
            }
        }
        assert_eq!(decided, Some((179, Scale::Out { from: 2, to: 4 })));
        assert_eq!(a.running(), 2);
        assert_eq!(a.billed(), 4);
        assert_eq!(a.start_of_tick(270.0), Some(Scale::Ready { running: 4 }));
    }

    #[test]
    fn scales_in_after_fifteen_quiet_minutes() {
        let mut a = Autoscaler::new(true, 2, 10, 0.5, 0.0);
        for t in 0..180 {
            a.start_of_tick(f64::from(t));
            a.end_of_tick(t, 1.0);
        }
        assert_eq!(a.running(), 4);
        let mut ev = Vec::new();
        for t in 180..180 + 15 * 60 {
            if let Some(s) = a.end_of_tick(t, 0.05) {
                ev.push(s);
            }
        }
        assert_eq!(ev, vec![Scale::In { from: 4, to: 2 }]);
        let mut off = Autoscaler::new(false, 3, 3, 0.5, 0.0);
        assert_eq!(off.end_of_tick(59, 1.0), None);
        assert_eq!(off.running(), 3);
    }
}
