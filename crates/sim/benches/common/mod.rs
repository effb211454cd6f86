//! What the benchmarks share: designs made of copies of one design.

use design::Design;

/// `copies` copies of `base` side by side, each node's id suffixed with
/// its copy's number (`api_0`, `api_1`…), so they never connect.
pub fn copies_of(base: &Design, copies: usize) -> Design {
    let mut d = Design::default();
    for k in 0..copies {
        for n in &base.nodes {
            let mut n = n.clone();
            n.id = format!("{}_{k}", n.id).into();
            d.nodes.push(n);
        }
        for e in &base.edges {
            let mut e = e.clone();
            e.from = format!("{}_{k}", e.from).into();
            e.to = format!("{}_{k}", e.to).into();
            d.edges.push(e);
        }
    }
    d
}
