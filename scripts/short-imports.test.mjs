// Tests scripts/short-imports.mjs on a small module written here by hand:
// the glue's imports get short names in the wasm and in the glue, other
// modules' imports and every import's description are kept (Node's
// WebAssembly validates the result), and a glue that is not as expected
// fails and leaves both files as they were.
//
// Usage: node scripts/short-imports.test.mjs (scripts/test.sh runs it).
// Prints a `test result:` line as cargo does, so that test.sh counts it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const script = join(dirname(fileURLToPath(import.meta.url)), "short-imports.mjs");

const u32 = (n) => {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
};
const name = (text) => [...u32(Buffer.byteLength(text)), ...Buffer.from(text)];
const section = (id, bytes) => [id, ...u32(bytes.length), ...bytes];

const ALPHA = "__wbg_alpha_0123456789abcdef";
const BETA = "__wbg_beta_fedcba9876543210";
// Imports of every kind the script reads: functions from the glue and from
// another module, a memory with a maximum, a table, a global.
const imports = [
  ["./glue_bg.js", ALPHA, [0x00, 0x00]],
  ["./other.js", "keep_me", [0x00, 0x00]],
  ["./glue_bg.js", BETA, [0x00, 0x00]],
  ["./other.js", "memory", [0x02, 0x01, 0x01, 0x02]],
  ["./other.js", "table", [0x01, 0x70, 0x00, 0x01]],
  ["./other.js", "global", [0x03, 0x7f, 0x00]],
  ["./glue_bg.js", ALPHA, [0x00, 0x00]],
];
const module = (list) =>
  Buffer.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [0x01, 0x60, 0x00, 0x00]), // one type: () -> ()
    ...section(2, [...u32(list.length), ...list.flatMap(([m, f, d]) => [...name(m), ...name(f), ...d])]),
    ...section(0, [...name("producers"), 0x00]), // a section after it, kept
  ]);
const glue = `function getImports() {
  const import0 = {
    __proto__: null,
    ${ALPHA}: function () { return 1; },
    ${BETA}: function (a) { return a; },
  };
  return { __proto__: null, "./glue_bg.js": import0, "./other.js": {} };
}
`;

function run(wasmBytes, glueText) {
  const dir = mkdtempSync(join(tmpdir(), "short-imports-"));
  const [gluePath, wasmPath] = [join(dir, "glue.js"), join(dir, "glue_bg.wasm")];
  writeFileSync(gluePath, glueText);
  writeFileSync(wasmPath, wasmBytes);
  const result = spawnSync(process.execPath, [script, gluePath, wasmPath], { encoding: "utf8" });
  const out = { status: result.status, stderr: result.stderr, glue: readFileSync(gluePath, "utf8"), wasm: readFileSync(wasmPath) };
  rmSync(dir, { recursive: true });
  return out;
}

const tests = {
  "the glue's imports are renamed in both files, the rest kept"() {
    const out = run(module(imports), glue);
    assert.equal(out.status, 0, out.stderr);
    const listed = WebAssembly.Module.imports(new WebAssembly.Module(out.wasm));
    assert.deepEqual(
      listed.map((i) => [i.module, i.name, i.kind]),
      [
        ["a", "a", "function"],
        ["./other.js", "keep_me", "function"],
        ["a", "b", "function"],
        ["./other.js", "memory", "memory"],
        ["./other.js", "table", "table"],
        ["./other.js", "global", "global"],
        ["a", "a", "function"],
      ],
    );
    assert.ok(!out.glue.includes(ALPHA) && !out.glue.includes(BETA) && !out.glue.includes("./glue_bg.js"));
    assert.match(out.glue, /\ba: function \(\) \{ return 1; \}/);
    assert.match(out.glue, /\bb: function \(a\) \{ return a; \}/);
    assert.match(out.glue, /"a": import0, "\.\/other\.js": \{\}/);
  },
  "a glue without one of the keys fails and changes nothing"() {
    const without = glue.replace(`${BETA}: function (a) { return a; },`, "");
    const out = run(module(imports), without);
    assert.equal(out.status, 1);
    assert.match(out.stderr, /exactly once; nothing was changed/);
    assert.equal(out.glue, without);
    assert.deepEqual(out.wasm, module(imports));
  },
  "a glue that names an import elsewhere fails and changes nothing"() {
    const elsewhere = glue.replace("return { __proto__", `import0.${ALPHA}();\n  return { __proto__`);
    const out = run(module(imports), elsewhere);
    assert.equal(out.status, 1);
    assert.match(out.stderr, /elsewhere than as a key/);
    assert.equal(out.glue, elsewhere);
  },
  "an import the script cannot read fails and changes nothing"() {
    // Limits with a flag the script does not know (bit 3).
    const odd = imports.map((i) => (i[1] === "memory" ? [i[0], i[1], [0x02, 0x09, 0x01, 0x02, 0x10]] : i));
    const out = run(module(odd), glue);
    assert.equal(out.status, 1);
    assert.match(out.stderr, /limits with flags 9/);
    assert.deepEqual(out.wasm, module(odd));
  },
};

let passed = 0;
let failed = 0;
for (const [title, test] of Object.entries(tests)) {
  try {
    test();
    passed++;
    console.log(`test ${title} ... ok`);
  } catch (error) {
    failed++;
    console.log(`test ${title} ... FAILED\n${error.stack}`);
  }
}
console.log(`\ntest result: ${failed ? "FAILED" : "ok"}. ${passed} passed; ${failed} failed`);
process.exit(failed ? 1 : 0);
