//! The parameter schema of every node kind: keys, labels, units, help text,
//! defaults and ranges. Defaults are the model's figures (`docs/model.md`); `docs/design-format.md`
//! carries the same tables for people (a test keeps them in step).

use crate::params::{HelpId, ParamKind, ParamSpec};

/// A number parameter; each call reads as one row of the catalogue.
#[allow(clippy::too_many_arguments)]
const fn num(
    key: &'static str,
    label: &'static str,
    unit: &'static str,
    help: &'static str,
    default: f64,
    min: f64,
    max: f64,
    step: f64,
) -> ParamSpec {
    let _ = help; // in the table's help list (see `catalogue!`)
    ParamSpec {
        key,
        label,
        unit,
        help: HelpId::UNSET,
        kind: ParamKind::Number {
            default,
            min,
            max,
            step,
        },
    }
}

const fn flag(
    key: &'static str,
    label: &'static str,
    help: &'static str,
    default: bool,
) -> ParamSpec {
    let _ = help; // in the table's help list (see `catalogue!`)
    ParamSpec {
        key,
        label,
        unit: "",
        help: HelpId::UNSET,
        kind: ParamKind::Bool { default },
    }
}

const fn choice(
    key: &'static str,
    label: &'static str,
    help: &'static str,
    default: &'static str,
    options: &'static [&'static str],
) -> ParamSpec {
    let _ = help; // in the table's help list (see `catalogue!`)
    ParamSpec {
        key,
        label,
        unit: "",
        help: HelpId::UNSET,
        kind: ParamKind::Choice { default, options },
    }
}

const SIZES3: &[&str] = &["small", "medium", "large"];
const SIZES4: &[&str] = &["small", "medium", "large", "xlarge"];

