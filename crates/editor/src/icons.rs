//! Node icons as SVG path data, drawn in a 24 × 24 box with strokes (no
//! fills), so they take the theme's colour. Shared by the canvas and the
//! SVG export.

use design::NodeKind;

/// Stroke-only path data for a node kind's icon.
pub fn icon_path(kind: NodeKind) -> &'static str {
    match kind {
        // Two heads and shoulders.
        NodeKind::Users => "M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6z M3 19c0-3 3-5 6-5s6 2 6 5 M16 5.5a3 3 0 0 1 0 5.5 M18 14c2 .6 3 2.4 3 5",
        // A pencil.
        NodeKind::Operator => "M4 20l1-4L16 5l3 3L8 19z M14 7l3 3",
        // A badge.
        NodeKind::InternalUsers => "M6 3h12v18H6z M12 10a2 2 0 1 0 0-4 2 2 0 0 0 0 4z M9 15c0-2 6-2 6 0",
        // A globe.
        NodeKind::Cdn => "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z M3 12h18 M12 3c3 3 3 15 0 18 M12 3c-3 3-3 15 0 18",
        // One line fanning out to three.
        NodeKind::LoadBalancer => "M3 12h6 M9 12l8-6 M9 12h8 M9 12l8 6 M17 6h3 M17 12h3 M17 18h3",
        // A server box with two lights.
        NodeKind::Api => "M4 5h16v6H4z M4 13h16v6H4z M7 8h.01 M7 16h.01",
        // A lambda.
        NodeKind::Serverless => "M6 4h3l9 16 M12 10l-6 10",
        // A lightning bolt.
        NodeKind::Cache => "M13 3L5 14h6l-1 7 8-11h-6z",
        // A database cylinder.
        NodeKind::DbPrimary => "M4 6c0-1.7 3.6-3 8-3s8 1.3 8 3-3.6 3-8 3-8-1.3-8-3z M4 6v12c0 1.7 3.6 3 8 3s8-1.3 8-3V6 M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3",
        // Two stacked cylinders, the copy offset.
        NodeKind::ReadReplica => "M3 7c0-1.4 2.7-2.5 6-2.5S15 5.6 15 7s-2.7 2.5-6 2.5S3 8.4 3 7z M3 7v9c0 1.4 2.7 2.5 6 2.5 M15 7v3 M13 13h8v7h-8z M15 16h4",
        // A bucket.
        NodeKind::ObjectStorage => "M4 6h16l-2 14H6z M4 6c0-1.1 3.6-2 8-2s8 .9 8 2",
    }
}
