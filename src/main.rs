//! Entry point of the site: trunk builds this binary to wasm and index.html
//! loads it.

/// The page's allocator: talc's, whose code is a few kilobytes smaller
/// than the standard library's dlmalloc in the page's first download.
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    playground::start();
}
