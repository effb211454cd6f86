//! Candidate next steps for a failed scenario, proposed from the design and
//! what happened in its run. Candidates are cheap to propose and many: the
//! verifier (`verify.rs`) grades each on a copy and keeps only those that
//! help, so a rule here may be generous. Every candidate is a [`Fix`]
//! built by [`FixBuilder`], which leaves out what the design already has.

use design::keys::{
    api, cache, cdn, db_primary, load_balancer, object_storage, read_replica, serverless, source,
    Choice, Flag, Key, Num,
};
use design::{Design, Node, NodeKind, ParamKind, ParamValue, Point};

use super::facts::{quoted, DesignFacts};
use super::fix::{Fix, FixBuilder};
use super::Metric;
use crate::engine::Report;

/// What the candidates of one scenario are proposed from.
pub(crate) struct Situation<'a> {
    pub design: &'a Design,
    pub facts: &'a DesignFacts<'a>,
    pub report: &'a Report,
    /// The metrics of the scenario's failed checks, deciding one first.
    pub failed: Vec<Metric>,
}

/// The candidate fixes for a failed scenario, most specific first, without
/// repeats.
pub(crate) fn propose(s: &Situation<'_>) -> Vec<Fix> {
    let mut out: Vec<Fix> = Vec::new();
    let mut push = |f: Option<Fix>| {
        if let Some(f) = f {
            if !out.iter().any(|x| x.edits == f.edits) {
                out.push(f);
            }
        }
    };
    let p = Proposer {
        d: s.design,
        f: s.facts,
        r: s.report,
        b: FixBuilder::new(s.design),
    };
    for m in &s.failed {
        match m {
            Metric::ReadErrorsPct
            | Metric::ReadP95Ms
            | Metric::ReadStalenessP95S
            | Metric::UpdateDelayAfterRecoveryS
            | Metric::LongestSaturationS => p.reads(*m, &mut push),
            Metric::UpdatesNotCommitted | Metric::WriteP95Ms => p.writes(&mut push),
            Metric::ExternalReadsAtPrimary => p.isolate_primary(&mut push),
            Metric::StaffReadsMissingOwnWrite => p.staff(&mut push),
            Metric::MonthlyCostUsd => p.cost(&mut push),
        }
    }
    out
}

struct Proposer<'a> {
    d: &'a Design,
    f: &'a DesignFacts<'a>,
    r: &'a Report,
    b: FixBuilder<'a>,
}

