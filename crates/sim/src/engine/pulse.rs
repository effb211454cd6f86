//! Pulses: the origin fetch of a CDN's shield, replayed inside a quiet
//! stretch instead of ending it.
//!
//! Served from the edge, a CDN still asks its origin for the page once per
//! shield expiry: a single request that goes through the load balancer, the
//! API, the cache and so on, every `ttl_s` seconds. Before this module each
//! such *pulse* ended the quiet stretch and cost two ticks computed in full
//! (the pulse, then the tick after it, when the nodes behind the CDN see
//! their quiet arrivals again).
//!
//! A node's outputs are a function of its arrivals and of its state; while
//! its queue is idle and nothing inside it moves with time, of its
//! arrivals alone. So the pulse a tick computed in full ([`Sim::record_pulse`])
//! is the pulse of every later tick in which the CDNs send their origins the
//! same requests and the nodes it reaches are in the same steady state
//! ([`Sim::pulse_fits`]): a quiet tick then adds the recorded outputs of
//! those nodes ([`Sim::apply_pulse`]) instead of computing them.
//!
//! Invariants:
//! - only the nodes whose recorded arrivals differ from their quiet ones are
//!   *touched*; their quiet arrivals are zero, so no path with weight and no
//!   latency slot of the quiet ticks goes through them;
//! - a cache's key is stepped for real, and must give the recorded outcome;
//! - what the CDNs know of their origin after a pulse is the recorded
//!   value for one tick, then the quiet one again, as the reverse pass of
//!   the ticks computed in full would give;
//! - the results equal those of computing every tick in full up to
//!   rounding, which `set_shortcuts(false)` lets the tests check.

use super::cache::{CacheKey, CacheTick};
use super::cdn::Origin;
use super::model::cache::backing as cache_backing;
use super::plan::{Model, EXT, NC, WRT};
use super::report::NodeSample;
use super::reuse::{queue_idle, Reuse};
use super::runlength::deposit;
use super::sketch::LatKey;
use super::Sim;

/// A cache key's step in a tick computed in full: what it was given and
/// what it gave.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct KeyStep {
    /// Reads that reached the key.
    pub served: f64,
    /// The backing store's version, response time and health.
    pub backing: (u32, f64, bool),
    /// Hits and misses.
    pub out: CacheTick,
    /// The version held after the step.
    pub version: u32,
}

/// One node's outputs in the recorded pulse.
#[derive(Clone, Debug)]
struct PulseNode {
    arr: [f64; NC],
    /// Down in the pulse (answering its arrivals with errors).
    down: bool,
    servers: u32,
    reuse: Reuse,
    tick: NodeSample,
    cost: f64,
    /// Latency slot keys where the node had weight.
    keys: [Option<LatKey>; 4],
    mix: [f64; NC],
    key: Option<KeyStep>,
}

/// The last pulse computed in full.
#[derive(Clone, Debug)]
pub(super) struct Pulse {
    posted: u32,
    /// Per CDN (index into `Sim::cdns`): requests sent to its origin.
    origin_requests: Vec<f64>,
    /// Per CDN: what it knew of its origin when it stepped the pulse, and
    /// after it.
    used_origins: Vec<Origin>,
    origins: Vec<Origin>,
    /// Per node: `None` for the external sources and the CDNs.
    nodes: Vec<Option<PulseNode>>,
}

/// A quiet stretch's bookkeeping of pulses.
#[derive(Clone, Debug, Default)]
pub(super) struct Pulses {
    /// The pulse to replay.
    pub last: Option<Box<Pulse>>,
    /// The pulse recorded before it, kept for its storage (recording one
    /// refills it instead of allocating).
    spare: Option<Box<Pulse>>,
    /// Pulses replayed since the stretch's sums were last added.
    pub count: u32,
    /// Per node: touched by those pulses.
    pub touched: Vec<bool>,
    /// Nodes whose sample shows the last pulse (restored next tick).
    pub sampled: Vec<usize>,
    /// What the CDNs knew of their origin in the quiet ticks, while the
    /// recorded post-pulse value stands in for one tick.
    pub quiet_origins: Vec<Origin>,
    pub restore_origins: bool,
    /// Cache keys stepped by [`Sim::pulse_fits`], applied if the pulse is
    /// replayed.
    keys: Vec<(usize, CacheKey)>,
}

