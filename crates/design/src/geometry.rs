//! Canvas geometry of a design: node boxes, ports, edge routes, bounds and
//! the viewport that maps canvas space to screen space.
//!
//! Two coordinate spaces are named throughout: *canvas* space, where node
//! positions live (unchanged by pan and zoom), and *screen* space, CSS pixels
//! relative to the canvas element's top-left corner. Functions say which
//! space they take and return (`canvas_from_screen`, `screen_from_canvas`).

use crate::number::fixed;
use crate::{Design, Point};

/// Width of a node box, in canvas pixels.
pub const NODE_WIDTH: f64 = 160.0;
/// Height of a node box, in canvas pixels.
pub const NODE_HEIGHT: f64 = 56.0;
/// Grid spacing that node positions snap to, in canvas pixels.
pub const GRID: f64 = 16.0;

/// An axis-aligned rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width (never negative).
    pub width: f64,
    /// Height (never negative).
    pub height: f64,
}

impl Rect {
    /// The smallest rectangle holding both.
    pub fn union(self, other: Rect) -> Rect {
        let x = self.x.min(other.x);
        let y = self.y.min(other.y);
        let right = (self.x + self.width).max(other.x + other.width);
        let bottom = (self.y + self.height).max(other.y + other.height);
        Rect {
            x,
            y,
            width: right - x,
            height: bottom - y,
        }
    }

    /// The same rectangle grown by `margin` on every side.
    pub fn inflate(self, margin: f64) -> Rect {
        Rect {
            x: self.x - margin,
            y: self.y - margin,
            width: self.width + 2.0 * margin,
            height: self.height + 2.0 * margin,
        }
    }

    /// The rectangle spanned by two opposite corners, in either order.
    pub fn from_corners(a: Point, b: Point) -> Rect {
        Rect {
            x: a.x.min(b.x),
            y: a.y.min(b.y),
            width: (a.x - b.x).abs(),
            height: (a.y - b.y).abs(),
        }
    }

    /// Whether the two rectangles overlap (touching counts).
    pub fn intersects(self, other: Rect) -> bool {
        self.x <= other.x + other.width
            && other.x <= self.x + self.width
            && self.y <= other.y + other.height
            && other.y <= self.y + self.height
    }

    /// Whether the point lies inside or on the border.
    pub fn contains(self, p: Point) -> bool {
        p.x >= self.x && p.x <= self.x + self.width && p.y >= self.y && p.y <= self.y + self.height
    }
}

/// The box of a node whose top-left corner is at `position_in_canvas`.
pub fn node_rect(position_in_canvas: Point) -> Rect {
    Rect {
        x: position_in_canvas.x,
        y: position_in_canvas.y,
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
    }
}

/// Where edges leave a node: the middle of its right side, in canvas space.
pub fn output_port(position_in_canvas: Point) -> Point {
    Point {
        x: position_in_canvas.x + NODE_WIDTH,
        y: position_in_canvas.y + NODE_HEIGHT / 2.0,
    }
}

/// Where edges enter a node: the middle of its left side, in canvas space.
pub fn input_port(position_in_canvas: Point) -> Point {
    Point {
        x: position_in_canvas.x,
        y: position_in_canvas.y + NODE_HEIGHT / 2.0,
    }
}

/// The cubic Bézier route of an edge from an output port to an input port,
/// as an SVG path `d` attribute in canvas space. The control points pull
/// horizontally, so edges leave and enter nodes level, also when the target
/// sits to the left of the source.
pub fn edge_path(from_port: Point, to_port: Point) -> String {
    let pull = ((to_port.x - from_port.x).abs() / 2.0).max(48.0);
    format!(
        "M {} {} C {} {}, {} {}, {} {}",
        fixed(from_port.x, 1),
        fixed(from_port.y, 1),
        fixed(from_port.x + pull, 1),
        fixed(from_port.y, 1),
        fixed(to_port.x - pull, 1),
        fixed(to_port.y, 1),
        fixed(to_port.x, 1),
        fixed(to_port.y, 1)
    )
}

/// The rectangle holding every node of the design, or `None` when empty.
pub fn bounds(design: &Design) -> Option<Rect> {
    design
        .nodes
        .iter()
        .map(|n| node_rect(n.position))
        .reduce(Rect::union)
}

