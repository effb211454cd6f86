//! Read paths through a node, for the inspector's latency waterfall: every
//! way a reader's request can travel from a source node, through the
//! chosen node, to where it is answered.

use design::{Design, NodeId};

/// Up to `limit` read paths (source first, end last) that pass through
/// `through`. Edges that carry no reads (replication, publish) are not
/// followed; the design's edges always run "forwards", so paths are finite,
/// and the search is bounded anyway.
pub fn read_paths_through(design: &Design, through: &NodeId, limit: usize) -> Vec<Vec<NodeId>> {
    let mut out = Vec::new();
    let starts: Vec<&NodeId> = design
        .nodes
        .iter()
        .filter(|n| n.kind.is_source())
        .map(|n| &n.id)
        .collect();
    for start in starts {
        let mut path = vec![start.clone()];
        walk(design, &mut path, through, limit, &mut out);
        if out.len() >= limit {
            break;
        }
    }
    out
}

fn walk(
    design: &Design,
    path: &mut Vec<NodeId>,
    through: &NodeId,
    limit: usize,
    out: &mut Vec<Vec<NodeId>>,
) {
    if out.len() >= limit || path.len() > 32 {
        return;
    }
    let Some(last) = path.last().cloned() else {
        return;
    };
    let next: Vec<NodeId> = design
        .edges_from(&last)
        .filter(|e| e.kind.carries_reads() && !path.contains(&e.to))
        .map(|e| e.to.clone())
        .collect();
    if next.is_empty() {
        if path.contains(through) && path.len() > 1 {
            out.push(path.clone());
        }
        return;
    }
    for n in next {
        path.push(n);
        walk(design, path, through, limit, out);
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use design::{NodeKind, Point};

    #[test]
    fn finds_hit_and_miss_paths_through_the_api() {
        let mut d = Design::default();
        let p = Point::default();
        let users = d.add_node(NodeKind::Users, p);
        let cdn = d.add_node(NodeKind::Cdn, p);
        let api = d.add_node(NodeKind::Api, p);
        let cache = d.add_node(NodeKind::Cache, p);
        let replica = d.add_node(NodeKind::ReadReplica, p);
        let primary = d.add_node(NodeKind::DbPrimary, p);
        for (a, b) in [
            (&users, &cdn),
            (&cdn, &api),
            (&api, &cache),
            (&cache, &replica),
            (&primary, &replica),
        ] {
            d.connect(a, b).unwrap();
        }
        let paths = read_paths_through(&d, &api, 8);
        assert_eq!(
            paths,
            vec![vec![
                users.clone(),
                cdn.clone(),
                api.clone(),
                cache.clone(),
                replica.clone()
            ]]
        );
        assert!(
            read_paths_through(&d, &primary, 8).is_empty(),
            "replication carries no reads"
        );
        assert_eq!(read_paths_through(&d, &cdn, 0).len(), 0);
    }
}
