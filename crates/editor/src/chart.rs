//! Chart geometry for the run's time series: scales, "nice" axis maxima,
//! SVG line paths and value look-ups under a hover cursor. Drawing is the
//! app's; the numbers are here so they are tested natively. Numbers are
//! written with `design::number` (the standard library's float formatter
//! is not in the page's first download).

use design::number::fixed;

/// Maps (time, value) into a chart's box: x grows with time from 0 to
/// `width`, y grows downwards from `height` (value 0) to 0 (`y_max`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    /// The time at the right edge, in seconds.
    pub t_max: f64,
    /// The value at the top edge.
    pub y_max: f64,
    /// The box's width.
    pub width: f64,
    /// The box's height.
    pub height: f64,
}

impl Scale {
    /// The x of a time.
    pub fn x(&self, t_s: f64) -> f64 {
        if self.t_max <= 0.0 {
            return 0.0;
        }
        (t_s / self.t_max).clamp(0.0, 1.0) * self.width
    }

    /// The y of a value (values above `y_max` are drawn at the top).
    pub fn y(&self, value: f64) -> f64 {
        if self.y_max <= 0.0 || !value.is_finite() {
            return self.height;
        }
        self.height - (value / self.y_max).clamp(0.0, 1.0) * self.height
    }

    /// The time under an x (for hovering).
    pub fn t_at(&self, x: f64) -> f64 {
        if self.width <= 0.0 {
            return 0.0;
        }
        (x / self.width).clamp(0.0, 1.0) * self.t_max
    }
}

/// The smallest of 1, 2, 2.5, 5 × 10ᵏ at or above `v` (an axis maximum a
/// person reads easily); 1 for zero or invalid input.
pub fn nice_max(v: f64) -> f64 {
    if !v.is_finite() || v <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(v.log10().floor());
    for step in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if step * magnitude >= v * (1.0 - 1e-12) {
            return step * magnitude;
        }
    }
    10.0 * magnitude
}

/// An SVG path through the points, skipping non-finite values (a gap).
pub fn line_path(t_s: &[u32], values: &[f32], scale: &Scale) -> String {
    let mut d = String::with_capacity(values.len() * 14);
    let mut pen_down = false;
    for (t, v) in t_s.iter().zip(values) {
        if !v.is_finite() {
            pen_down = false;
            continue;
        }
        let cmd = if pen_down { 'L' } else { 'M' };
        d.push_str(&format!(
            "{cmd}{} {} ",
            fixed(scale.x(f64::from(*t)), 1),
            fixed(scale.y(f64::from(*v)), 1)
        ));
        pen_down = true;
    }
    d.trim_end().to_string()
}

/// The value of the series point at or before `t` (what a hover shows).
pub fn value_at(t_s: &[u32], values: &[f32], t: f64) -> Option<f32> {
    let i = t_s.partition_point(|&x| f64::from(x) <= t);
    (i > 0).then(|| values.get(i - 1).copied()).flatten()
}

/// The largest finite value (0 when none).
pub fn max_finite(values: &[f32]) -> f64 {
    values
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, &v| m.max(f64::from(v)))
}

/// A number for a label: three significant figures, thousands as "k".
pub fn format_number(v: f64) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let a = v.abs();
    if a >= 1_000_000.0 {
        format!("{}M", fixed(v / 1_000_000.0, 2))
    } else if a >= 10_000.0 {
        format!("{}k", fixed(v / 1000.0, 0))
    } else if a >= 1000.0 {
        format!("{}k", fixed(v / 1000.0, 1))
    } else if a >= 100.0 {
        fixed(v, 0).to_string()
    } else if a >= 10.0 {
        fixed(v, 1).to_string()
    } else {
        fixed(v, 2).to_string()
    }
}

/// What a latency over no request reads as: there is no number to show.
pub const NO_REQUESTS_SERVED: &str = "no requests served";

/// A latency measured over `served` requests, for a label: "46.2 ms", or
/// [`NO_REQUESTS_SERVED`] when none was served (the engine reports 0 ms
/// then, which is no measurement).
pub fn format_latency_ms(ms: f64, served: f64) -> String {
    if served > 0.0 && ms.is_finite() {
        format!("{} ms", format_number(ms))
    } else {
        NO_REQUESTS_SERVED.to_string()
    }
}

/// A latency series with a gap (NaN, see [`line_path`]) at every point
/// where nothing was served: no request offered, or every one failed.
pub fn latency_gaps(latency_ms: &[f32], offered: &[f32], errors: &[f32]) -> Vec<f32> {
    latency_ms
        .iter()
        .enumerate()
        .map(|(i, &ms)| {
            let o = offered.get(i).copied().unwrap_or(0.0);
            let e = errors.get(i).copied().unwrap_or(0.0);
            // Errors are the offered rate minus the served one, each
            // rounded to f32: a served rate within that rounding is none.
            if o - e > 1e-6 * o {
                ms
            } else {
                f32::NAN
            }
        })
        .collect()
}

/// A node's totals over a run, in one line: "1.20M requests offered,
/// 1.20M served, 0 errors; busiest 42 %; own p95 3.10 ms". A node that served
/// nothing has no p95: "…; own p95: no requests served".
pub fn node_totals(
    offered: f64,
    served: f64,
    errors: f64,
    utilisation_max: f64,
    p95_ms: f64,
) -> String {
    let p95 = if served > 0.0 {
        format!("own p95 {}", format_latency_ms(p95_ms, served))
    } else {
        format!("own p95: {NO_REQUESTS_SERVED}")
    };
    // None is "0", not "0.00".
    let count = |v: f64| {
        if v > 0.0 {
            format_number(v)
        } else {
            "0".to_string()
        }
    };
    format!(
        "{} requests offered, {} served, {} errors; busiest {} %; {p95}",
        count(offered),
        count(served),
        count(errors),
        fixed(100.0 * utilisation_max, 0)
    )
}