/// Rounds a canvas position to the nearest grid point.
pub fn snap_to_grid(point_in_canvas: Point) -> Point {
    Point {
        x: (point_in_canvas.x / GRID).round() * GRID,
        y: (point_in_canvas.y / GRID).round() * GRID,
    }
}

/// Pan and zoom: how canvas space maps onto the screen.
///
/// `screen = (canvas − origin) × zoom`, where `origin` is the canvas point
/// shown at the screen's top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    /// The canvas point at the top-left of the screen.
    pub origin: Point,
    /// Screen pixels per canvas pixel.
    pub zoom: f64,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport {
            origin: Point { x: 0.0, y: 0.0 },
            zoom: 1.0,
        }
    }
}

impl Viewport {
    /// Smallest zoom the viewport allows.
    pub const MIN_ZOOM: f64 = 0.2;
    /// Largest zoom the viewport allows.
    pub const MAX_ZOOM: f64 = 3.0;

    /// Maps a screen point (CSS pixels from the canvas element's corner) to
    /// canvas space.
    pub fn canvas_from_screen(&self, point_in_screen: Point) -> Point {
        Point {
            x: self.origin.x + point_in_screen.x / self.zoom,
            y: self.origin.y + point_in_screen.y / self.zoom,
        }
    }

    /// Maps a canvas point to screen space.
    pub fn screen_from_canvas(&self, point_in_canvas: Point) -> Point {
        Point {
            x: (point_in_canvas.x - self.origin.x) * self.zoom,
            y: (point_in_canvas.y - self.origin.y) * self.zoom,
        }
    }

    /// The viewport that shows `content` (canvas space) centred in a screen
    /// of `screen_width` × `screen_height`, with `margin` screen pixels
    /// around it, zoomed no further in than 1.
    pub fn fit(content: Rect, screen_width: f64, screen_height: f64, margin: f64) -> Viewport {
        let usable_w = (screen_width - 2.0 * margin).max(1.0);
        let usable_h = (screen_height - 2.0 * margin).max(1.0);
        let zoom = (usable_w / content.width.max(1.0))
            .min(usable_h / content.height.max(1.0))
            .clamp(Self::MIN_ZOOM, 1.0);
        let centre = Point {
            x: content.x + content.width / 2.0,
            y: content.y + content.height / 2.0,
        };
        Viewport {
            origin: Point {
                x: centre.x - screen_width / (2.0 * zoom),
                y: centre.y - screen_height / (2.0 * zoom),
            },
            zoom,
        }
    }

    /// Zooms by `factor` keeping the canvas point under `anchor_in_screen`
    /// where it is (zoom around the pointer). The zoom stays within
    /// [`Viewport::MIN_ZOOM`, `Viewport::MAX_ZOOM`].
    pub fn zoom_around(&self, anchor_in_screen: Point, factor: f64) -> Viewport {
        let factor = if factor.is_finite() && factor > 0.0 {
            factor
        } else {
            1.0
        };
        let zoom = (self.zoom * factor).clamp(Self::MIN_ZOOM, Self::MAX_ZOOM);
        let anchor_in_canvas = self.canvas_from_screen(anchor_in_screen);
        Viewport {
            origin: Point {
                x: anchor_in_canvas.x - anchor_in_screen.x / zoom,
                y: anchor_in_canvas.y - anchor_in_screen.y / zoom,
            },
            zoom,
        }
    }

    /// Moves the view so the content follows the pointer by `delta_in_screen`.
    pub fn pan_by(&self, delta_in_screen: Point) -> Viewport {
        Viewport {
            origin: Point {
                x: self.origin.x - delta_in_screen.x / self.zoom,
                y: self.origin.y - delta_in_screen.y / self.zoom,
            },
            zoom: self.zoom,
        }
    }

    /// The part of canvas space a screen of this size shows.
    pub fn visible_rect(&self, screen_width: f64, screen_height: f64) -> Rect {
        Rect {
            x: self.origin.x,
            y: self.origin.y,
            width: screen_width / self.zoom,
            height: screen_height / self.zoom,
        }
    }

