// Minifies the page's wasm-bindgen glue (dist/playground-*.js) and the
// later part's loader (dist/playground-*-split.js) with npm's terser and
// updates their Subresource Integrity hashes in dist/index.html.
//
// trunk minifies the HTML, the CSS and the worker's glue on release builds
// (Trunk.toml), but its JS minifier cannot read the page's glue (an ES
// module ending in `export { …, __wbg_init as default }`) and copies it
// as it is: 62.7 KB, 10.2 KB gzipped, of which terser takes 2.3 KB off.
//
// Usage: node scripts/minify-glue.mjs [dist-dir]. Called by
// scripts/build.sh after `trunk build --release`; terser is installed into
// .tools/ by scripts/setup.sh.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = process.argv[2] ?? join(root, "dist");
const require = createRequire(join(root, ".tools", "package.json"));
const { minify } = require("terser");

// The glue, and on the release site the later part's loader beside it
// (playground-*-split.js, written by scripts/split.sh), which the glue
// imports and index.html preloads.
const names = readdirSync(dist);
const glue = names.filter((name) => /^playground(-[0-9a-f]+)?\.js$/.test(name));
if (glue.length !== 1) {
  console.error(`minify-glue: expected one playground-*.js in ${dist}, found ${glue.length}`);
  process.exit(1);
}
const loaders = names.filter((name) => /^playground(-[0-9a-f]+)?-split\.js$/.test(name));

// index.html names each in a <link rel=modulepreload integrity=…>; the
// browser refuses a module whose hash differs, so the hash must follow.
const integrity = (bytes) => "sha384-" + createHash("sha384").update(bytes).digest("base64");
const indexPath = join(dist, "index.html");
let index = readFileSync(indexPath, "utf8");
// Every file minified and its hash found first; then the files, and
// index.html last, so that a failure leaves dist/ as it was.
const minified = [];
for (const name of [...glue, ...loaders]) {
  const path = join(dist, name);
  const source = readFileSync(path, "utf8");
  const result = await minify(source, { module: true, compress: true, mangle: true });
  if (!result.code) {
    console.error(`minify-glue: terser returned nothing for ${name}`);
    process.exit(1);
  }
  const before = integrity(Buffer.from(source));
  const uses = index.split(before).length - 1;
  if (uses === 0 && index.includes("integrity=")) {
    console.error(`minify-glue: index.html has integrity hashes but none for ${name}`);
    process.exit(1);
  }
  index = index.split(before).join(integrity(Buffer.from(result.code)));
  minified.push({ name, path, code: result.code, from: source.length, uses });
}
for (const { name, path, code, from, uses } of minified) {
  writeFileSync(path, code);
  console.log(`minify-glue: ${name} ${from} -> ${code.length} bytes; ${uses} integrity hash(es) updated`);
}
writeFileSync(indexPath, index);
