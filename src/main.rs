//! Entry point of the site: trunk builds this binary to wasm and index.html
//! loads it.

fn main() {
    playground::start();
}