/// Writes the catalogue: for each kind's table (numbered: `CDN in mod cdn
/// (1)`), the `ParamSpec` rows (`pub(crate) const CDN: &[ParamSpec]`), a
/// module of typed keys, one per row, named by the row
/// (`keys::cdn::TTL_S`: a `Key<Num>` for `"ttl_s"`), so the keys code
/// reads are the catalogue's own, and the rows' help sentences apart, in
/// the module's `HELP` list, which only [`help`] reads. A row's spec holds
/// its table's number and its own ([`HelpId`]), not the sentence: code
/// that reads designs (which the page needs before it draws) keeps the
/// specs, and the sentences stay with the inspector that shows them (in
/// the page's later part).
macro_rules! catalogue {
    ($(
        $(#[doc = $doc:literal])*
        $table:ident in mod $module:ident ($number:literal) {
            $( $name:ident = $ctor:ident ( $key:literal, $label:literal $(, $arg:expr)* $(,)? ) ),* $(,)?
        }
    )*) => {
        $(
            $(#[doc = $doc])*
            pub(crate) const $table: &[ParamSpec] = &{
                let mut specs = [ $( $ctor($key, $label $(, $arg)*) ),* ];
                // A row's number is a byte (checked as the crate builds).
                assert!(specs.len() <= u8::MAX as usize);
                let mut i = 0;
                while i < specs.len() {
                    specs[i].help = HelpId::new($number, i);
                    i += 1;
                }
                specs
            };

            $(#[doc = $doc])*
            ///
            /// The typed keys of its parameters (see [`crate::keys`]).
            pub mod $module {
                use crate::keys::Key;
                catalogue!(@keys $table, 0usize, $( $name $ctor $key $label, )*);

                /// The rows' help sentences, in the rows' order.
                pub(crate) const HELP: &[&str] = &[ $( catalogue!(@help $ctor $($arg),*) ),* ];
            }
        )*

        /// The help sentence of row `row` of table `table` (a [`HelpId`]'s
        /// numbers), or "" for numbers no table has.
        pub(crate) fn help(table: u8, row: u8) -> &'static str {
            let list: &[&str] = match table {
                $( $number => $module::HELP, )*
                _ => &[],
            };
            list.get(usize::from(row)).copied().unwrap_or("")
        }

        /// Every typed key: the constant's name, the key, its row and
        /// whether the row holds the key's type.
        #[cfg(test)]
        pub(crate) fn all_keys() -> Vec<crate::keys::KeyRow> {
            use crate::keys::ParamType;
            vec![$($(
                (
                    stringify!($name),
                    $module::$name.name(),
                    $module::$name.spec(),
                    <catalogue!(@type $ctor) as ParamType>::holds as fn(&ParamKind) -> bool,
                ),
            )*)*]
        }
    };
    (@keys $table:ident, $i:expr, ) => {};
    (@keys $table:ident, $i:expr, $name:ident $ctor:ident $key:literal $label:literal, $($rest:tt)*) => {
        #[doc = concat!("“", $label, "” (`", $key, "`).")]
        pub const $name: Key<catalogue!(@type $ctor)> = Key::new($key, super::$table, $i);
        catalogue!(@keys $table, $i + 1usize, $($rest)*);
    };
    (@help num $unit:expr, $help:expr $(, $rest:expr)*) => { $help };
    (@help flag $help:expr $(, $rest:expr)*) => { $help };
    (@help choice $help:expr $(, $rest:expr)*) => { $help };
    (@type num) => { crate::keys::Num };
    (@type flag) => { crate::keys::Flag };
    (@type choice) => { crate::keys::Choice };
}

catalogue! {
    /// Users, operator and internal users: their traffic comes from the kata;
    /// only their network is described here.
    SOURCE in mod source (0) {
        NET_MEDIAN_MS = num(
            "net_median_ms",
            "Network latency (median)",
            "ms",
            "Typical time for a request to travel between these people and the first node they reach (a CDN edge or your servers). Half of requests are faster, half slower.",
            20.0,
            1.0,
            1000.0,
            1.0,
        ),
        NET_SIGMA = num(
            "net_sigma",
            "Network latency spread (σ)",
            "",
            "How uneven that network time is (σ of a lognormal). 0 means every request takes the median; 0.5 gives a long tail where the slowest 5% take over twice the median.",
            0.5,
            0.0,
            2.0,
            0.05,
        ),
    }

    /// A content delivery network: edges that cache the page near readers.
    CDN in mod cdn (1) {
        TTL_S = num(
            "ttl_s",
            "TTL",
            "s",
            "How long an edge keeps its copy of the page before asking the origin again. Longer means fewer origin requests but readers may see an older page.",
            60.0,
            0.0,
            86_400.0,
            1.0,
        ),
        PURGE_ON_UPDATE = flag(
            "purge_on_update",
            "Purge on update",
            "When the operator publishes an update, every edge drops its copy at once so readers get the new page right away. All edges then ask the origin together, unless origin shield is on.",
            false,
        ),
        SWR_S = num(
            "swr_s",
            "Stale-while-revalidate",
            "s",
            "For this long after the TTL runs out, an edge keeps serving its old copy while it fetches a new one in the background, so no reader waits for the origin. 0 turns it off.",
            0.0,
            0.0,
            86_400.0,
            1.0,
        ),
        SIE_S = num(
            "sie_s",
            "Stale-if-error",
            "s",
            "If the origin fails or times out, an edge may serve its old copy for up to this long past expiry instead of an error. Those readers wait for the origin timeout first. 0 turns it off.",
            0.0,
            0.0,
            86_400.0,
            1.0,
        ),
        COLLAPSE = flag(
            "collapse",
            "Request collapsing",
            "When many readers miss at the same edge at once, only one request goes to the origin and the others wait for its answer. Without it every miss goes to the origin.",
            true,
        ),
        SHIELD = flag(
            "shield",
            "Origin shield",
            "Adds one shared cache between all edges and the origin, so the origin sees one request per expiry instead of one per edge.",
            false,
        ),
        ORIGIN_MEDIAN_MS = num(
            "origin_median_ms",
            "Origin latency (median)",
            "ms",
            "Typical network time between an edge and your origin, not counting the origin's own work.",
            40.0,
            1.0,
            2000.0,
            1.0,
        ),
        ORIGIN_SIGMA = num(
            "origin_sigma",
            "Origin latency spread (σ)",
            "",
            "How uneven the edge-to-origin network time is (σ of a lognormal); 0 means always the median.",
            0.3,
            0.0,
            2.0,
            0.05,
        ),
        ORIGIN_TIMEOUT_MS = num(
            "origin_timeout_ms",
            "Origin timeout",
            "ms",
            "How long an edge waits for the origin before giving up: the reader gets an error, or a stale copy if stale-if-error allows it.",
            3000.0,
            100.0,
            60_000.0,
            10.0,
        ),
        PLAN = choice(
            "plan",
            "Pricing plan",
            "pay_as_you_go: you pay per request and per GB served. pro: a monthly fee that includes a large allowance.",
            "pay_as_you_go",
            &["pay_as_you_go", "pro"],
        ),
    }

    /// A load balancer.
    LOAD_BALANCER in mod load_balancer (2) {
        LATENCY_MS = num(
            "latency_ms",
            "Added latency",
            "ms",
            "Time the load balancer adds to each request it forwards.",
            1.0,
            0.0,
            100.0,
            0.1,
        ),
    }

    /// An API service: autoscaled instances, each with a pool of workers.
    API in mod api (3) {
        SIZE = choice(
            "size",
            "Instance size",
            "How big each instance is: small runs 2 workers, medium 4, large 8, xlarge 16. A worker handles one request at a time; bigger instances cost more per hour.",
            "medium",
            SIZES4,
        ),
        MIN_INSTANCES = num(
            "min_instances",
            "Min instances",
            "",
            "Instances that always run, even when idle. You pay for them all the time.",
            2.0,
            1.0,
            100.0,
            1.0,
        ),
        MAX_INSTANCES = num(
            "max_instances",
            "Max instances",
            "",
            "The most instances autoscaling may run. 1 means a single instance: nothing takes over if it fails.",
            10.0,
            1.0,
            100.0,
            1.0,
        ),
        AUTOSCALE = flag(
            "autoscale",
            "Autoscaling",
            "Adds instances when utilisation stays above the target (checked every 60 s, three times in a row) and removes them after 15 quiet minutes. Off: min instances run all the time.",
            true,
        ),
        TARGET_UTIL = num(
            "target_util",
            "Autoscaling target",
            "",
            "The share of worker time in use that autoscaling aims for (0.6 = 60%). Lower leaves more room for bursts but costs more.",
            0.6,
            0.1,
            0.95,
            0.05,
        ),
        BOOT_S = num(
            "boot_s",
            "Boot time",
            "s",
            "Time from autoscaling deciding to add an instance until that instance takes traffic.",
            90.0,
            0.0,
            900.0,
            1.0,
        ),
        SERVICE_MS = num(
            "service_ms",
            "Service time",
            "ms",
            "Average time a worker spends on one request, not counting calls to caches or databases.",
            10.0,
            0.1,
            10_000.0,
            0.1,
        ),
        QUEUE_LIMIT = num(
            "queue_limit",
            "Queue limit",
            "requests",
            "Requests that may wait for a free worker. Beyond this, new requests are turned away with an error.",
            2000.0,
            0.0,
            1_000_000.0,
            1.0,
        ),
        TIMEOUT_MS = num(
            "timeout_ms",
            "Request timeout",
            "ms",
            "A request that has waited and worked this long fails with an error.",
            2000.0,
            10.0,
            60_000.0,
            10.0,
        ),
    }

    /// A serverless function.
    SERVERLESS in mod serverless (4) {
        MEMORY_MB = num(
            "memory_mb",
            "Memory",
            "MB",
            "Memory for each running copy of the function. The price per second of running time grows with it.",
            512.0,
            128.0,
            10_240.0,
            64.0,
        ),
        CONCURRENCY_LIMIT = num(
            "concurrency_limit",
            "Concurrency limit",
            "",
            "The most calls that may run at the same time. Calls beyond it are throttled and fail.",
            1000.0,
            1.0,
            100_000.0,
            1.0,
        ),
        COLD_START_MS = num(
            "cold_start_ms",
            "Cold start",
            "ms",
            "Extra time for a call that has to start a new copy of the function first.",
            300.0,
            0.0,
            10_000.0,
            1.0,
        ),
        SERVICE_MS = num(
            "service_ms",
            "Service time",
            "ms",
            "Average time the function spends on one call, not counting calls to caches or databases.",
            10.0,
            0.1,
            10_000.0,
            0.1,
        ),
        TIMEOUT_MS = num(
            "timeout_ms",
            "Timeout",
            "ms",
            "A call that runs this long is stopped and fails with an error.",
            3000.0,
            10.0,
            900_000.0,
            10.0,
        ),
    }

    /// A Redis-like in-memory cache.
    CACHE in mod cache (5) {
        SIZE = choice(
            "size",
            "Node size",
            "Memory and speed of the cache node: bigger holds more keys and answers more requests per second, and costs more.",
            "medium",
            SIZES3,
        ),
        TTL_S = num(
            "ttl_s",
            "Key TTL",
            "s",
            "How long a key stays in the cache; the next read after that fetches it from the database again.",
            30.0,
            0.0,
            86_400.0,
            1.0,
        ),
        GET_MS = num(
            "get_ms",
            "GET time",
            "ms",
            "Time to answer one read from memory.",
            0.3,
            0.01,
            100.0,
            0.01,
        ),
    }

    /// The database primary.
    DB_PRIMARY in mod db_primary (6) {
        SIZE = choice(
            "size",
            "Instance size",
            "Bigger instances handle more queries per second and cost more per hour.",
            "medium",
            SIZES4,
        ),
        MULTI_AZ = flag(
            "multi_az",
            "Multi-AZ",
            "Keeps a standby copy in another availability zone. If the primary fails, the standby takes over after the failover time instead of the database staying down. Doubles the price.",
            false,
        ),
        FAILOVER_S = num(
            "failover_s",
            "Failover time",
            "s",
            "How long the database is unavailable while the Multi-AZ standby takes over.",
            90.0,
            60.0,
            120.0,
            1.0,
        ),
        READ_MS = num(
            "read_ms",
            "Read time",
            "ms",
            "Time for one indexed read.",
            1.0,
            0.1,
            1000.0,
            0.1,
        ),
        WRITE_MS = num(
            "write_ms",
            "Write time",
            "ms",
            "Time to commit one write.",
            5.0,
            0.1,
            1000.0,
            0.1,
        ),
        MAX_CONNECTIONS = num(
            "max_connections",
            "Max connections",
            "",
            "The most queries the database works on at once; more are refused with an error.",
            500.0,
            1.0,
            100_000.0,
            1.0,
        ),
    }

    /// Read replicas of the primary.
    READ_REPLICA in mod read_replica (7) {
        SIZE = choice(
            "size",
            "Instance size",
            "Bigger instances handle more queries per second and cost more per hour. Every replica has this size.",
            "medium",
            SIZES4,
        ),
        COUNT = num(
            "count",
            "Replicas",
            "",
            "How many identical replicas share the reads.",
            1.0,
            1.0,
            15.0,
            1.0,
        ),
        READ_MS = num(
            "read_ms",
            "Read time",
            "ms",
            "Time for one indexed read.",
            1.0,
            0.1,
            1000.0,
            0.1,
        ),
        LAG_S = num(
            "lag_s",
            "Replication lag",
            "s",
            "Usual delay before a write on the primary shows up here. It grows while writes arrive faster than the replica can apply them.",
            0.1,
            0.0,
            3600.0,
            0.01,
        ),
    }

    /// Object storage holding pre-rendered pages.
    OBJECT_STORAGE in mod object_storage (8) {
        GET_MS = num(
            "get_ms",
            "GET time",
            "ms",
            "Time to start sending one stored page.",
            15.0,
            1.0,
            1000.0,
            1.0,
        ),
    }
}

#[cfg(test)]
mod tests {
    use crate::kind::NodeKind;
    use crate::params::{ParamKind, ParamValue};
    use std::collections::BTreeSet;

    #[test]
    fn every_spec_is_consistent() {
        for kind in NodeKind::ALL {
            let mut keys = BTreeSet::new();
            for spec in kind.params() {
                assert!(
                    keys.insert(spec.key),
                    "{kind:?}: duplicate key {}",
                    spec.key
                );
                assert!(
                    spec.key
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                    "{} is not snake_case",
                    spec.key
                );
                assert!(!spec.label.is_empty() && !spec.help().is_empty());
                assert!(
                    spec.help().ends_with('.'),
                    "{}: help is a sentence",
                    spec.key
                );
                // The default always passes the schema's own check.
                assert_eq!(spec.check(&spec.default_value()), Ok(()), "{}", spec.key);
                match spec.kind {
                    ParamKind::Number { min, max, step, .. } => {
                        assert!(min < max && step > 0.0, "{}", spec.key);
                        assert!(min.is_finite() && max.is_finite());
                    }
                    ParamKind::Choice { options, .. } => assert!(options.len() >= 2),
                    ParamKind::Bool { .. } => {}
                }
            }
        }
    }

    #[test]
    fn defaults_from_the_design() {
        let default = |kind: NodeKind, key: &str| kind.param(key).unwrap().default_value();
        assert_eq!(
            default(NodeKind::Users, "net_median_ms"),
            ParamValue::Number(20.0)
        );
        assert_eq!(
            default(NodeKind::Users, "net_sigma"),
            ParamValue::Number(0.5)
        );
        assert_eq!(default(NodeKind::Cdn, "ttl_s"), ParamValue::Number(60.0));
        assert_eq!(
            default(NodeKind::Cdn, "origin_median_ms"),
            ParamValue::Number(40.0)
        );
        assert_eq!(
            default(NodeKind::Cdn, "origin_sigma"),
            ParamValue::Number(0.3)
        );
        assert_eq!(
            default(NodeKind::LoadBalancer, "latency_ms"),
            ParamValue::Number(1.0)
        );
        assert_eq!(
            default(NodeKind::Api, "service_ms"),
            ParamValue::Number(10.0)
        );
        assert_eq!(default(NodeKind::Cache, "get_ms"), ParamValue::Number(0.3));
        assert_eq!(
            default(NodeKind::DbPrimary, "read_ms"),
            ParamValue::Number(1.0)
        );
        assert_eq!(
            default(NodeKind::DbPrimary, "write_ms"),
            ParamValue::Number(5.0)
        );
        assert_eq!(
            default(NodeKind::DbPrimary, "failover_s"),
            ParamValue::Number(90.0)
        );
        assert_eq!(
            default(NodeKind::ReadReplica, "lag_s"),
            ParamValue::Number(0.1)
        );
        assert_eq!(
            default(NodeKind::Api, "size"),
            ParamValue::Text("medium".into())
        );
    }
}
