//! The cost scenario's arithmetic: what a design costs in a month with a
//! number of incidents, in all and per node.

use design::keys::{api, cache, cdn, db_primary, read_replica};
use design::{Design, Node, NodeId, NodeKind};
use serde::{Deserialize, Serialize};

use crate::engine::{prices, PriceBook, Report};

/// One node's share of the monthly cost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostItem {
    /// The node.
    pub node: NodeId,
    /// Its kind.
    pub kind: Option<NodeKind>,
    /// What it costs per month with no incident (minimum instances,
    /// database and cache instances, load balancer hours, flat plans).
    pub always_on_monthly_usd: f64,
    /// What one incident run adds on top (instances added by autoscaling,
    /// per-request and per-GB charges).
    pub incident_usd: f64,
}

/// The monthly cost of a design with the kata's incidents.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MonthlyCost {
    /// The always-on monthly cost, US dollars.
    pub always_on_usd: f64,
    /// What one incident adds on top of the always-on cost, US dollars.
    pub incident_usd: f64,
    /// How many incidents a month the kata counts.
    pub incidents_per_month: f64,
    /// always-on + incidents × incident, US dollars.
    pub total_usd: f64,
    /// Per node, most expensive first (always-on plus incidents).
    pub items: Vec<CostItem>,
}

impl MonthlyCost {
    /// The node that costs the most in the month, if any costs anything.
    pub fn top(&self) -> Option<&CostItem> {
        self.items.first().filter(|i| self.month_of(i) > 0.0)
    }

    /// What `item` costs in the month with the incidents.
    pub fn month_of(&self, item: &CostItem) -> f64 {
        item.always_on_monthly_usd + self.incidents_per_month * item.incident_usd
    }
}

/// A node's always-on cost: per hour, plus flat per month. Mirrors the
/// engine's plan (a test checks the totals agree).
pub(crate) fn always_on(n: &Node, book: &PriceBook) -> (f64, f64) {
    match n.kind {
        NodeKind::Api => {
            let (min, _) = crate::engine::api_instances(n);
            (
                min * PriceBook::by_size(&book.api_instance_per_hour, n.get(api::SIZE)),
                0.0,
            )
        }
        NodeKind::LoadBalancer => (book.lb_per_hour, 0.0),
        NodeKind::Cache => (
            PriceBook::by_size(&book.cache_node_per_hour, n.get(cache::SIZE)),
            0.0,
        ),
        NodeKind::DbPrimary => {
            let p = PriceBook::by_size(&book.db_instance_per_hour, n.get(db_primary::SIZE));
            (
                if n.get(db_primary::MULTI_AZ) {
                    p * book.multi_az_factor
                } else {
                    p
                },
                0.0,
            )
        }
        NodeKind::ReadReplica => (
            PriceBook::by_size(&book.db_instance_per_hour, n.get(read_replica::SIZE))
                * crate::engine::replica_count(n),
            0.0,
        ),
        NodeKind::Cdn if n.get(cdn::PLAN) == "pro" => (0.0, book.cdn_pro_per_month),
        _ => (0.0, 0.0),
    }
}

fn finite(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        0.0
    }
}

/// The monthly cost of `design` from the report of one incident run.
// Kept out of its callers: ARCHITECTURE.md, "The grading worker's wasm".
#[inline(never)]
pub(crate) fn monthly(design: &Design, report: &Report, incidents: f64) -> MonthlyCost {
    let book = prices();
    let hours = if book.hours_per_month > 0.0 {
        book.hours_per_month
    } else {
        730.0
    };
    let run_h = f64::from(report.duration_s) / 3600.0;
    let incidents = if incidents.is_finite() {
        incidents.max(0.0)
    } else {
        0.0
    };
    let base = finite(report.cost.always_on_monthly_usd);
    let incident = finite(report.cost.run_usd - base * run_h / hours).max(0.0);
    let mut items: Vec<CostItem> = report
        .nodes
        .iter()
        .map(|nr| {
            let (per_h, per_month) = design
                .nodes
                .iter()
                .find(|n| n.id.as_str() == nr.id)
                .map_or((0.0, 0.0), |n| always_on(n, book));
            let month = per_h * hours + per_month;
            CostItem {
                node: NodeId::from(nr.id.as_str()),
                kind: Some(nr.kind),
                always_on_monthly_usd: finite(month),
                incident_usd: finite(nr.summary.cost_usd - month * run_h / hours).max(0.0),
            }
        })
        .collect();
    let key = |i: &CostItem| i.always_on_monthly_usd + incidents * i.incident_usd;
    items.sort_by(|a, b| key(b).total_cmp(&key(a)));
    MonthlyCost {
        always_on_usd: base,
        incident_usd: incident,
        incidents_per_month: incidents,
        total_usd: base + incidents * incident,
        items,
    }
}
