//! How often each fast path was taken in a run: cheap counters, read by
//! the tests that prove the reference run (`Sim::set_shortcuts(false)`)
//! takes none of them and the default run takes the common ones.

/// Per fast path, how many times a run took it so far (see the glossary
/// in the engine's module docs for the names). All zero in the reference
/// run.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FastPathCounts {
    /// Quiet ticks (plain and bulk ones included; `quiet.rs`).
    pub quiet_ticks: u64,
    /// Bulk ticks: quiet ticks run by `run_all_fresh` (`plain.rs`).
    pub bulk_ticks: u64,
    /// Origin pulses replayed inside a quiet stretch (`pulse.rs`).
    pub pulse_replays: u64,
    /// Nodes whose last outputs were reused (same inputs, nothing queued).
    pub reused_nodes: u64,
    /// Node ticks counted run-length (identical to the node's last tick).
    pub run_length_ticks: u64,
    /// Paths whose share and latency were kept (no node on them changed).
    pub unchanged_paths: u64,
    /// Paths whose latency was kept and only their share recomputed.
    pub share_only_paths: u64,
    /// Ticks whose reverse pass was skipped (no node it reads changed).
    pub skipped_reverse_passes: u64,
    /// CDN ticks stepped from the remembered mix of answers (`steady`).
    pub steady_cdn_ticks: u64,
    /// PoP groups fresh all tick counted as hits without their rules
    /// being walked (the fresh-group path of `Cdn::step`).
    pub fresh_groups: u64,
    /// Cache ticks answered at once because the key was fresh all tick.
    pub fresh_cache_ticks: u64,
    /// Queue ticks taken from a queue's memos of steady-state and
    /// overloaded (M/M/c/K) solves.
    pub queue_memo_hits: u64,
    /// Serverless Erlang B values taken from the memo.
    pub erlang_memo_hits: u64,
    /// Sojourn kinks taken from the sketches' memo.
    pub kinks_memo_hits: u64,
    /// Latencies merged into a run-length slot instead of being added to
    /// the sketches at once.
    pub slot_merges: u64,
    /// Series points whose p95 was kept (the mixture had not changed).
    pub p95_reuses: u64,
    /// Series p95s computed through the quantile memo.
    pub p95_memo_uses: u64,
}

impl FastPathCounts {
    /// Every count with its name, in the order of the fields.
    pub fn named(&self) -> [(&'static str, u64); 17] {
        [
            ("quiet_ticks", self.quiet_ticks),
            ("bulk_ticks", self.bulk_ticks),
            ("pulse_replays", self.pulse_replays),
            ("reused_nodes", self.reused_nodes),
            ("run_length_ticks", self.run_length_ticks),
            ("unchanged_paths", self.unchanged_paths),
            ("share_only_paths", self.share_only_paths),
            ("skipped_reverse_passes", self.skipped_reverse_passes),
            ("steady_cdn_ticks", self.steady_cdn_ticks),
            ("fresh_groups", self.fresh_groups),
            ("fresh_cache_ticks", self.fresh_cache_ticks),
            ("queue_memo_hits", self.queue_memo_hits),
            ("erlang_memo_hits", self.erlang_memo_hits),
            ("kinks_memo_hits", self.kinks_memo_hits),
            ("slot_merges", self.slot_merges),
            ("p95_reuses", self.p95_reuses),
            ("p95_memo_uses", self.p95_memo_uses),
        ]
    }

    /// The sum of every count (zero when no fast path was taken).
    pub fn total(&self) -> u64 {
        self.named().iter().map(|(_, n)| n).sum()
    }
}