/// A setting of a fix: a parameter's key and its new value.
type Setting = (&'static str, ParamValue);

/// Number parameter `key` set to `v`.
fn num(key: Key<Num>, v: f64) -> Setting {
    (key.name(), ParamValue::Number(v))
}

/// Switch `key` turned on.
fn on(key: Key<Flag>) -> Setting {
    (key.name(), ParamValue::Bool(true))
}

/// Switch `key` turned off.
fn off(key: Key<Flag>) -> Setting {
    (key.name(), ParamValue::Bool(false))
}

/// Choice `key` set to `option`.
fn choice(key: Key<Choice>, option: &str) -> Setting {
    (key.name(), ParamValue::Text(option.to_string()))
}

/// The instance size of a kind that has one.
fn size_key(kind: NodeKind) -> Option<Key<Choice>> {
    match kind {
        NodeKind::Api => Some(api::SIZE),
        NodeKind::Cache => Some(cache::SIZE),
        NodeKind::DbPrimary => Some(db_primary::SIZE),
        NodeKind::ReadReplica => Some(read_replica::SIZE),
        _ => None,
    }
}

/// What a CDN fetches from, in the order it is looked for.
const ORIGIN_KINDS: [NodeKind; 4] = [
    NodeKind::LoadBalancer,
    NodeKind::Api,
    NodeKind::Serverless,
    NodeKind::ObjectStorage,
];

/// The recommended edge settings of a CDN in front of a status page.
fn cdn_settings() -> Vec<(&'static str, ParamValue)> {
    vec![
        num(cdn::TTL_S, 30.0),
        num(cdn::SWR_S, 60.0),
        num(cdn::SIE_S, 3600.0),
        on(cdn::COLLAPSE),
        on(cdn::SHIELD),
    ]
}

impl<'a> Proposer<'a> {
    fn of_kind(&self, kind: NodeKind) -> Vec<&'a Node> {
        self.f.of_kind(kind).collect()
    }

    fn on_reads(&self, n: &Node) -> bool {
        self.f.read_nodes.contains(n.id.as_str())
    }

    fn on_writes(&self, n: &Node) -> bool {
        self.f.write_nodes.contains(n.id.as_str())
    }

    /// Saturated or failing nodes of the run, the worst first.
    fn strained(&self) -> Vec<&'a Node> {
        let mut v: Vec<(&Node, f64)> = self
            .r
            .nodes
            .iter()
            .filter(|n| n.summary.saturated_max_s > 0.0 || n.summary.errors > 0.0)
            .filter_map(|nr| {
                let n = self.f.node(&nr.id)?;
                let offered = nr.summary.offered.max(1.0);
                Some((
                    n,
                    nr.summary.saturated_max_s + 3600.0 * nr.summary.errors / offered,
                ))
            })
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1));
        v.into_iter().map(|x| x.0).collect()
    }

    /// A free spot near `want` for a new node: the nearest of the places
    /// above and below it, then further right, that no node covers.
    fn spot(&self, want: Point) -> Point {
        let snap = |v: f64| (v / 16.0).round() * 16.0;
        let free =
            |p: &Point| {
                !self.d.nodes.iter().any(|n| {
                    (n.position.x - p.x).abs() < 176.0 && (n.position.y - p.y).abs() < 80.0
                })
            };
        for dx in [0.0, 96.0, 192.0] {
            for k in 0..12 {
                // 0, −96, +96, −192, +192…
                let step = f64::from((k + 1) / 2) * 96.0;
                let dy = if k % 2 == 1 { -step } else { step };
                let p = Point {
                    x: snap(want.x + dx),
                    y: snap(want.y + dy),
                };
                if free(&p) {
                    return p;
                }
            }
        }
        Point {
            x: snap(want.x),
            y: snap(want.y),
        }
    }

    fn between(&self, a: &Node, b: &Node) -> Point {
        self.spot(Point {
            x: (a.position.x + b.position.x) / 2.0,
            y: (a.position.y + b.position.y) / 2.0,
        })
    }

    fn right_of(&self, a: &Node) -> Point {
        self.spot(Point {
            x: a.position.x + 224.0,
            y: a.position.y,
        })
    }

    fn below(&self, a: &Node) -> Point {
        self.spot(Point {
            x: a.position.x,
            y: a.position.y + 128.0,
        })
    }

    /// The next size up (`up`) or down of a node's size, as a setting.
    fn size_step(&self, n: &Node, up: bool) -> Option<Setting> {
        let key = size_key(n.kind)?;
        let ParamKind::Choice { options, .. } = key.spec().kind else {
            return None;
        };
        let i = options.iter().position(|o| *o == n.get(key))?;
        let j = if up { i + 1 } else { i.checked_sub(1)? };
        options.get(j).map(|o| choice(key, o))
    }

    /// What readers' requests should go to first: a load balancer or API
    /// on the read path, else any API, function or bucket.
    fn origin_for_cdn(&self, cdn: &Node) -> Option<&'a Node> {
        for k in ORIGIN_KINDS {
            if let Some(n) = self
                .f
                .of_kind(k)
                .find(|n| n.id != cdn.id && design::classify(cdn.kind, n.kind).is_ok())
            {
                return Some(n);
            }
        }
        None
    }

    /// Where the operator's writes enter the system: its first hop.
    fn write_entry(&self) -> Option<&'a Node> {
        self.of_kind(NodeKind::Operator)
            .into_iter()
            .flat_map(|o| self.f.next(o, true))
            .next()
    }

    /// An API with a connection to a primary, else any API.
    fn writing_api(&self) -> Option<&'a Node> {
        let apis = self.of_kind(NodeKind::Api);
        apis.iter()
            .copied()
            .find(|a| {
                self.f
                    .next(a, true)
                    .iter()
                    .any(|c| c.kind == NodeKind::DbPrimary)
            })
            .or_else(|| apis.first().copied())
    }

    // ----- reads -----------------------------------------------------------

    fn reads(&self, m: Metric, push: &mut impl FnMut(Option<Fix>)) {
        let users = self.of_kind(NodeKind::Users);
        if users.is_empty() {
            let to: Vec<&Node> = self
                .of_kind(NodeKind::Cdn)
                .into_iter()
                .take(1)
                .chain(self.origin_for_cdn_any())
                .take(1)
                .collect();
            push(self.b.add(
                NodeKind::Users,
                "Readers",
                self.spot(Point { x: 64.0, y: 64.0 }),
                &[],
                &[],
                &to,
                false,
                ", so the readers' traffic is simulated",
            ));
            return;
        }
        // Readers with nowhere to go.
        for u in &users {
            if self.f.next(u, false).is_empty() {
                if let Some(t) = self
                    .of_kind(NodeKind::Cdn)
                    .first()
                    .copied()
                    .or_else(|| self.origin_for_cdn_any())
                {
                    push(self.b.connect(u, t, &[]));
                }
                if let Some(o) = self.origin_for_cdn_any() {
                    push(self.b.add(
                        NodeKind::Cdn,
                        "CDN",
                        self.between(u, o),
                        &cdn_settings(),
                        &[u],
                        &[o],
                        false,
                        ", so edges near the readers answer most reads from a copy",
                    ));
                }
            }
        }
        // No CDN between readers and servers.
        for u in &users {
            let next = self.f.next(u, false);
            let direct: Vec<&Node> = next
                .iter()
                .copied()
                .filter(|n| n.kind != NodeKind::Cdn)
                .collect();
            // Some readers go round the CDN: send them all through it.
            if let Some(cdn) = next.iter().find(|n| n.kind == NodeKind::Cdn) {
                push(self.b.connect(u, cdn, &direct));
            }
            if !direct.is_empty() {
                let settings = cdn_settings();
                push(self.b.add(
                    NodeKind::Cdn,
                    "CDN",
                    self.between(u, direct[0]),
                    &settings,
                    &[u],
                    &direct,
                    true,
                    ", so edges near the readers answer most reads from a copy",
                ));
            }
        }
        // Nodes on the readers' path that send reads nowhere: connect each
        // to the tier it should read from.
        for n in self.f.nodes.iter().copied().filter(|n| self.on_reads(n)) {
            if !self.f.next(n, false).is_empty() {
                continue;
            }
            let tiers: &[NodeKind] = match n.kind {
                NodeKind::LoadBalancer => {
                    &[NodeKind::Api, NodeKind::Serverless, NodeKind::ObjectStorage]
                }
                NodeKind::Cache => &[NodeKind::ReadReplica, NodeKind::DbPrimary],
                NodeKind::Api | NodeKind::Serverless => {
                    &[NodeKind::Cache, NodeKind::ReadReplica, NodeKind::DbPrimary]
                }
                _ => &[],
            };
            if let Some(t) = tiers.iter().find_map(|k| {
                self.f
                    .of_kind(*k)
                    .find(|t| t.id != n.id && design::classify(n.kind, t.kind).is_ok())
            }) {
                push(self.b.connect(n, t, &[]));
            }
        }
        // The CDNs on the read path.
        for c in self.f.read_cdns() {
            if self.f.next(c, false).is_empty() {
                if let Some(o) = self.origin_for_cdn(c) {
                    push(self.b.connect(c, o, &[]));
                }
            }
            push(self.b.set(c, &cdn_settings()));
            // A purge empties every edge at each update: with the origin
            // down there is no copy left to serve stale.
            if c.get(cdn::PURGE_ON_UPDATE) {
                let mut settings = cdn_settings();
                settings.push(off(cdn::PURGE_ON_UPDATE));
                push(self.b.set(c, &settings));
            }
            let stale = matches!(
                m,
                Metric::ReadStalenessP95S | Metric::UpdateDelayAfterRecoveryS
            );
            if stale || c.get(cdn::TTL_S) > 60.0 {
                push(self.b.set(c, &[num(cdn::TTL_S, 30.0)]));
                push(self.b.set(c, &[on(cdn::PURGE_ON_UPDATE)]));
            }
            if c.get(cdn::TTL_S) < 10.0 {
                push(self.b.set(c, &[num(cdn::TTL_S, 30.0)]));
            }
            push(self.b.set(c, &[num(cdn::SIE_S, 3600.0)]));
            push(self.b.set(c, &[num(cdn::SWR_S, 60.0)]));
            push(self.b.set(c, &[on(cdn::COLLAPSE), on(cdn::SHIELD)]));
            if c.get(cdn::ORIGIN_TIMEOUT_MS) > 1000.0 {
                push(self.b.set(c, &[num(cdn::ORIGIN_TIMEOUT_MS, 1000.0)]));
            }
        }
        // Caches that keep a copy too long, and stale copies in general.
        for c in self.of_kind(NodeKind::Cache) {
            if self.on_reads(c) && c.get(cache::TTL_S) > 10.0 {
                push(self.b.set(c, &[num(cache::TTL_S, 5.0)]));
            }
        }
        // Nodes that were saturated or failed.
        for n in self.strained().into_iter().take(3) {
            self.more_capacity(n, push);
        }
        // Single points of failure on the read path.
        for p in self.of_kind(NodeKind::DbPrimary) {
            push(self.b.set(p, &[on(db_primary::MULTI_AZ)]));
        }
        for a in self.of_kind(NodeKind::Api) {
            if self.on_reads(a) && a.get(api::MIN_INSTANCES) < 2.0 {
                push(self.b.set(
                    a,
                    &[
                        num(api::MIN_INSTANCES, 2.0),
                        num(api::MAX_INSTANCES, a.get(api::MAX_INSTANCES).max(2.0)),
                    ],
                ));
            }
        }
        // A cache in front of the databases, for APIs that read from them.
        if self.of_kind(NodeKind::Cache).is_empty() {
            for a in self.of_kind(NodeKind::Api) {
                let reads: Vec<&Node> = self
                    .f
                    .next(a, false)
                    .into_iter()
                    .filter(|n| matches!(n.kind, NodeKind::ReadReplica | NodeKind::DbPrimary))
                    .collect();
                if self.on_reads(a) && !reads.is_empty() {
                    let keep_writes = reads.iter().any(|n| n.kind == NodeKind::DbPrimary);
                    push(self.b.add(
                        NodeKind::Cache,
                        "Cache",
                        self.below(a),
                        &[num(cache::TTL_S, 5.0)],
                        &[a],
                        &reads,
                        !keep_writes,
                        ", so repeated reads are answered from memory",
                    ));
                }
            }
        }
        // Readers see an update only once it commits.
        if self
            .r
            .freshness
            .updates
            .iter()
            .any(|u| u.committed_s.is_none())
            || self.of_kind(NodeKind::Operator).is_empty()
        {
            self.writes(push);
        }
        self.slow_settings(push);
        self.isolate_primary(push);
    }

    /// Settings slower than the kata's figures (a network, a service
    /// time) put back to their defaults.
    fn slow_settings(&self, push: &mut impl FnMut(Option<Fix>)) {
        // The slow-down settings of each kind, in the order they are tried
        // on a node.
        const SLOW: [Key<Num>; 10] = [
            source::NET_MEDIAN_MS,
            api::SERVICE_MS,
            serverless::SERVICE_MS,
            db_primary::READ_MS,
            read_replica::READ_MS,
            db_primary::WRITE_MS,
            cache::GET_MS,
            object_storage::GET_MS,
            load_balancer::LATENCY_MS,
            cdn::ORIGIN_MEDIAN_MS,
        ];
        for n in &self.f.nodes {
            for key in SLOW.into_iter().filter(|k| k.applies_to(n.kind)) {
                let ParamKind::Number { default, .. } = key.spec().kind else {
                    continue;
                };
                if n.get(key) > default * 1.5 {
                    push(self.b.set(n, &[num(key, default)]));
                }
            }
        }
    }

    fn origin_for_cdn_any(&self) -> Option<&'a Node> {
        ORIGIN_KINDS.iter().find_map(|k| self.f.of_kind(*k).next())
    }

    /// More capacity for a node that ran out.
    fn more_capacity(&self, n: &Node, push: &mut impl FnMut(Option<Fix>)) {
        match n.kind {
            NodeKind::Api => {
                let max = n.get(api::MAX_INSTANCES);
                push(self.b.set(n, &[on(api::AUTOSCALE)]));
                push(self.b.set(
                    n,
                    &[
                        on(api::AUTOSCALE),
                        num(api::MAX_INSTANCES, (max * 2.0).min(100.0)),
                    ],
                ));
                push(self.b.set(
                    n,
                    &[num(
                        api::MIN_INSTANCES,
                        (n.get(api::MIN_INSTANCES) * 2.0).clamp(2.0, max.max(2.0)),
                    )],
                ));
                if let Some(size) = self.size_step(n, true) {
                    push(self.b.set(n, &[size]));
                }
            }
            NodeKind::Serverless => {
                let limit = n.get(serverless::CONCURRENCY_LIMIT);
                if limit > 1000.0 {
                    push(self.b.set(n, &[num(serverless::CONCURRENCY_LIMIT, 1000.0)]));
                } else {
                    push(self.b.set(
                        n,
                        &[num(
                            serverless::CONCURRENCY_LIMIT,
                            (limit * 4.0).min(100_000.0),
                        )],
                    ));
                }
            }
            NodeKind::ReadReplica => {
                let count = n.get(read_replica::COUNT);
                push(
                    self.b
                        .set(n, &[num(read_replica::COUNT, (count + 1.0).min(15.0))]),
                );
                if let Some(size) = self.size_step(n, true) {
                    push(self.b.set(n, &[size]));
                }
            }
            NodeKind::DbPrimary | NodeKind::Cache => {
                if let Some(size) = self.size_step(n, true) {
                    push(self.b.set(n, &[size]));
                }
                if n.kind == NodeKind::DbPrimary {
                    push(self.b.set(n, &[on(db_primary::MULTI_AZ)]));
                }
            }
            NodeKind::Cdn => {
                push(self.b.set(n, &cdn_settings()));
            }
            _ => {}
        }
    }

    // ----- writes ----------------------------------------------------------

    fn writes(&self, push: &mut impl FnMut(Option<Fix>)) {
        let ops = self.of_kind(NodeKind::Operator);
        let primaries = self.of_kind(NodeKind::DbPrimary);
        let Some(op) = ops.first().copied() else {
            if let Some(api) = self.writing_api() {
                push(self.b.add(
                    NodeKind::Operator,
                    "Operator",
                    self.spot(Point {
                        x: 64.0,
                        y: api.position.y + 128.0,
                    }),
                    &[],
                    &[],
                    &[api],
                    false,
                    ", so updates are written",
                ));
            }
            return;
        };
        if self.f.next(op, true).is_empty() {
            for a in [
                self.writing_api(),
                self.of_kind(NodeKind::Serverless).first().copied(),
            ]
            .into_iter()
            .flatten()
            {
                push(self.b.connect(op, a, &[]));
            }
        }
        // Writes that reach no primary.
        if !primaries.iter().any(|p| self.on_writes(p)) {
            let ends: Vec<&Node> = self
                .f
                .nodes
                .iter()
                .copied()
                .filter(|n| self.on_writes(n))
                .filter(|n| matches!(n.kind, NodeKind::Api | NodeKind::Serverless))
                .collect();
            for e in &ends {
                match primaries.first() {
                    Some(p) => push(self.b.connect(e, p, &[])),
                    None => push(self.b.add(
                        NodeKind::DbPrimary,
                        "Database",
                        self.right_of(e),
                        &[on(db_primary::MULTI_AZ)],
                        &[e],
                        &[],
                        false,
                        ", so the operator's updates are stored",
                    )),
                }
            }
            if ends.is_empty() {
                if let (Some(a), Some(p)) = (self.writing_api(), primaries.first()) {
                    push(self.b.connect(a, p, &[]));
                    push(self.b.connect(op, a, &[]));
                }
            }
        }
        // A write path shared with readers: an admin API of its own.
        let shared = self.f.shared();
        if let (Some(entry), Some(p)) = (
            shared
                .iter()
                .find(|n| self.f.next(op, true).iter().any(|x| x.id == n.id)),
            primaries
                .iter()
                .find(|p| self.on_writes(p))
                .or(primaries.first()),
        ) {
            let mut fix = self.b.add(
                NodeKind::Api,
                "Admin API",
                self.below(op),
                &[
                    choice(api::SIZE, "small"),
                    num(api::MIN_INSTANCES, 2.0),
                    num(api::MAX_INSTANCES, 2.0),
                    off(api::AUTOSCALE),
                ],
                &[op],
                &[p],
                false,
                "",
            );
            if let Some(f) = fix.as_mut() {
                f.edits.insert(
                    1,
                    super::fix::Edit::Disconnect {
                        from: op.id.clone(),
                        to: entry.id.clone(),
                    },
                );
                f.text = format!(
                    "Give the operator a path of its own: connect {} to a new API “Admin API” that writes to {}, instead of through {}.",
                    quoted(op),
                    quoted(p),
                    quoted(entry)
                );
            }
            push(fix);
        }
        for n in self
            .strained()
            .into_iter()
            .filter(|n| self.on_writes(n))
            .take(2)
        {
            self.more_capacity(n, push);
        }
        self.slow_settings(push);
        self.isolate_primary(push);
    }

    // ----- the primary kept for writes ------------------------------------

    fn isolate_primary(&self, push: &mut impl FnMut(Option<Fix>)) {
        let senders = self.f.primary_readers();
        if senders.is_empty() {
            return;
        }
        let replicas = self.of_kind(NodeKind::ReadReplica);
        let primary = self
            .of_kind(NodeKind::DbPrimary)
            .into_iter()
            .find(|p| self.on_reads(p));
        for s in senders.iter().filter(|s| !s.kind.is_source()) {
            let to_primary: Vec<&Node> = self
                .f
                .next(s, false)
                .into_iter()
                .filter(|n| n.kind == NodeKind::DbPrimary)
                .collect();
            // Services keep their connection to the primary for writes and
            // read from the replica, which they prefer.
            let keep = matches!(s.kind, NodeKind::Api | NodeKind::Serverless);
            let drop: Vec<&Node> = if keep { Vec::new() } else { to_primary };
            match replicas.first() {
                Some(r) => {
                    push(self.b.connect(s, r, &drop));
                    if let Some(p) = primary {
                        if !self.f.replica_fed(r) {
                            push(self.b.connect(p, r, &[]));
                        }
                    }
                }
                None => {
                    if let Some(p) = primary {
                        let mut fix = self.b.add(
                            NodeKind::ReadReplica,
                            "Read replica",
                            self.right_of(p),
                            &[],
                            &[p, s],
                            &[],
                            false,
                            "",
                        );
                        if let Some(f) = fix.as_mut() {
                            for old in &drop {
                                f.edits.push(super::fix::Edit::Disconnect {
                                    from: s.id.clone(),
                                    to: old.id.clone(),
                                });
                            }
                            f.text = format!(
                                "Add a read replica fed by {} and let {} read from it, keeping the primary for writes.",
                                quoted(p),
                                quoted(s)
                            );
                        }
                        push(fix);
                    }
                }
            }
        }
    }

    // ----- staff -----------------------------------------------------------

    fn staff(&self, push: &mut impl FnMut(Option<Fix>)) {
        // Where the operator writes, or would (an API with a primary).
        let entry = self.write_entry().or_else(|| self.writing_api());
        let staff = self.of_kind(NodeKind::InternalUsers);
        match (staff.first(), entry) {
            (None, Some(e)) => push(self.b.add(
                NodeKind::InternalUsers,
                "Staff tools",
                self.spot(Point {
                    x: 64.0,
                    y: e.position.y + 160.0,
                }),
                &[],
                &[],
                &[e],
                false,
                ", reading through the operator's way to the primary",
            )),
            (Some(s), Some(e)) => {
                let old: Vec<&Node> = self.f.next(s, false);
                push(self.b.connect(s, e, &old));
            }
            _ => {}
        }
        // A CDN that purges on update answers staff with the new page.
        for s in &staff {
            for c in self.f.next(s, false) {
                if c.kind == NodeKind::Cdn {
                    push(self.b.set(c, &[on(cdn::PURGE_ON_UPDATE)]));
                }
            }
        }
    }

    // ----- cost ------------------------------------------------------------

    fn cost(&self, push: &mut impl FnMut(Option<Fix>)) {
        for a in self.of_kind(NodeKind::Api) {
            let min = a.get(api::MIN_INSTANCES);
            if min > 2.0 {
                push(self.b.set(
                    a,
                    &[
                        num(api::MIN_INSTANCES, 2.0),
                        on(api::AUTOSCALE),
                        num(api::MAX_INSTANCES, a.get(api::MAX_INSTANCES).max(min)),
                    ],
                ));
            }
            if let Some(size) = self.size_step(a, false) {
                push(self.b.set(a, &[size]));
            }
        }
        for r in self.of_kind(NodeKind::ReadReplica) {
            if r.get(read_replica::COUNT) > 1.0 {
                push(self.b.set(
                    r,
                    &[num(read_replica::COUNT, r.get(read_replica::COUNT) - 1.0)],
                ));
            }
            if let Some(size) = self.size_step(r, false) {
                push(self.b.set(r, &[size]));
            }
        }
        for k in [NodeKind::DbPrimary, NodeKind::Cache] {
            for n in self.of_kind(k) {
                if let Some(size) = self.size_step(n, false) {
                    push(self.b.set(n, &[size]));
                }
            }
        }
        for c in self.of_kind(NodeKind::Cdn) {
            let other = if c.get(cdn::PLAN) == "pro" {
                "pay_as_you_go"
            } else {
                "pro"
            };
            push(self.b.set(c, &[choice(cdn::PLAN, other)]));
        }
        for u in self.of_kind(NodeKind::Users) {
            if self
                .f
                .next(u, false)
                .iter()
                .any(|n| n.kind != NodeKind::Cdn)
            {
                self.reads(Metric::ReadP95Ms, push);
                break;
            }
        }
    }
}
