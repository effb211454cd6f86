//! Why a scenario passed or failed, and the one thing to try next: what a
//! senior engineer reviewing the design would say, read off the run.
//!
//! Each failed metric has its own diagnosis: it looks at when things went
//! wrong (which fault, if any, was in progress), which node had the errors
//! or the saturation, and which setting of which node explains it, and
//! names that node. The rules are ordered from the most specific cause to
//! the most general; every path ends in a sentence, whatever the design.

use design::keys::{api, cache, cdn, db_primary, read_replica, serverless, source};
use design::{Node, NodeId, NodeKind};

use super::facts::{capital, join, quoted, who};
use super::metrics::{self, at, count, pct, secs, thousands, update_timings, Context};
use super::{cost, CheckResult};
use crate::engine::{self, EventKind, FaultKind, NodeReport, Report};

/// The explanation of a scenario's deciding check. (What to try next is
/// not said here: it is a fix the verifier has tested, see `verify.rs`.)
pub(crate) struct Verdict {
    pub node: Option<NodeId>,
    pub cause: String,
}

/// Explains the deciding check `head` of a scenario whose checks are
/// `all` (in the kata's order).
// Kept out of its callers: ARCHITECTURE.md, "The grading worker's wasm".
#[inline(never)]
pub(crate) fn explain(ctx: &Context<'_>, head: &CheckResult, all: &[CheckResult]) -> Verdict {
    let a = Analysis {
        ctx,
        r: ctx.report(),
    };
    if all.iter().all(|c| c.passed) {
        return a.pass(head, all);
    }
    use super::Metric::*;
    match head.metric {
        ReadErrorsPct | ReadP95Ms => a.reads(head),
        ReadStalenessP95S => a.staleness(head),
        UpdatesNotCommitted | WriteP95Ms => a.writes(head),
        ExternalReadsAtPrimary => a.reads_at_primary(head),
        MonthlyCostUsd => a.cost(head),
        UpdateDelayAfterRecoveryS => a.update_delay(head),
        LongestSaturationS => a.saturation(head),
        StaffReadsMissingOwnWrite => a.own_writes(head),
    }
}

fn verdict(node: Option<&Node>, cause: String) -> Verdict {
    Verdict {
        node: node.map(|n| n.id.clone()),
        cause,
    }
}

/// A rate for people: "45,000 reads/s".
fn rate(v: f64) -> String {
    if v < 10.0 {
        format!("{} reads/s", metrics::num(v))
    } else {
        format!("{} reads/s", thousands(v))
    }
}

struct Analysis<'a> {
    ctx: &'a Context<'a>,
    r: &'a Report,
}

impl<'a> Analysis<'a> {
    // ----- lookups -------------------------------------------------------

