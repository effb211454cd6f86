//! Entry point of the site: trunk builds this binary to wasm and index.html
//! loads it.

/// The page's allocator: talc's, which takes about 1 KB less of the page's
/// first download than the standard library's dlmalloc (the later part grew
/// by as much; BENCHMARKS.md, "First load"). The worker keeps dlmalloc.
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    playground::start();
}
