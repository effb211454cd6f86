//! Size limits of a design. [`crate::format::parse`] drops or trims what
//! goes past them (with a diagnostic) and [`crate::validate()`] reports it,
//! so a shared link or file can never make the playground allocate without
//! bound or draw unreadable labels.

/// The most nodes a design may hold.
pub const MAX_NODES: usize = 2_000;

/// The most connections a design may hold.
pub const MAX_EDGES: usize = 10_000;

/// The longest label, in characters.
pub const MAX_LABEL_CHARS: usize = 80;

/// The longest node id, in characters.
pub const MAX_ID_CHARS: usize = 64;

/// The largest distance from the canvas origin, in canvas pixels, along
/// either axis.
pub const MAX_COORD: f64 = 1_000_000.0;

/// The largest JSON text [`crate::format::parse`] reads, in bytes.
pub const MAX_INPUT_BYTES: usize = 4 * 1024 * 1024;

/// The most diagnostics reported at once; past it a single line says how
/// many more there were.
pub const MAX_DIAGNOSTICS: usize = 200;