    fn node(&self, id: &str) -> Option<&'a Node> {
        self.ctx.facts.node(id)
    }

    fn rep(&self, id: &str) -> Option<&'a NodeReport> {
        self.r.node(id)
    }

    fn index(&self, id: &str) -> Option<usize> {
        self.r.nodes.iter().position(|n| n.id == id)
    }

    fn readers(&self) -> Vec<&'a Node> {
        self.ctx.facts.of_kind(NodeKind::Users).collect()
    }

    /// The first CDN on the readers' path, if any.
    fn cdn(&self) -> Option<&'a Node> {
        self.ctx.facts.read_cdns().into_iter().next()
    }

    /// What readers connect to directly, in words.
    fn first_hops(&self) -> Vec<&'a Node> {
        let mut out: Vec<&Node> = Vec::new();
        for u in self.readers() {
            for n in self.ctx.facts.next(u, false) {
                if !out.iter().any(|x| x.id == n.id) {
                    out.push(n);
                }
            }
        }
        out
    }

    /// The busiest moment of the readers: (rate, time).
    fn peak_reads(&self) -> (f64, f64) {
        let s = &self.r.series;
        s.offered_rps
            .iter()
            .zip(s.t_s.iter())
            .map(|(&v, &t)| (f64::from(v), f64::from(t)))
            .fold((0.0, 0.0), |best, x| if x.0 > best.0 { x } else { best })
    }

    /// First and last series time a node was saturated, and for how long
    /// in all (series points × spacing).
    fn saturated_span(&self, id: &str) -> Option<(f64, f64)> {
        let i = self.index(id)?;
        let s = &self.r.series;
        let ns = s.nodes.get(i)?;
        let every = f64::from(s.every_s.max(1));
        let mut first = None;
        let mut last = None;
        for (k, u) in ns.utilisation.iter().enumerate() {
            if *u >= 0.999 {
                let t = f64::from(*s.t_s.get(k)?) + 1.0;
                first.get_or_insert((t - every).max(0.0));
                last = Some(t);
            }
        }
        Some((first?, last?))
    }

    /// External errors (requests) in [from, to), from the series.
    fn errors_between(&self, from: f64, to: f64) -> f64 {
        let s = &self.r.series;
        let every = f64::from(s.every_s.max(1));
        s.t_s
            .iter()
            .zip(s.errors_rps.iter())
            .filter(|(&t, _)| {
                let t = f64::from(t);
                t >= from && t < to
            })
            .map(|(_, &e)| f64::from(e) * every)
            .sum()
    }

    /// When a fault of the run really ended: the end of the same fault
    /// (the same kind, target and duration) in the report's events (a
    /// primary without Multi-AZ recovers later than the kata counts),
    /// else the kata's recovery.
    fn fault_end(&self, w: &super::FaultWindow) -> f64 {
        self.r
            .events
            .iter()
            .filter(|e| e.kind == EventKind::FaultEnded && e.t_s >= w.start_s)
            .find(|e| e.fault.as_ref().is_some_and(|f| f.kind == w.kind))
            .map_or(w.recovered_s, |e| e.t_s)
    }

    /// ", right after the origin outage ended" when time `t` falls just
    /// after one of the run's faults, ", during the …" when within one.
    fn fault_phrase(&self, t: f64) -> String {
        for w in &self.ctx.run.faults {
            if t >= w.recovered_s - 10.0 && t <= w.recovered_s + 120.0 {
                return format!(", right after the {} ended", w.name());
            }
            if t >= w.start_s && t < w.recovered_s {
                return format!(", during the {}", w.name());
            }
        }
        String::new()
    }

    /// Reads/s a node can answer at its largest (all instances, workers,
    /// replicas), as the engine models it, with how that comes about.
    fn capacity(&self, n: &Node) -> Option<(f64, String)> {
        let c = engine::capacity(n)?;
        let plural = |k: f64| if k == 1.0 { "" } else { "s" };
        let how = match n.kind {
            NodeKind::Api => format!(
                "{} {} instance{} of {} workers at {} ms a request",
                thousands(c.instances_max),
                n.get(api::SIZE),
                plural(c.instances_max),
                thousands(c.workers),
                metrics::num(c.service_ms)
            ),
            NodeKind::Serverless => format!(
                "{} copies at {} ms a call",
                thousands(c.workers),
                metrics::num(c.service_ms)
            ),
            NodeKind::Cache => format!("a {} node", n.get(cache::SIZE)),
            NodeKind::ReadReplica => format!(
                "{} {} replica{} at {} ms a read",
                thousands(c.instances_max),
                n.get(read_replica::SIZE),
                plural(c.instances_max),
                metrics::num(c.service_ms)
            ),
            NodeKind::DbPrimary => format!(
                "a {} instance at {} ms a read",
                n.get(db_primary::SIZE),
                metrics::num(c.service_ms)
            ),
            NodeKind::ObjectStorage => "its request rate limit".to_string(),
            _ => return None,
        };
        Some((c.max_rps, how))
    }

    /// The non-source node with the most errors, preferring the node
    /// where they arose over a CDN that only passed them on.
    fn worst_errors(&self) -> Option<(&'a Node, &'a NodeReport)> {
        self.r
            .nodes
            .iter()
            .filter(|n| !n.kind.is_source() && n.summary.errors > 0.0)
            .filter_map(|nr| Some((self.node(&nr.id)?, nr)))
            .max_by(|a, b| a.1.summary.errors.total_cmp(&b.1.summary.errors))
    }

    /// The node saturated longest (of those on `among`, if given).
    fn most_saturated(
        &self,
        among: Option<&std::collections::HashSet<&str>>,
    ) -> Option<(&'a Node, &'a NodeReport)> {
        self.r
            .nodes
            .iter()
            .filter(|n| n.summary.saturated_max_s > 0.0)
            .filter(|n| among.is_none_or(|set| set.contains(n.id.as_str())))
            .filter_map(|nr| Some((self.node(&nr.id)?, nr)))
            .max_by(|a, b| {
                a.1.summary
                    .saturated_max_s
                    .total_cmp(&b.1.summary.saturated_max_s)
            })
    }

    /// The busiest node (highest one-tick utilisation) of a set.
    fn busiest(&self, among: &std::collections::HashSet<&str>) -> Option<&'a Node> {
        self.r
            .nodes
            .iter()
            .filter(|n| among.contains(n.id.as_str()) && !n.kind.is_source())
            .filter(|n| n.summary.utilisation_max > 0.0)
            .max_by(|a, b| {
                a.summary
                    .utilisation_max
                    .total_cmp(&b.summary.utilisation_max)
            })
            .and_then(|nr| self.node(&nr.id))
    }

    /// The update that committed during [from, to), if any: (number, time).
    fn commit_between(&self, from: f64, to: f64) -> Option<(usize, f64)> {
        self.r
            .freshness
            .updates
            .iter()
            .enumerate()
            .find_map(|(k, u)| {
                u.committed_s
                    .filter(|c| *c >= from && *c < to)
                    .map(|c| (k + 1, c))
            })
    }

    // ----- shared advice --------------------------------------------------

    /// Why a node with a CDN in front is still overloaded: a CDN setting
    /// when one explains it (the CDN is then the node to change), else the
    /// CDN's misses alone (the node itself is).
    fn behind_cdn<'n>(&self, cdn: &'n Node, n: &'n Node) -> BehindCdn<'n> {
        let name = who(cdn);
        if cdn.get(cdn::TTL_S) <= 0.0 {
            return BehindCdn {
                blamed: cdn,
                why: format!(
                    "{name} has a TTL of 0 s, so it caches nothing and passes every read on"
                ),
            };
        }
        if !cdn.get(cdn::COLLAPSE) {
            return BehindCdn {
                blamed: cdn,
                why: format!("{name} has no request collapsing, so every reader whose edge was refetching went to the origin as well"),
            };
        }
        if cdn.get(cdn::PURGE_ON_UPDATE) && !cdn.get(cdn::SHIELD) {
            return BehindCdn {
                blamed: cdn,
                why: format!("{name} purges every edge at once on each update, and without an origin shield all its edges refetch together"),
            };
        }
        if cdn.get(cdn::TTL_S) < 10.0 {
            return BehindCdn {
                blamed: cdn,
                why: format!(
                    "{name} keeps copies for only {} s, so its edges ask the origin often",
                    metrics::num(cdn.get(cdn::TTL_S))
                ),
            };
        }
        BehindCdn {
            blamed: n,
            why: format!("the misses of {name} alone were more than it could serve"),
        }
    }

    // ----- passed scenarios ---------------------------------------------

    /// What a passed scenario's checks measured, in one or two sentences,
    /// and the node nearest its limit.
    fn pass(&self, head: &CheckResult, all: &[CheckResult]) -> Verdict {
        use super::Metric::*;
        let f = self.ctx.facts;
        let mut parts: Vec<String> = Vec::new();
        let mut extra: Vec<String> = Vec::new();
        let mut node: Option<&Node> = None;
        for c in all {
            let v = c.measured.value;
            let win = metrics::window(self.r, c.window.as_deref());
            match c.metric {
                ReadErrorsPct => {
                    let offered = win.map_or(0.0, |w| w.external.offered);
                    parts.push(format!("{} of {} reads failed", pct(v), count(offered)));
                }
                ReadP95Ms => parts.push(format!("reads took {} at p95", metrics::ms(v))),
                ReadStalenessP95S => parts.push(format!(
                    "readers had each update within {} (p95 staleness)",
                    secs(v)
                )),
                UpdatesNotCommitted => parts.push(format!(
                    "all {} updates committed",
                    self.r.freshness.updates.len()
                )),
                WriteP95Ms => parts.push(format!(
                    "the operator's writes took {} at p95",
                    metrics::ms(v)
                )),
                ExternalReadsAtPrimary => {
                    parts.push("no reader's request reached the primary".into())
                }
                MonthlyCostUsd => {
                    let mc = cost::monthly(self.ctx.design, self.r, self.ctx.incidents_per_month);
                    parts.push(format!(
                        "always on, the design costs {} a month and each incident adds {}: {} a month with {} incidents",
                        metrics::usd(mc.always_on_usd),
                        metrics::usd(mc.incident_usd),
                        metrics::usd(mc.total_usd),
                        metrics::num(mc.incidents_per_month)
                    ));
                    if let Some(item) = mc.top() {
                        if let Some(n) = self.node(item.node.as_str()) {
                            extra.push(format!(
                                "The largest item is {} at {} a month.",
                                who(n),
                                metrics::usd(mc.month_of(item))
                            ));
                            node = node.or(Some(n));
                        }
                    }
                }
                UpdateDelayAfterRecoveryS => parts.push(format!(
                    "every update reached readers within {} of its posting or of the recovery it waited for",
                    secs(v)
                )),
                LongestSaturationS => match metrics::longest_saturation(self.r) {
                    Some((i, s)) => {
                        let n = self.r.nodes.get(i).and_then(|n| self.node(&n.id));
                        parts.push(format!(
                            "no node stayed saturated longer than {}{}",
                            secs(s),
                            n.map(|n| format!(" ({})", who(n))).unwrap_or_default()
                        ));
                        node = node.or(n);
                    }
                    None => parts.push("no node was ever saturated".into()),
                },
                StaffReadsMissingOwnWrite => {
                    parts.push("every staff read after an update saw that update".into())
                }
            }
        }
        let reads = all
            .iter()
            .any(|c| matches!(c.metric, ReadErrorsPct | ReadP95Ms | ReadStalenessP95S));
        if reads {
            if let Some(c) = self.cdn() {
                let origin: f64 = f
                    .next(c, false)
                    .iter()
                    .filter_map(|o| self.rep(o.id.as_str()))
                    .map(|o| o.summary.offered)
                    .sum();
                let total = self.rep(c.id.as_str()).map_or(0.0, |x| x.summary.offered);
                if total > 0.0 {
                    let share = 100.0 * (1.0 - (origin / total).min(1.0));
                    let share = if share >= 99.9 {
                        format!("{share:.4} %")
                    } else {
                        pct(share)
                    };
                    extra.push(format!(
                        "{} answered {share} of the reads at the edge; its origin saw {} requests.",
                        who(c),
                        count(origin)
                    ));
                }
                node = node.or(Some(c));
            }
        }
        if !self.ctx.run.faults.is_empty() {
            let list: Vec<String> = self
                .ctx
                .run
                .faults
                .iter()
                .map(|w| format!("the {} at {}", w.name(), at(w.start_s)))
                .collect();
            let through = format!("Through {}: ", join(&list));
            let mut cause = through;
            cause.push_str(&join(&parts));
            cause.push('.');
            for e in &extra {
                cause.push(' ');
                cause.push_str(e);
            }
            return verdict(node.or_else(|| self.busiest(&f.read_nodes)), cause);
        }
        if node.is_none() {
            if matches!(
                head.metric,
                UpdatesNotCommitted | WriteP95Ms | ExternalReadsAtPrimary
            ) {
                // Where writes and reads would compete: the primary.
                node = f
                    .of_kind(NodeKind::DbPrimary)
                    .find(|p| f.write_nodes.contains(p.id.as_str()))
                    .or_else(|| self.busiest(&f.write_nodes));
            } else {
                node = self.busiest(&f.read_nodes);
            }
        }
        let mut cause = capital(&join(&parts));
        cause.push('.');
        for e in extra {
            cause.push(' ');
            cause.push_str(&e);
        }
        verdict(node, cause)
    }

    // ----- failed scenarios ---------------------------------------------

    /// External read errors or latency over a window.
    fn reads(&self, head: &CheckResult) -> Verdict {
        let f = self.ctx.facts;
        let readers = self.readers();
        if readers.is_empty() {
            return verdict(
                None,
                "The design has no readers (Users node), so there was nothing to measure.".into(),
            );
        }
        if let Some(u) = readers.iter().find(|u| f.next(u, false).is_empty()) {
            return verdict(
                Some(u),
                format!(
                    "{} are connected to nothing that answers reads, so every read failed.",
                    who(u)
                ),
            );
        }
        // Faults first: were the errors (or the slow reads) during one?
        if !self.ctx.run.faults.is_empty() {
            if let Some(v) = self.reads_in_fault(head) {
                return v;
            }
        }
        // Capacity: the node that failed the most, or the slowest.
        let culprit = if head.metric == super::Metric::ReadErrorsPct {
            self.worst_errors()
                .or_else(|| self.most_saturated(Some(&f.read_nodes)))
        } else {
            self.most_saturated(Some(&f.read_nodes))
                .or_else(|| self.worst_errors())
        };
        let measured = measured(head);
        let Some((n, nr)) = culprit else {
            return self.slow_path(head, measured);
        };
        let (peak, peak_t) = self.peak_reads();
        let sat = nr.summary.saturated_max_s;
        if n.kind == NodeKind::Cdn {
            if f.next(n, false).is_empty() {
                return verdict(
                    Some(n),
                    format!("{} has no origin to fetch from, so every read it could not answer from a copy failed. {measured}", who(n)));
            }
            return verdict(
                Some(n),
                format!("{} could not get pages from its origin and had no stale copy to fall back on. {measured}", who(n)));
        }
        if n.kind.is_source() {
            return verdict(Some(n), measured.clone());
        }
        let span_t = self.saturated_span(n.id.as_str());
        let span = span_t
            .map(|(a, b)| format!(" from {} to {}{}", at(a), at(b), self.fault_phrase(a)))
            .unwrap_or_default();
        let capacity = self.capacity(n);
        let cap = capacity
            .as_ref()
            .map(|(c, how)| format!(", against the {} it can serve ({how})", rate(*c)))
            .unwrap_or_default();
        let mut load = if sat > 0.0 {
            format!(
                "{} was saturated for {}{span}: readers peaked at {} at {}{cap}",
                who(n),
                secs(sat),
                rate(peak),
                at(peak_t)
            )
        } else {
            format!(
                "{} failed {} requests as readers peaked at {} at {}{cap}",
                who(n),
                count(nr.summary.errors),
                rate(peak),
                at(peak_t)
            )
        };
        // Autoscaling that could have coped, but too late.
        if n.kind == NodeKind::Api
            && n.get(api::AUTOSCALE)
            && capacity.as_ref().is_some_and(|(c, _)| *c >= peak)
        {
            load.push_str(&format!(
                ". Autoscaling could grow it to {} instances, but it adds them only after three minutes above its target and a {} s boot: too late for readers who came all at once",
                thousands(n.get(api::MAX_INSTANCES)),
                metrics::num(n.get(api::BOOT_S))
            ));
        }
        // A function in front that passed everything on.
        if let Some(func) = f
            .of_kind(NodeKind::Serverless)
            .filter(|x| x.id != n.id && f.read_nodes.contains(x.id.as_str()))
            .find(|x| {
                self.capacity(x).is_some_and(|(c, _)| c >= peak)
                    && f.read_depth.get(x.id.as_str()) < f.read_depth.get(n.id.as_str())
            })
        {
            let copies = self
                .rep(func.id.as_str())
                .map_or(0.0, |r| r.summary.instances_max);
            load.push_str(&format!(
                ". {} has a concurrency limit of {}, so it scaled to {} copies and passed every read on to {}",
                who(func),
                thousands(func.get(serverless::CONCURRENCY_LIMIT)),
                thousands(copies),
                quoted(n)
            ));
        }
        match self.cdn() {
            None => {
                let path = if f.users_behind_cdn() {
                    String::new()
                } else {
                    ". Nothing caches in front of your servers, so every read reached them"
                        .to_string()
                };
                verdict(Some(n), format!("{load}{path}. {measured}"))
            }
            Some(cdn) => {
                let b = self.behind_cdn(cdn, n);
                verdict(
                    Some(b.blamed),
                    format!("{load}. {}. {measured}", capital(&b.why)),
                )
            }
        }
    }

    /// Reads failed or slow with nothing saturated and no node failing:
    /// the latency of the path itself.
    fn slow_path(&self, head: &CheckResult, measured: String) -> Verdict {
        let f = self.ctx.facts;
        let net = self
            .readers()
            .iter()
            .map(|u| u.get(source::NET_MEDIAN_MS))
            .fold(0.0, f64::max);
        if head.metric == super::Metric::ReadP95Ms && net > 30.0 {
            let u = self.readers().into_iter().next();
            return verdict(
                u,
                format!("The readers' own network has a median of {} ms, which alone takes most of the budget. {measured}", metrics::num(net)));
        }
        // The slowest node on the read path by its own mean time.
        let slow = self
            .r
            .nodes
            .iter()
            .filter(|n| f.read_nodes.contains(n.id.as_str()) && !n.kind.is_source())
            .max_by(|a, b| {
                a.summary
                    .latency
                    .mean_ms
                    .total_cmp(&b.summary.latency.mean_ms)
            })
            .and_then(|nr| Some((self.node(&nr.id)?, nr)));
        match (slow, self.cdn()) {
            (_, None) => verdict(
                self.first_hops().into_iter().next(),
                format!("Every read travelled to your servers and back. {measured}"),
            ),
            (Some((n, nr)), Some(_)) => verdict(
                Some(n),
                format!(
                    "No node was saturated, but {} added {} per request on average. {measured}",
                    who(n),
                    metrics::ms(nr.summary.latency.mean_ms)
                ),
            ),
            (None, Some(cdn)) => verdict(Some(cdn), measured.clone()),
        }
    }

    /// Read errors or latency that came with one of the run's faults.
    fn reads_in_fault(&self, head: &CheckResult) -> Option<Verdict> {
        let run = self.ctx.run;
        let total: f64 = self.errors_between(0.0, f64::INFINITY);
        let errors_metric = head.metric == super::Metric::ReadErrorsPct;
        if !errors_metric || total <= 0.0 {
            return None;
        }
        // The fault with the most errors from its start to a minute after
        // it really ended (a primary without Multi-AZ stays down longer
        // than the kata's recovery).
        let (fi, in_fault) = run
            .faults
            .iter()
            .enumerate()
            .map(|(i, w)| (i, self.errors_between(w.start_s, self.fault_end(w) + 60.0)))
            .max_by(|a, b| a.1.total_cmp(&b.1))?;
        if in_fault < 0.5 * total {
            return None;
        }
        let w = &run.faults[fi];
        let fault = w.kind.clone();
        let measured = measured(head);
        let window = format!("from {} to {}", at(w.start_s), at(self.fault_end(w)));
        match fault {
            FaultKind::Outage { .. } => {
                let Some(cdn) = self.cdn() else {
                    let first = self.first_hops().into_iter().next();
                    return Some(verdict(
                        first,
                        format!(
                            "During the origin outage {window} the readers went straight to {}, which was down, and nothing else had a copy of the page. {measured}",
                            first.map_or("your servers".to_string(), who)
                        )));
                };
                let name = who(cdn);
                if cdn.get(cdn::PURGE_ON_UPDATE) {
                    if let Some((k, c)) = self.commit_between(w.start_s, w.recovered_s) {
                        return Some(verdict(
                            Some(cdn),
                            format!(
                                "Update {k} committed at {}, during the origin outage {window}; {name} purged every copy of the page on that update, so its edges had nothing left to serve stale and readers got errors until the origin came back. {measured}",
                                at(c)
                            )));
                    }
                }
                let sie = cdn.get(cdn::SIE_S);
                if sie <= 0.0 {
                    return Some(verdict(
                        Some(cdn),
                        format!(
                            "During the origin outage {window} every fetch of {name} failed, and with no stale-if-error each edge returned errors once its copy expired (after its {} s TTL). {measured}",
                            metrics::num(cdn.get(cdn::TTL_S))
                        )));
                }
                let needed = cdn.get(cdn::TTL_S) + (w.recovered_s - w.start_s);
                if sie < needed {
                    return Some(verdict(
                        Some(cdn),
                        format!(
                            "{name} may serve stale only {} past expiry, less than the {} outage {window}: its edges ran out and returned errors. {measured}",
                            secs(sie),
                            secs(w.recovered_s - w.start_s)
                        )));
                }
                if !cdn.get(cdn::COLLAPSE) {
                    return Some(verdict(
                        Some(cdn),
                        format!("During the origin outage {window} the readers of refetching edges of {name} went to the failing origin themselves (no request collapsing). {measured}")));
                }
                None
            }
            FaultKind::PrimaryFailover => {
                let f = self.ctx.facts;
                let primary = f
                    .of_kind(NodeKind::DbPrimary)
                    .find(|p| f.read_nodes.contains(p.id.as_str()))
                    .or_else(|| f.of_kind(NodeKind::DbPrimary).next());
                let pname = primary.map_or("the primary".to_string(), who);
                let how = if primary.is_some_and(|p| p.get(db_primary::MULTI_AZ)) {
                    "while it failed over"
                } else {
                    "while it was replaced (it has no Multi-AZ standby)"
                };
                let cause = format!(
                    "The readers' requests depend on {pname}, which was unavailable {window} {how}, and nothing in front of it had a copy to serve instead. {measured}"
                );
                if let Some(cdn) = self.cdn().filter(|c| c.get(cdn::SIE_S) <= 0.0) {
                    return Some(verdict(Some(cdn), cause));
                }
                Some(verdict(primary, cause))
            }
            FaultKind::ReplicaLagSpike { .. } => None,
        }
    }

    /// How long `n`, on the readers' path, may keep answering with the
    /// page as it was before an update committed, seconds: a CDN's TTL
    /// (unless it purges), a cache's key TTL (unless an update deletes the
    /// key), a replica's lag; infinite for a node that never receives
    /// updates (a service or bucket nothing writes to, a replica nothing
    /// replicates to).
    fn holds(&self, n: &Node) -> f64 {
        let f = self.ctx.facts;
        let on_write_path = f.write_nodes.contains(n.id.as_str());
        match n.kind {
            NodeKind::Cdn if n.get(cdn::PURGE_ON_UPDATE) => 0.0,
            NodeKind::Cdn => n.get(cdn::TTL_S).max(0.0),
            NodeKind::Cache if f.cache_invalidated(n) => 0.0,
            NodeKind::Cache => n.get(cache::TTL_S).max(0.0),
            NodeKind::ReadReplica if f.replica_fed(n) => n.get(read_replica::LAG_S).max(0.0),
            NodeKind::ReadReplica => f64::INFINITY,
            NodeKind::DbPrimary if on_write_path => 0.0,
            NodeKind::DbPrimary => f64::INFINITY,
            NodeKind::ObjectStorage => {
                let published = f.parents(n).iter().any(|p| {
                    matches!(p.kind, NodeKind::Api | NodeKind::Serverless)
                        && f.write_nodes.contains(p.id.as_str())
                });
                if published {
                    0.0
                } else {
                    f64::INFINITY
                }
            }
            NodeKind::Api | NodeKind::Serverless
                if f.next(n, false).is_empty() && !on_write_path =>
            {
                f64::INFINITY
            }
            _ => 0.0,
        }
    }

    /// The node the readers' old pages come from, for a staleness above
    /// `limit`: a node that never receives updates, else the node that
    /// keeps an old page longest (if longer than `limit`), else a CDN
    /// whose purge races the layers behind it, else the CDN.
    fn stale_layer(&self, limit: f64) -> Option<&'a Node> {
        let f = self.ctx.facts;
        let mut on_path: Vec<(&Node, f64, usize)> = f
            .nodes
            .iter()
            .copied()
            .filter(|n| !n.kind.is_source())
            .filter_map(|n| Some((n, self.holds(n), *f.read_depth.get(n.id.as_str())?)))
            .collect();
        // Nearest the readers first, so ties go to the outermost layer.
        on_path.sort_by_key(|x| x.2);
        if let Some(x) = on_path.iter().find(|x| x.1.is_infinite()) {
            return Some(x.0);
        }
        let longest =
            on_path
                .iter()
                .filter(|x| x.1 > limit)
                .fold(None::<&(&Node, f64, usize)>, |best, x| match best {
                    Some(b) if b.1 >= x.1 => Some(b),
                    _ => Some(x),
                });
        if let Some(x) = longest {
            return Some(x.0);
        }
        on_path
            .iter()
            .find(|x| {
                x.0.kind == NodeKind::Cdn
                    && x.0.get(cdn::PURGE_ON_UPDATE)
                    && x.0.get(cdn::TTL_S) > limit
            })
            .or_else(|| {
                on_path
                    .iter()
                    .filter(|x| x.1 > 0.0)
                    .max_by(|a, b| a.1.total_cmp(&b.1))
            })
            .or_else(|| on_path.iter().find(|x| x.0.kind == NodeKind::Cdn))
            .map(|x| x.0)
    }

    /// Why a stale node serves old pages.
    fn why_stale(&self, n: &Node) -> String {
        let f = self.ctx.facts;
        let name = who(n);
        match n.kind {
            NodeKind::Cdn => {
                let ttl = n.get(cdn::TTL_S);
                if n.get(cdn::PURGE_ON_UPDATE) {
                    let behind = f
                        .next(n, false)
                        .into_iter()
                        .next()
                        .map_or("its origin".to_string(), who);
                    format!("{name} purged its edges on each update but refetched at once through {behind}, before the caches and replicas behind it had the update, and then kept that old page for its {} TTL", secs(ttl))
                } else {
                    format!("{name} keeps each copy for {} (its TTL) and nothing tells it about updates, so its edges kept serving the old page", secs(ttl))
                }
            }
            NodeKind::Cache => format!("{name} keeps the page for {} (its key TTL) and no update deletes it, so every layer in front of it kept getting the old page", secs(n.get(cache::TTL_S))),
            NodeKind::ReadReplica if !f.replica_fed(n) => format!("{name} has no primary replicating to it, so it never sees an update"),
            NodeKind::ReadReplica => format!("{name} lagged behind the primary (its usual lag is {} s, and the run's lag spike adds more)", metrics::num(n.get(read_replica::LAG_S))),
            NodeKind::DbPrimary => format!("{name} takes no writes (nothing on the operator's path reaches it), so it never has an update"),
            NodeKind::ObjectStorage => format!("{name} never received the updated page: nothing publishes to it"),
            NodeKind::Api | NodeKind::Serverless => format!("{name} answers reads itself, without reading any database, so it never sees the operator's updates"),
            _ => format!("{name} kept serving old pages"),
        }
    }

    fn staleness(&self, head: &CheckResult) -> Verdict {
        let measured = measured(head);
        if self
            .r
            .freshness
            .updates
            .iter()
            .all(|u| u.committed_s.is_none())
        {
            return self.writes(head);
        }
        match self.stale_layer(head.target.value) {
            Some(n) => {
                let why = self.why_stale(n);
                verdict(Some(n), format!("{why}. {measured}"))
            }
            None => verdict(None, format!("Readers kept getting old pages. {measured}")),
        }
    }

    /// Operator writes that did not commit, or were slow.
    fn writes(&self, head: &CheckResult) -> Verdict {
        let f = self.ctx.facts;
        let measured = measured(head);
        let ops: Vec<&Node> = f.of_kind(NodeKind::Operator).collect();
        let Some(op) = ops.first() else {
            return verdict(
                None,
                format!("The design has no operator, so no update was ever written. {measured}"),
            );
        };
        if f.next(op, true).is_empty() {
            return verdict(
                Some(op),
                format!("{} is connected to nothing that takes writes, so no update got through. {measured}", who(op)));
        }
        // Writes that end before any primary: nothing was stored.
        let primaries: Vec<&Node> = f.of_kind(NodeKind::DbPrimary).collect();
        if !primaries
            .iter()
            .any(|p| f.write_nodes.contains(p.id.as_str()))
        {
            let last = f
                .nodes
                .iter()
                .copied()
                .find(|n| {
                    f.write_nodes.contains(n.id.as_str())
                        && matches!(n.kind, NodeKind::Api | NodeKind::Serverless)
                })
                .unwrap_or(op);
            return verdict(
                Some(last),
                format!(
                    "The operator's writes reach no database primary: {} has none behind it, so no update was stored or reached anyone. {measured}",
                    who(last)
                ));
        }
        // A saturated node on the write path.
        let shared = f.shared();
        if let Some((n, nr)) = self.most_saturated(Some(&f.write_nodes)) {
            let both = shared.iter().any(|s| s.id == n.id);
            let failed = self
                .r
                .freshness
                .updates
                .iter()
                .filter(|u| u.committed_s.is_none())
                .count();
            let retries = self
                .r
                .events
                .iter()
                .filter(|e| e.kind == EventKind::WriteFailed)
                .count();
            let tail = if failed > 0 {
                format!("{failed} updates never committed")
            } else {
                format!("the operator had to retry {retries} times")
            };
            if both && n.kind != NodeKind::DbPrimary {
                return verdict(
                    Some(n),
                    format!(
                        "The operator's writes go through {}, which the readers kept saturated for {}: the writes queued behind reads and {tail}. {measured}",
                        who(n),
                        secs(nr.summary.saturated_max_s)
                    ));
            }
            if n.kind == NodeKind::DbPrimary && f.read_nodes.contains(n.id.as_str()) {
                return verdict(
                    Some(n),
                    format!(
                        "Readers' requests reached {} and kept it saturated for {}, so the operator's writes waited behind them and {tail}. {measured}",
                        who(n),
                        secs(nr.summary.saturated_max_s)
                    ));
            }
            return verdict(
                Some(n),
                format!(
                    "{} on the operator's path was saturated for {}, and {tail}. {measured}",
                    who(n),
                    secs(nr.summary.saturated_max_s)
                ),
            );
        }
        // A node on the write path that was down or failing.
        if let Some((n, nr)) = self
            .r
            .nodes
            .iter()
            .filter(|n| f.write_nodes.contains(n.id.as_str()) && !n.kind.is_source())
            .filter(|n| n.summary.errors > 0.0)
            .filter_map(|nr| Some((self.node(&nr.id)?, nr)))
            .max_by(|a, b| a.1.summary.errors.total_cmp(&b.1.summary.errors))
        {
            return verdict(
                Some(n),
                format!(
                    "{} failed {} requests on the operator's path. {measured}",
                    who(n),
                    count(nr.summary.errors)
                ),
            );
        }
        // Slow but healthy: the operator's network or a slow hop.
        let net = op.get(source::NET_MEDIAN_MS);
        if net > 30.0 {
            return verdict(
                Some(op),
                format!(
                    "The operator's network has a median of {} ms. {measured}",
                    metrics::num(net)
                ),
            );
        }
        let slow = self
            .r
            .nodes
            .iter()
            .filter(|n| f.write_nodes.contains(n.id.as_str()) && !n.kind.is_source())
            .max_by(|a, b| {
                a.summary
                    .latency
                    .mean_ms
                    .total_cmp(&b.summary.latency.mean_ms)
            })
            .and_then(|nr| self.node(&nr.id));
        verdict(
            slow,
            format!("The operator's writes were slow on their way to the primary. {measured}"),
        )
    }

    /// Staff reads that came back without the update just committed.
    fn own_writes(&self, head: &CheckResult) -> Verdict {
        let f = self.ctx.facts;
        let measured = measured(head);
        let staff: Vec<&Node> = f.of_kind(NodeKind::InternalUsers).collect();
        let writer = f
            .of_kind(NodeKind::Operator)
            .flat_map(|o| f.next(o, true))
            .next();
        let Some(s) = staff.first() else {
            return verdict(
                writer,
                format!("The design has no staff tools (Internal users), so nothing shows that staff read their own writes. {measured}"));
        };
        // What on the staff's way serves copies.
        let mut seen: Vec<&Node> = Vec::new();
        let mut stack: Vec<&Node> = f.next(s, false);
        let mut copy: Option<&Node> = None;
        while let Some(n) = stack.pop() {
            if seen.iter().any(|x| x.id == n.id) {
                continue;
            }
            seen.push(n);
            if copy.is_none()
                && matches!(
                    n.kind,
                    NodeKind::Cdn | NodeKind::Cache | NodeKind::ReadReplica
                )
            {
                copy = Some(n);
            }
            stack.extend(f.next(n, false));
        }
        let why = match copy {
            Some(n) if n.kind == NodeKind::Cdn => format!(
                "{} read through {}, whose edges keep answering with their copy for up to {} s after an update",
                who(s),
                quoted(n),
                metrics::num(n.get(cdn::TTL_S) + n.get(cdn::SWR_S))
            ),
            Some(n) if n.kind == NodeKind::Cache => format!(
                "{} read through {}, which keeps its copy for up to {} s unless the writer invalidates it",
                who(s),
                quoted(n),
                metrics::num(n.get(cache::TTL_S))
            ),
            Some(n) => format!(
                "{} read from {}, which is behind the primary by its replication lag",
                who(s),
                quoted(n)
            ),
            None => format!("{} read from a copy older than the update", who(s)),
        };
        verdict(
            Some(*s),
            format!("Staff reads came back without the update just written: {why}. {measured}"),
        )
    }

    fn reads_at_primary(&self, head: &CheckResult) -> Verdict {
        let f = self.ctx.facts;
        let primary = f
            .of_kind(NodeKind::DbPrimary)
            .find(|p| f.read_nodes.contains(p.id.as_str()))
            .or_else(|| f.of_kind(NodeKind::DbPrimary).next());
        let senders = f.primary_readers();
        let ticks = self.r.ticks_with_external_reads_at_primary;
        let reads = self.r.external_reads_at_primary;
        let amount = if reads >= 1.0 {
            format!("{} readers' requests", count(reads))
        } else {
            "Readers' requests".to_string()
        };
        let pname = primary.map_or("the primary".to_string(), who);
        let via = match senders.first() {
            Some(s) if s.kind == NodeKind::Cache => {
                format!(": every miss of {} went to it", who(s))
            }
            Some(s) if f.users_behind_cdn() => format!(": {} sends the CDN's misses to it", who(s)),
            Some(s) => format!(": {} sends every read to it", who(s)),
            None => String::new(),
        };
        let cause = format!(
            "{amount} reached {pname} in {} of the run{via}; they compete with the operator's writes for it.",
            secs(f64::from(ticks))
        );
        let _ = head;
        verdict(primary, cause)
    }

    fn cost(&self, head: &CheckResult) -> Verdict {
        let mc = cost::monthly(self.ctx.design, self.r, self.ctx.incidents_per_month);
        let budget = metrics::usd(head.target.value);
        let total = metrics::usd(mc.total_usd);
        let Some(item) = mc.top() else {
            return verdict(
                None,
                format!("The design costs {total} a month, over the {budget} budget."),
            );
        };
        let Some(n) = self.node(item.node.as_str()) else {
            return verdict(
                None,
                format!("The design costs {total} a month, over the {budget} budget."),
            );
        };
        let month = mc.month_of(item);
        let name = who(n);
        let util = self
            .rep(n.id.as_str())
            .map_or(0.0, |r| r.summary.utilisation_max);
        let always_on = item.always_on_monthly_usd >= mc.incidents_per_month * item.incident_usd;
        let head_line = format!(
            "The design costs {total} a month with {} incidents, over the {budget} budget; the largest item is {name} at {} a month",
            metrics::num(mc.incidents_per_month),
            metrics::usd(month)
        );
        match n.kind {
            NodeKind::Api if always_on => {
                let k = n.get(api::MIN_INSTANCES).floor();
                verdict(
                    Some(n),
                    format!(
                        "{head_line}: it keeps {} {} instances running all month ({} always on), yet it was never more than {} busy during the incident.",
                        thousands(k),
                        n.get(api::SIZE),
                        metrics::usd(item.always_on_monthly_usd),
                        pct(100.0 * util)
                    ))
            }
            NodeKind::Cdn if !always_on => verdict(
                Some(n),
                format!(
                    "{head_line}: pay as you go, it charges per request and per GB, {} for each incident's reads.",
                    metrics::usd(item.incident_usd)
                )),
            NodeKind::ReadReplica | NodeKind::DbPrimary | NodeKind::Cache => verdict(
                Some(n),
                format!(
                    "{head_line}, always on, yet it was never more than {} busy during the incident.",
                    pct(100.0 * util)
                )),
            _ if !always_on && self.cdn().is_none() => verdict(
                Some(n),
                format!("{head_line}, most of it during incidents: every read reached your servers.")),
            _ => verdict(
                Some(n),
                format!("{head_line}.")),
        }
    }

    /// The slowest update, counted from its posting or the recovery it
    /// waited for.
    fn update_delay(&self, head: &CheckResult) -> Verdict {
        let slack = head.target.value;
        let timings = update_timings(self.ctx.run, slack);
        let Some(u) = timings
            .iter()
            .max_by(|a, b| a.delay_s.total_cmp(&b.delay_s))
        else {
            return verdict(None, "No update could be judged.".into());
        };
        let f = self.ctx.facts;
        let measured = measured(head);
        let fault = u.fault.and_then(|i| self.ctx.run.faults.get(i));
        let since = match fault {
            Some(w) => format!(
                "update {}, posted at {}, was due after the recovery from the {} at {}",
                u.number,
                at(u.posted_s),
                w.name(),
                at(u.due_s)
            ),
            None => format!("update {}, posted at {}", u.number, at(u.posted_s)),
        };
        let reached = match u.reached_s {
            Some(t) => format!("reached readers at {}", at(t)),
            None => "had not reached readers when the run ended".to_string(),
        };
        // Committed late: the write path.
        let committed_late = match u.committed_s {
            None => true,
            Some(c) => c - u.due_s > slack,
        };
        if committed_late {
            let primary = f
                .of_kind(NodeKind::DbPrimary)
                .find(|p| f.write_nodes.contains(p.id.as_str()));
            if let Some(p) = primary.filter(|p| !p.get(db_primary::MULTI_AZ)) {
                let committed = u.committed_s.map_or("never committed".to_string(), |c| {
                    format!("committed only at {}", at(c))
                });
                return verdict(
                    Some(p),
                    format!(
                        "{} has no Multi-AZ standby: when it failed it was down for {} instead of failing over in {}, so {since}, {committed} and {reached}. {measured}",
                        who(p),
                        secs(crate::engine::NO_MULTI_AZ_RECOVERY_S),
                        secs(p.get(db_primary::FAILOVER_S))
                    ));
            }
            let v = self.writes(head);
            return Verdict {
                cause: format!("{} {reached}. {}", capital(&since), v.cause),
                ..v
            };
        }
        // Committed in time but readers kept the old page.
        match self.stale_layer(slack / 2.0) {
            Some(n) => {
                let why = self.why_stale(n);
                verdict(
                    Some(n),
                    format!("{}, {reached}: {why}. {measured}", capital(&since)),
                )
            }
            None => verdict(None, format!("{}, {reached}. {measured}", capital(&since))),
        }
    }

    fn saturation(&self, head: &CheckResult) -> Verdict {
        let measured = measured(head);
        let Some((n, nr)) = self.most_saturated(None) else {
            return verdict(None, measured);
        };
        let span = self.saturated_span(n.id.as_str());
        let when = span
            .map(|(a, b)| format!(" from {} to {}", at(a), at(b)))
            .unwrap_or_default();
        let after = span.map(|(a, _)| self.fault_phrase(a));
        let cap = self
            .capacity(n)
            .map(|(c, how)| format!(" (it serves at most {}: {how})", rate(c)))
            .unwrap_or_default();
        let cause = format!(
            "{} was saturated for {}{when}{}{cap}",
            who(n),
            secs(nr.summary.saturated_max_s),
            after.unwrap_or_default()
        );
        let f = self.ctx.facts;
        if f.read_nodes.contains(n.id.as_str()) {
            return match self.cdn() {
                None => verdict(Some(n), format!("{cause}. Nothing caches in front of it, so every read reached it. {measured}")),
                Some(cdn) => {
                    let b = self.behind_cdn(cdn, n);
                    verdict(Some(b.blamed), format!("{cause}. {}. {measured}", capital(&b.why)))
                }
            };
        }
        verdict(Some(n), format!("{cause}. {measured}"))
    }
}

/// Why a node behind a CDN is overloaded (`Analysis::behind_cdn`).
struct BehindCdn<'a> {
    /// The node the fix is about: the CDN when one of its settings explains
    /// the load, else the overloaded node.
    blamed: &'a Node,
    /// The cause, a clause ("… has a TTL of 0 s, so …").
    why: String,
}

/// "External read errors over the incident (minutes 5–60): 50.9 %.".
fn measured(head: &CheckResult) -> String {
    format!("{}: {}.", head.name, head.measured.text)
}
