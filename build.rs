//! With the `split` feature, on wasm, the page's binary keeps the linker's
//! relocations: the split tool (scripts/split.sh) needs them to move the
//! page's later part (src/later.rs) into a module of its own.

fn main() {
    println!("cargo:rerun-if-env-changed=CARGO_FEATURE_SPLIT");
    let split = std::env::var_os("CARGO_FEATURE_SPLIT").is_some();
    let wasm = std::env::var("TARGET").is_ok_and(|target| target.starts_with("wasm32"));
    if split && wasm {
        println!("cargo:rustc-link-arg-bin=playground=--emit-relocs");
    }
}