/// The line under a read path's waterfall, from each hop's label, mean
/// own time (ms) and requests served: "12.3 ms in all (mean own time per
/// hop)". Hops that served nothing add no time and are named instead of
/// counted as 0 ms.
pub fn path_total(hops: &[(&str, f64, f64)]) -> String {
    let idle: Vec<&str> = hops
        .iter()
        .filter(|(_, _, served)| *served <= 0.0)
        .map(|(label, _, _)| *label)
        .collect();
    if !hops.is_empty() && idle.len() == hops.len() {
        return format!("{NO_REQUESTS_SERVED} on this path");
    }
    let total: f64 = hops
        .iter()
        .filter(|(_, ms, served)| *served > 0.0 && ms.is_finite())
        .map(|(_, ms, _)| ms.max(0.0))
        .sum();
    if idle.is_empty() {
        format!("{} ms in all (mean own time per hop)", format_number(total))
    } else {
        format!(
            "{} ms in all (mean own time per hop; {} served no requests)",
            format_number(total),
            idle.join(", ")
        )
    }
}

/// A time as minutes and seconds: "12:30".
pub fn format_clock(t_s: f64) -> String {
    let t = t_s.max(0.0).round() as u64;
    format!("{}:{:02}", t / 60, t % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_maxima() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(45_000.0), 50_000.0);
        assert_eq!(nice_max(80.0), 100.0);
        assert_eq!(nice_max(20.0), 20.0);
        assert_eq!(nice_max(0.021), 0.025);
        assert_eq!(nice_max(f64::NAN), 1.0);
    }

    #[test]
    fn scale_maps_corners_and_back() {
        let s = Scale {
            t_max: 3600.0,
            y_max: 100.0,
            width: 600.0,
            height: 100.0,
        };
        assert_eq!(s.x(0.0), 0.0);
        assert_eq!(s.x(3600.0), 600.0);
        assert_eq!(s.y(0.0), 100.0);
        assert_eq!(s.y(100.0), 0.0);
        assert_eq!(s.y(1e9), 0.0, "clipped at the top");
        assert_eq!(s.t_at(300.0), 1800.0);
    }

    #[test]
    fn paths_skip_gaps_and_lookups_find_the_point_before() {
        let s = Scale {
            t_max: 30.0,
            y_max: 10.0,
            width: 30.0,
            height: 10.0,
        };
        let d = line_path(&[0, 10, 20, 30], &[0.0, f32::NAN, 5.0, 10.0], &s);
        assert_eq!(d, "M0.0 10.0 M20.0 5.0 L30.0 0.0");
        assert_eq!(value_at(&[0, 10, 20], &[1.0, 2.0, 3.0], 15.0), Some(2.0));
        assert_eq!(value_at(&[10, 20], &[1.0, 2.0], 5.0), None);
    }

    #[test]
    fn labels() {
        assert_eq!(format_number(45_000.0), "45k");
        assert_eq!(format_number(1234.0), "1.2k");
        assert_eq!(format_number(79.94), "79.9");
        assert_eq!(format_number(0.0012), "0.00");
        assert_eq!(format_clock(754.0), "12:34");
    }

    #[test]
    fn a_latency_over_no_request_is_no_number() {
        assert_eq!(format_latency_ms(46.24, 1000.0), "46.2 ms");
        assert_eq!(format_latency_ms(0.0, 0.0), "no requests served");
        assert_eq!(format_latency_ms(0.0, -0.0), "no requests served");
        assert_eq!(format_latency_ms(f64::NAN, 10.0), "no requests served");
        // A node whose every request failed: 100 % errors, no p95.
        let dead = node_totals(12_000.0, 0.0, 12_000.0, 1.0, 0.0);
        assert_eq!(
            dead,
            "12k requests offered, 0 served, 12k errors; busiest 100 %; own p95: no requests served"
        );
        assert!(!dead.contains("0.00 ms"));
        assert_eq!(
            node_totals(1_200_000.0, 1_199_000.0, 1000.0, 0.42, 3.1),
            "1.20M requests offered, 1.20M served, 1.0k errors; busiest 42 %; own p95 3.10 ms"
        );
        // The chart: a gap where every request failed or none came.
        let p95 = latency_gaps(
            &[40.0, 0.0, 0.0, 35.0],
            &[100.0, 100.0, 0.0, 50.0],
            &[0.0, 100.0, 0.0, 1.0],
        );
        assert_eq!(p95[0], 40.0);
        assert!(p95[1].is_nan() && p95[2].is_nan());
        assert_eq!(p95[3], 35.0);
        // The waterfall's line.
        assert_eq!(
            path_total(&[("CDN", 2.0, 10.0), ("API", 10.5, 5.0)]),
            "12.5 ms in all (mean own time per hop)"
        );
        assert_eq!(
            path_total(&[("CDN", 2.0, 10.0), ("API", 0.0, 0.0)]),
            "2.00 ms in all (mean own time per hop; API served no requests)"
        );
        assert_eq!(
            path_total(&[("API", 0.0, 0.0)]),
            "no requests served on this path"
        );
    }
}
