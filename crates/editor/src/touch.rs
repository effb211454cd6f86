//! Two-finger pinch on a touch screen, as plain arithmetic: given where the
//! two fingers were and where they are now (screen space), how much to zoom
//! and around which point.

use design::Point;

/// The zoom step a pinch asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PinchStep {
    /// Zoom around this screen point (the fingers' midpoint now).
    pub anchor_in_screen: Point,
    /// Multiply the zoom by this.
    pub factor: f64,
    /// Pan by this much too (the midpoint's movement), in screen space.
    pub pan_in_screen: Point,
}

/// The zoom and pan that follow two fingers from `before` to `after`.
/// `None` when the fingers were on one spot (no distance to compare).
pub fn pinch_step(before: (Point, Point), after: (Point, Point)) -> Option<PinchStep> {
    let distance = |(a, b): (Point, Point)| ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt();
    let midpoint = |(a, b): (Point, Point)| Point {
        x: (a.x + b.x) / 2.0,
        y: (a.y + b.y) / 2.0,
    };
    let d0 = distance(before);
    let d1 = distance(after);
    if d0 < 1.0 || !d1.is_finite() {
        return None;
    }
    let (m0, m1) = (midpoint(before), midpoint(after));
    Some(PinchStep {
        anchor_in_screen: m1,
        factor: d1 / d0,
        pan_in_screen: Point {
            x: m1.x - m0.x,
            y: m1.y - m0.y,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    #[test]
    fn spreading_fingers_zooms_in_around_their_midpoint() {
        let step = pinch_step(
            (p(100.0, 100.0), p(200.0, 100.0)),
            (p(50.0, 100.0), p(250.0, 100.0)),
        )
        .unwrap();
        assert_eq!(step.factor, 2.0);
        assert_eq!(step.anchor_in_screen, p(150.0, 100.0));
        assert_eq!(step.pan_in_screen, p(0.0, 0.0));
    }

    #[test]
    fn fingers_on_one_spot_give_nothing() {
        assert!(pinch_step((p(1.0, 1.0), p(1.0, 1.0)), (p(5.0, 5.0), p(9.0, 9.0))).is_none());
    }
}
