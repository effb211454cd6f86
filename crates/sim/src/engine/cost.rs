//! Prices and cost accrual.
//!
//! Prices live in a dated data file (`crates/sim/prices/prices.json`) with
//! its source, compiled in with `include_str!`: instance-hours, per-request
//! and per-GB charges. The engine accrues cost every tick; the report also
//! gives the always-on monthly cost (what the design costs with no incident).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The price file's text.
const PRICES_JSON: &str = include_str!("../../prices/prices.json");

/// Prices in US dollars (see the file for what each one is).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PriceBook {
    /// Where the prices come from.
    pub source: String,
    /// When they were written down (YYYY-MM-DD).
    pub date: String,
    /// Currency code.
    pub currency: String,
    /// Hours in a billing month.
    pub hours_per_month: f64,
    /// API instance, per hour, by size.
    pub api_instance_per_hour: BTreeMap<String, f64>,
    /// Database instance (primary or replica), per hour, by size.
    pub db_instance_per_hour: BTreeMap<String, f64>,
    /// Price factor of a Multi-AZ primary.
    pub multi_az_factor: f64,
    /// Cache node, per hour, by size.
    pub cache_node_per_hour: BTreeMap<String, f64>,
    /// Load balancer, per hour.
    pub lb_per_hour: f64,
    /// Load balancer, per GB processed.
    pub lb_per_gb: f64,
    /// Serverless, per million calls.
    pub serverless_per_million_requests: f64,
    /// Serverless, per GB-second of running time.
    pub serverless_per_gb_second: f64,
    /// CDN pay as you go, per 10,000 HTTPS requests.
    pub cdn_per_10k_requests: f64,
    /// CDN pay as you go, per GB served.
    pub cdn_per_gb: f64,
    /// CDN pro plan, per month.
    pub cdn_pro_per_month: f64,
    /// Object storage, per 1,000 GETs.
    pub storage_per_1k_get: f64,
    /// Object storage, per 1,000 PUTs.
    pub storage_per_1k_put: f64,
    /// Object storage, per GB sent.
    pub storage_per_gb: f64,
}

impl PriceBook {
    /// The price per hour in `table` for `size`, or the medium price for an
    /// unknown size (0 if the table is empty).
    pub fn by_size(table: &BTreeMap<String, f64>, size: &str) -> f64 {
        table
            .get(size)
            .or_else(|| table.get("medium"))
            .copied()
            .unwrap_or(0.0)
    }
}

/// The built-in price book. If the file could not be read (a build defect
/// that the tests catch) every price is 0 and `source` says why.
pub fn prices() -> &'static PriceBook {
    static BOOK: OnceLock<PriceBook> = OnceLock::new();
    BOOK.get_or_init(read_prices)
}

/// Reads the price file, once per process ([`prices`]). A function of its
/// own: every tick asks for the prices, and with the file's reader inlined
/// `prices` was 6 KB of wasm that V8 optimised whole in every opening
/// (ARCHITECTURE.md, "The grading worker's wasm").
#[cold]
#[inline(never)]
fn read_prices() -> PriceBook {
    serde_json::from_str(PRICES_JSON).unwrap_or_else(|e| PriceBook {
        source: format!("the price file could not be read: {e}"),
        ..PriceBook::default()
    })
}

/// Gigabytes in `requests` pages of `page_kb` kilobytes.
pub(crate) fn gigabytes(requests: f64, page_kb: f64) -> f64 {
    requests * page_kb / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_price_file_reads_and_is_dated() {
        let p: PriceBook = serde_json::from_str(PRICES_JSON).expect("prices.json parses");
        assert_eq!(&p, prices());
        assert_eq!(p.date.len(), 10);
        assert!(!p.source.is_empty());
        for size in ["small", "medium", "large", "xlarge"] {
            assert!(PriceBook::by_size(&p.api_instance_per_hour, size) > 0.0);
            assert!(PriceBook::by_size(&p.db_instance_per_hour, size) > 0.0);
        }
        assert!(PriceBook::by_size(&p.cache_node_per_hour, "large") > 0.0);
        assert_eq!(p.cdn_per_10k_requests, 0.01);
        assert_eq!(p.cdn_per_gb, 0.085);
    }
}