fn same_bits(a: &[f64; NC], b: &[f64; NC]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

/// Instances serving a node (0 for kinds without a fleet).
fn servers_of(m: &Model) -> u32 {
    match m {
        Model::Api(m) => m.scaler.running() * m.workers,
        _ => 0,
    }
}

impl Sim {
    /// At the end of tick `t`, computed in full: keeps it as the pulse to
    /// replay if it was one (the CDNs answered from the edge and sent their
    /// origin a fetch, every node behind them is steady). What the CDNs
    /// knew of their origin is kept with it: a replay needs the same.
    pub(super) fn record_pulse(&mut self, t: u32, write: f64, at_primary: f64) {
        if !self.shortcuts || !self.quiet.capable() || write > 0.0 || at_primary > 0.0 {
            return;
        }
        let tf = f64::from(t);
        let mut p = self.quiet.pulses.spare.take().unwrap_or_else(|| {
            Box::new(Pulse {
                posted: 0,
                origin_requests: Vec::new(),
                used_origins: Vec::new(),
                origins: Vec::new(),
                nodes: Vec::new(),
            })
        });
        if self.fill_pulse(&mut p, tf) {
            self.quiet.pulses.spare = self.quiet.pulses.last.replace(p);
        } else {
            self.quiet.pulses.spare = Some(p);
        }
    }

    /// Writes tick `tf` into `p` as a pulse; false (and `p` of no use) if
    /// the tick was not one.
    fn fill_pulse(&self, p: &mut Pulse, tf: f64) -> bool {
        p.posted = self.posted;
        p.origin_requests.clear();
        p.used_origins.clear();
        p.origins.clear();
        p.nodes.clear();
        let mut any = false;
        for &c in &self.cdns {
            let Model::Cdn(m) = &self.nodes[c].model else {
                return false;
            };
            if !m.fast.last.answered_at_edge() {
                return false;
            }
            any |= m.fast.last_origin_requests > 0.0;
            p.origin_requests.push(m.fast.last_origin_requests);
            p.used_origins.push(m.fast.last_origin);
            p.origins.push(m.origin);
        }
        if !any {
            return false;
        }
        for i in 0..self.nodes.len() {
            if self.is_edge_node(i) {
                p.nodes.push(None);
                continue;
            }
            let n = &self.nodes[i];
            let Some(reuse) = n.seen.reuse else {
                return false;
            };
            if matches!(n.model, Model::Fn(_)) || n.tick.utilisation >= 1.0 - 1e-9 {
                return false;
            }
            let mut keys = [None; 4];
            for (j, k) in keys.iter_mut().enumerate() {
                if reuse.lat_w[j] > 0.0 {
                    *k = n.runs.slots[j].key;
                }
            }
            let key = n.seen.key_step;
            p.nodes.push(Some(PulseNode {
                arr: n.arr,
                down: n.down_until > tf,
                servers: n.seen.servers,
                reuse,
                tick: n.tick.clone(),
                cost: n.runs.last_cost,
                keys,
                mix: n.mix,
                key,
            }));
        }
        true
    }

    /// Whether quiet tick `t`, whose CDNs (stepped, outcomes in `pre`) sent
    /// their origins requests, repeats the recorded pulse. Steps copies of
    /// the touched caches' keys, kept for [`Sim::apply_pulse`].
    pub(super) fn pulse_fits(&mut self, t: u32) -> bool {
        self.quiet.pulses.keys.clear();
        let Some(p) = self.quiet.pulses.last.as_deref() else {
            return false;
        };
        if p.posted != self.posted {
            return false;
        }
        for (ci, &c) in self.cdns.iter().enumerate() {
            let n = &self.nodes[c];
            let Model::Cdn(m) = &n.model else {
                return false;
            };
            let Some(o) = &m.fast.pre else {
                return false;
            };
            // The same origin as the recorded pulse's (its version, its
            // health): what the CDN learns after the pulse is the same.
            if p.used_origins.get(ci) != Some(&m.origin) {
                return false;
            }
            let sent = if n.routes[EXT].is_empty() {
                0.0
            } else {
                o.origin_requests
            };
            if p.origin_requests.get(ci).map(|r| r.to_bits()) != Some(sent.to_bits()) {
                return false;
            }
        }
        let tf = f64::from(t);
        for i in 0..self.nodes.len() {
            if self.is_edge_node(i) {
                continue;
            }
            let Some(Some(rec)) = p.nodes.get(i) else {
                return false;
            };
            let n = &self.nodes[i];
            if same_bits(&rec.arr, &n.arr) {
                // Untouched: the pulse does not reach it.
                continue;
            }
            // Steady (nothing queued), up or down as in the pulse: its
            // outputs are those of its arrivals alone.
            if n.arr != [0.0; NC]
                || (n.down_until > tf) != rec.down
                || servers_of(&n.model) != rec.servers
                || !queue_idle(&n.model)
            {
                return false;
            }
            match &n.model {
                Model::Fn(_) | Model::Source { .. } | Model::Cdn(_) => return false,
                Model::Api(m) => {
                    if m.scaler.booting() || m.scaler.evaluates_at(t) {
                        return false;
                    }
                }
                Model::Replica(m) => {
                    // Its lag moves only the version it serves, which the
                    // stretch's plan keeps constant.
                    let writes = m.primary.map_or(0.0, |pi| self.nodes[pi].arr[WRT]);
                    if writes != 0.0 {
                        return false;
                    }
                }
                Model::Cache(m) => {
                    let Some(ks) = rec.key else {
                        return false;
                    };
                    let child = n.routes[EXT].first().map(|&(c, _)| &self.nodes[c]);
                    let backing = cache_backing(child, m.key.version);
                    if backing.0 != ks.backing.0
                        || backing.1.to_bits() != ks.backing.1.to_bits()
                        || backing.2 != ks.backing.2
                    {
                        return false;
                    }
                    // The pulse must not change the version the key holds
                    // (the quiet ticks after it read that version).
                    let mut key = m.key.clone();
                    let out = key.step(tf, ks.served, m.ttl, backing.1, backing.0, backing.2);
                    if out != ks.out || key.version != ks.version || m.key.version != ks.version {
                        return false;
                    }
                    self.quiet.pulses.keys.push((i, key));
                }
                Model::Lb { .. } | Model::Primary(_) | Model::Storage(_) => {}
            }
        }
        true
    }

    /// Adds the recorded pulse to quiet tick `t` (after [`Sim::pulse_fits`]
    /// said it fits); returns the tick's extra cost over a quiet tick.
    pub(super) fn apply_pulse(&mut self) -> f64 {
        let Some(p) = self.quiet.pulses.last.take() else {
            return 0.0;
        };
        self.counts.pulse_replays += 1;
        let first = self.quiet.pulses.count == 0;
        if self.quiet.pulses.touched.len() != self.nodes.len() {
            self.quiet.pulses.touched = vec![false; self.nodes.len()];
        }
        let mut extra = 0.0;
        for (i, rec) in p.nodes.iter().enumerate() {
            let Some(rec) = rec else {
                continue;
            };
            let n = &mut self.nodes[i];
            if same_bits(&rec.arr, &n.arr) {
                continue;
            }
            if first {
                self.quiet.pulses.touched[i] = true;
            }
            n.acc.add_ticks(&rec.tick, rec.cost, 1.0);
            for (j, key) in rec.keys.iter().enumerate() {
                if let Some(k) = key {
                    deposit(
                        &mut n.runs.slots[j],
                        &mut n.sketch,
                        &mut self.kinks,
                        rec.reuse.lat_w[j],
                        *k,
                    );
                }
            }
            if let Model::Api(m) = &mut n.model {
                m.scaler.record(1, rec.reuse.util);
            }
            n.mix = rec.mix;
            extra += rec.cost - n.runs.last_cost;
            self.sample.nodes[i] = rec.tick.clone();
            self.quiet.pulses.sampled.push(i);
        }
        for (i, key) in self.quiet.pulses.keys.drain(..) {
            if let Model::Cache(m) = &mut self.nodes[i].model {
                m.key = key;
            }
        }
        // The CDNs know the post-pulse origin for one tick.
        if !self.quiet.pulses.restore_origins {
            self.quiet.pulses.quiet_origins.clear();
            for &c in &self.cdns {
                if let Model::Cdn(m) = &self.nodes[c].model {
                    self.quiet.pulses.quiet_origins.push(m.origin);
                }
            }
        }
        for (ci, &c) in self.cdns.iter().enumerate() {
            if let (Model::Cdn(m), Some(o)) = (&mut self.nodes[c].model, p.origins.get(ci)) {
                m.origin = *o;
            }
        }
        self.quiet.pulses.restore_origins = true;
        self.quiet.pulses.count += 1;
        self.quiet.pulses.last = Some(p);
        extra
    }

    /// After the CDNs stepped in the tick that follows a replayed pulse:
    /// they know the quiet origin again.
    pub(super) fn settle_origins(&mut self) {
        if !self.quiet.pulses.restore_origins {
            return;
        }
        self.quiet.pulses.restore_origins = false;
        for (ci, &c) in self.cdns.iter().enumerate() {
            if let (Model::Cdn(m), Some(o)) = (
                &mut self.nodes[c].model,
                self.quiet.pulses.quiet_origins.get(ci),
            ) {
                m.origin = *o;
            }
        }
    }

    /// At the start of a tick: the nodes a replayed pulse showed in the
    /// sample show their own last tick again.
    pub(super) fn restore_pulse_sample(&mut self) {
        if self.quiet.pulses.sampled.is_empty() {
            return;
        }
        for i in self.quiet.pulses.sampled.drain(..) {
            self.sample.nodes[i] = self.nodes[i].tick.clone();
        }
    }

    /// Ticks of the stretch being added that node `i` spent quiet (not in
    /// a pulse).
    pub(super) fn quiet_ticks_of(&self, i: usize, ticks: u32) -> u32 {
        if self.quiet.pulses.touched.get(i).copied().unwrap_or(false) {
            ticks.saturating_sub(self.quiet.pulses.count)
        } else {
            ticks
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Per CDN, what it knows of its origin.
    fn origins(sim: &Sim) -> Vec<Origin> {
        sim.cdns
            .iter()
            .filter_map(|&c| match &sim.nodes[c].model {
                Model::Cdn(m) => Some(m.origin),
                _ => None,
            })
            .collect()
    }

    /// Per API node, the autoscaler's record since its last evaluation.
    fn scaler_records(sim: &Sim) -> Vec<(u32, f64)> {
        sim.nodes
            .iter()
            .filter_map(|n| match &n.model {
                Model::Api(m) => Some(m.scaler.recorded()),
                _ => None,
            })
            .collect()
    }

    /// The state a replayed pulse leaves that no report shows: what the
    /// CDNs know of their origin after every tick, and the autoscalers'
    /// records whenever no quiet sums are pending, agree with computing
    /// every tick in full.
    #[test]
    fn replayed_pulses_leave_the_state_of_computed_ones() {
        let text = include_str!("../../tests/data/reference.json");
        let design = design::format::parse(text).expect("reference").design;
        let kata = crate::kata::load("status-dashboard").expect("kata");
        let scenario = kata.run.expect("run").scenario(5).expect("scenario");
        let mut fast = Sim::new(&design, &scenario, 5);
        let mut slow = Sim::new(&design, &scenario, 5);
        slow.set_shortcuts(false);
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) + 1e-12;
        let (mut replayed, mut compared) = (0, 0);
        while !fast.is_done() {
            let before = fast.quiet.pulses.count;
            fast.step();
            slow.step();
            if fast.quiet.pulses.count > before {
                replayed += 1;
            }
            for (a, b) in origins(&fast).iter().zip(origins(&slow).iter()) {
                assert_eq!(a.version, b.version, "tick {}", fast.t);
                assert!(close(a.resp_s, b.resp_s), "tick {}: {a:?} {b:?}", fast.t);
                assert!(close(a.err, b.err), "tick {}: {a:?} {b:?}", fast.t);
            }
            if !fast.quiet.pending() {
                compared += 1;
                for (a, b) in scaler_records(&fast).iter().zip(&scaler_records(&slow)) {
                    assert_eq!(a.0, b.0, "tick {}", fast.t);
                    assert!(close(a.1, b.1), "tick {}: {a:?} {b:?}", fast.t);
                }
            }
        }
        assert!(replayed > 50, "only {replayed} pulses replayed");
        assert!(compared > 20, "only {compared} ticks compared");
    }
}
