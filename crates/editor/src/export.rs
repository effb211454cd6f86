//! The diagram as a standalone SVG document: what "Export SVG" saves and
//! what "Export PNG" rasterises. Light theme colours are written inline, so
//! the file looks the same wherever it is opened.

use design::geometry::{self, NODE_HEIGHT, NODE_WIDTH};
use design::{Design, EdgeKind};

use crate::icons::icon_path;

/// Blank space around the design, in canvas pixels.
const MARGIN: f64 = 32.0;

/// The design drawn as an SVG document (UTF-8 text).
pub fn to_svg(design: &Design) -> String {
    let frame = geometry::bounds(design)
        .unwrap_or(geometry::Rect {
            x: 0.0,
            y: 0.0,
            width: 320.0,
            height: 160.0,
        })
        .inflate(MARGIN);
    let mut out = String::with_capacity(1024 + design.nodes.len() * 600);
    out.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{:.0} {:.0} {:.0} {:.0}\" width=\"{:.0}\" height=\"{:.0}\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif\">\n",
        frame.x, frame.y, frame.width, frame.height, frame.width, frame.height
    ));
    out.push_str("<title>System design</title>\n");
    out.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#7d8799\"/></marker></defs>\n");
    out.push_str(&format!(
        "<rect x=\"{:.0}\" y=\"{:.0}\" width=\"{:.0}\" height=\"{:.0}\" fill=\"#f7f8fa\"/>\n",
        frame.x, frame.y, frame.width, frame.height
    ));
    for edge in &design.edges {
        let (Some(from), Some(to)) = (design.node(&edge.from), design.node(&edge.to)) else {
            continue;
        };
        let d = geometry::edge_path(
            geometry::output_port(from.position),
            geometry::input_port(to.position),
        );
        let dash = match edge.kind {
            EdgeKind::Replication => " stroke-dasharray=\"6 4\"",
            EdgeKind::Publish => " stroke-dasharray=\"2 4\"",
            _ => "",
        };
        out.push_str(&format!(
            "<path d=\"{d}\" fill=\"none\" stroke=\"#7d8799\" stroke-width=\"2\"{dash} marker-end=\"url(#arrow)\"/>\n"
        ));
    }
    for node in &design.nodes {
        let p = node.position;
        out.push_str(&format!("<g transform=\"translate({} {})\">", p.x, p.y));
        out.push_str(&format!(
            "<rect width=\"{NODE_WIDTH}\" height=\"{NODE_HEIGHT}\" rx=\"10\" fill=\"#ffffff\" stroke=\"#b9c1cf\" stroke-width=\"1.5\"/>"
        ));
        out.push_str(&format!(
            "<path transform=\"translate(12 16)\" d=\"{}\" fill=\"none\" stroke=\"#3b5bdb\" stroke-width=\"1.8\" stroke-linecap=\"round\" stroke-linejoin=\"round\"/>",
            icon_path(node.kind)
        ));
        out.push_str(&format!(
            "<text x=\"46\" y=\"25\" font-size=\"14\" font-weight=\"600\" fill=\"#1d2330\">{}</text>",
            escape(&node.label)
        ));
        out.push_str(&format!(
            "<text x=\"46\" y=\"42\" font-size=\"12\" fill=\"#5b6474\">{}</text>",
            escape(node.kind.name())
        ));
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
    out
}

/// Escapes text for SVG/XML content.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use design::{NodeKind, Point};

    #[test]
    fn draws_every_node_and_edge_and_escapes_labels() {
        let mut d = Design::default();
        let users = d.add_node(NodeKind::Users, Point { x: 0.0, y: 0.0 });
        let cdn = d.add_node(NodeKind::Cdn, Point { x: 240.0, y: 0.0 });
        d.connect(&users, &cdn).unwrap();
        d.node_mut(&cdn).unwrap().label = "Edge <CDN> & \"shield\"".to_string();
        let svg = to_svg(&d);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert_eq!(svg.matches("<g transform=").count(), 2);
        assert_eq!(svg.matches("marker-end").count(), 1);
        assert!(svg.contains("Edge &lt;CDN&gt; &amp; &quot;shield&quot;"));
        assert!(!svg.contains("<CDN>"));
    }

    #[test]
    fn an_empty_design_is_still_a_valid_picture() {
        let svg = to_svg(&Design::default());
        assert!(svg.contains("viewBox=\"-32 -32 384 224\""));
        assert!(svg.trim_end().ends_with("</svg>"));
    }
}
