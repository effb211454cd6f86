//! Request paths and their latency.
//!
//! A path is one way a request of a class can go from its source to the
//! node that answers it: a list of (node, outcome slot) hops, the last one
//! terminal (a CDN hit, a cache hit, a database read…). Paths are
//! enumerated once; each tick a path's probability is the product of its
//! hops' outcome shares, and its latency adds the hops' means and variances
//! (`docs/model.md`, "How a tick works"). A path whose only variable hop is a queue (or a
//! lognormal network hop) keeps that hop's exact distribution, shifted by
//! the constant hops; otherwise a lognormal is fitted to the sum. Paths are
//! then mixed by probability: quantiles are never added or averaged.

use design::{Diagnostic, NodeKind};

use super::plan::{Model, NodeRt, PathDef, MAX_PATHS, NC};
use super::sketch::{Dist, LatKey};
use crate::latency::Moments;

/// Enumerates every class's paths from its sources, depth first, at most
/// [`MAX_PATHS`] per class.
pub(crate) fn enumerate(
    nodes: &[NodeRt],
    sources: &[Vec<usize>; NC],
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<PathDef>, Vec<(u32, u32)>, [bool; NC]) {
    let mut paths = Vec::new();
    let mut hops = Vec::new();
    let mut cut = [false; NC];
    for (class, list) in sources.iter().enumerate() {
        let mut count = 0usize;
        let mut truncated = false;
        for &src in list {
            let mut stack: Vec<(u32, u32)> = Vec::new();
            walk(
                nodes,
                class,
                src,
                src,
                &mut stack,
                &mut paths,
                &mut hops,
                &mut count,
                &mut truncated,
            );
        }
        cut[class] = truncated;
        if truncated {
            diagnostics.push(Diagnostic::info(
                None,
                format!(
                    "The design has more than {MAX_PATHS} ways for one kind of request to travel; \
                     latency is estimated from the first {MAX_PATHS}."
                ),
            ));
        }
    }
    (paths, hops, cut)
}

#[allow(clippy::too_many_arguments)]
fn walk(
    nodes: &[NodeRt],
    class: usize,
    source: usize,
    at: usize,
    stack: &mut Vec<(u32, u32)>,
    paths: &mut Vec<PathDef>,
    hops: &mut Vec<(u32, u32)>,
    count: &mut usize,
    truncated: &mut bool,
) {
    let n = &nodes[at];
    let routes = &n.routes[class];
    let terminals = match n.kind {
        // A service answers by itself only when it has nowhere to send the class.
        NodeKind::Api | NodeKind::Serverless if !routes.is_empty() => 0,
        _ => n.n_term[class],
    };
    for slot in 0..terminals {
        if *count >= MAX_PATHS {
            *truncated = true;
            return;
        }
        let start = hops.len() as u32;
        hops.extend_from_slice(stack);
        hops.push((at as u32, slot as u32));
        paths.push(PathDef {
            class,
            source,
            start,
            len: stack.len() as u32 + 1,
        });
        *count += 1;
    }
    for (k, &(child, _)) in routes.iter().enumerate() {
        if *count >= MAX_PATHS {
            *truncated = true;
            return;
        }
        stack.push((at as u32, (n.n_term[class] + k) as u32));
        walk(
            nodes, class, source, child, stack, paths, hops, count, truncated,
        );
        stack.pop();
    }
}

/// A hop's latency: the node's own time for the class plus what the
/// outcome slot adds (CDN waits, the edge-to-origin network on a miss).
#[inline]
pub(crate) fn hop_latency(n: &NodeRt, class: usize, slot: usize) -> (Moments, Option<Dist>) {
    match &n.model {
        Model::Source { .. } => (n.net, Some(n.net_dist)),
        Model::Cdn(c) => {
            if slot < n.n_term[class] {
                let m = c.extras.get(slot).copied().unwrap_or(Moments::ZERO);
                (
                    m,
                    if m.variance > 0.0 {
                        None
                    } else {
                        Some(Dist::Point(m.mean))
                    },
                )
            } else {
                (c.cdn.cfg.origin_net, None)
            }
        }
        _ => (n.own[class], n.own_dist[class]),
    }
}

/// The latency distribution of a path from its hops' latencies.
pub(crate) struct PathLatency {
    total: Moments,
    constant: f64,
    random: u32,
    exact: Option<Dist>,
}

impl PathLatency {
    pub(crate) fn new() -> Self {
        PathLatency {
            total: Moments::ZERO,
            constant: 0.0,
            random: 0,
            exact: None,
        }
    }

    #[inline]
    pub(crate) fn add(&mut self, m: Moments, d: Option<Dist>) {
        self.total += m;
        if m.variance > 0.0 {
            self.random += 1;
            self.exact = d;
        } else {
            self.constant += m.mean;
        }
    }

    /// Mean of the path, seconds.
    pub(crate) fn mean(&self) -> f64 {
        self.total.mean
    }

    /// The path's latency key: exact when one hop varies (a queue, or a
    /// lone network hop), else moments to fit.
    pub(crate) fn key(&self) -> LatKey {
        if self.random == 0 {
            return LatKey::point(self.total.mean);
        }
        if self.random == 1 {
            match self.exact {
                Some(Dist::Sojourn { shift, queue, mu }) => {
                    return LatKey::new(
                        self.total,
                        Some(Dist::Sojourn {
                            shift: shift + self.constant,
                            queue,
                            mu,
                        }),
                    )
                }
                Some(Dist::LogNormal(l)) if self.constant == 0.0 => {
                    return LatKey::new(self.total, Some(Dist::LogNormal(l)))
                }
                _ => {}
            }
        }
        LatKey::new(self.total, None)
    }
}