    /// The SVG `viewBox` that renders this viewport in a screen of the
    /// given size.
    pub fn view_box(&self, screen_width: f64, screen_height: f64) -> String {
        format!(
            "{} {} {} {}",
            fixed(self.origin.x, 1),
            fixed(self.origin.y, 1),
            fixed(screen_width / self.zoom, 1),
            fixed(screen_height / self.zoom, 1)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    #[test]
    fn screen_and_canvas_round_trip() {
        let v = Viewport {
            origin: p(-100.0, 40.0),
            zoom: 1.5,
        };
        let q = p(123.0, 456.0);
        let back = v.canvas_from_screen(v.screen_from_canvas(q));
        assert!((back.x - q.x).abs() < 1e-9 && (back.y - q.y).abs() < 1e-9);
        assert_eq!(v.canvas_from_screen(p(0.0, 0.0)), v.origin);
    }

    #[test]
    fn fit_centres_content_and_never_zooms_past_one() {
        let content = Rect {
            x: 100.0,
            y: 100.0,
            width: 200.0,
            height: 100.0,
        };
        let v = Viewport::fit(content, 800.0, 600.0, 20.0);
        assert_eq!(v.zoom, 1.0);
        let centre = v.screen_from_canvas(p(200.0, 150.0));
        assert!((centre.x - 400.0).abs() < 1e-9 && (centre.y - 300.0).abs() < 1e-9);

        let wide = Rect {
            width: 4000.0,
            ..content
        };
        let v = Viewport::fit(wide, 800.0, 600.0, 20.0);
        assert!((v.zoom - 760.0 / 4000.0).abs() < 1e-9 || v.zoom == Viewport::MIN_ZOOM);
    }

    #[test]
    fn zoom_keeps_the_point_under_the_pointer() {
        let v = Viewport {
            origin: p(10.0, 20.0),
            zoom: 1.0,
        };
        let anchor = p(300.0, 200.0);
        let before = v.canvas_from_screen(anchor);
        let z = v.zoom_around(anchor, 1.5);
        let after = z.canvas_from_screen(anchor);
        assert!((before.x - after.x).abs() < 1e-9 && (before.y - after.y).abs() < 1e-9);
        assert_eq!(v.zoom_around(anchor, 1e9).zoom, Viewport::MAX_ZOOM);
        assert_eq!(v.zoom_around(anchor, f64::NAN).zoom, 1.0);
    }

    #[test]
    fn panning_moves_content_with_the_pointer() {
        let v = Viewport {
            origin: p(0.0, 0.0),
            zoom: 2.0,
        };
        let q = p(50.0, 50.0);
        let moved = v.pan_by(p(10.0, -4.0));
        let s0 = v.screen_from_canvas(q);
        let s1 = moved.screen_from_canvas(q);
        assert!((s1.x - s0.x - 10.0).abs() < 1e-9 && (s1.y - s0.y + 4.0).abs() < 1e-9);
    }

    #[test]
    fn rectangles_from_corners_and_overlap() {
        let r = Rect::from_corners(p(10.0, 10.0), p(0.0, 20.0));
        assert_eq!(
            r,
            Rect {
                x: 0.0,
                y: 10.0,
                width: 10.0,
                height: 10.0
            }
        );
        assert!(r.intersects(node_rect(p(5.0, 5.0))));
        assert!(!r.intersects(node_rect(p(100.0, 100.0))));
    }

    #[test]
    fn ports_sit_on_the_sides_of_the_box() {
        let at = p(10.0, 20.0);
        assert_eq!(
            output_port(at),
            p(10.0 + NODE_WIDTH, 20.0 + NODE_HEIGHT / 2.0)
        );
        assert_eq!(input_port(at), p(10.0, 20.0 + NODE_HEIGHT / 2.0));
        assert!(node_rect(at).contains(input_port(at)));
    }

    #[test]
    fn snapping_rounds_to_the_nearest_grid_point() {
        assert_eq!(snap_to_grid(p(7.0, 9.0)), p(0.0, 16.0));
        assert_eq!(snap_to_grid(p(-9.0, 24.1)), p(-16.0, 32.0));
    }

    #[test]
    fn edge_path_starts_and_ends_at_the_ports() {
        let d = edge_path(p(0.0, 0.0), p(100.0, 50.0));
        assert!(d.starts_with("M 0.0 0.0 C"));
        assert!(d.ends_with("100.0 50.0"));
    }
}
