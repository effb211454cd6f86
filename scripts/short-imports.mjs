// Gives the page's wasm imports short names, in the wasm and in its glue.
//
// wasm-bindgen names each function the wasm imports from its glue after
// the JavaScript it calls plus a 16-digit hash (`__wbg_postMessage_
// bd2251942b5b5242`), under a module named after the glue's file
// (`./playground-<hash>_bg.js`). The page's wasm imports about 220 such
// functions, and each name is written twice on the critical path: in the
// wasm's import section and as a key of the glue's import object. The
// hashes are random digits that gzip cannot shrink: 6.6 KB of the first
// download, gzipped. Nothing but the glue's import object reads these
// names, so they can be any names the two agree on.
//
// This script renames every import of the glue's module, in both files:
// the module becomes "a" and each function a one- or two-letter name. It
// checks that every old name is a key in the glue, and fails without
// writing anything when the files are not as expected (another
// wasm-bindgen may write its glue differently).
//
// Usage: node scripts/short-imports.mjs GLUE.js WASM. Called by
// scripts/split.sh on the page's main module and its glue, before their
// integrity hashes are taken (the later part imports nothing from the
// glue), and by scripts/build.sh on the grading worker's (worker.js,
// worker_bg.wasm, which index.html fetches without integrity hashes).
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename } from "node:path";

const [gluePath, wasmPath] = process.argv.slice(2);
if (!gluePath || !wasmPath) {
  console.error("usage: node scripts/short-imports.mjs GLUE.js WASM");
  process.exit(2);
}
const fail = (message) => {
  console.error(`short-imports: ${message}; nothing was changed`);
  process.exit(1);
};

const wasm = readFileSync(wasmPath);
let glue = readFileSync(gluePath, "utf8");
// The module name the glue gives its own functions.
const ownModule = `./${basename(gluePath, ".js")}_bg.js`;

// --- reading and writing the wasm's binary format (LEB128, strings) ---
function readU32(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    if (byte === undefined) fail("the wasm ends inside a number");
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}
function writeU32(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return Buffer.from(out);
}
function readName(bytes, at) {
  const [length, start] = readU32(bytes, at);
  return [bytes.subarray(start, start + length).toString("utf8"), start + length];
}
const writeName = (text) => {
  const bytes = Buffer.from(text, "utf8");
  return Buffer.concat([writeU32(bytes.length), bytes]);
};
// The end of an import's description (what it imports: its kind and
// type). Only the forms this build can emit are read; anything else fails.
function skipImportDescription(bytes, at) {
  const kind = bytes[at++];
  const limits = (p) => {
    let flags;
    [flags, p] = readU32(bytes, p);
    // Bit 0: a maximum follows; bit 1: shared; bit 2: 64-bit numbers.
    if (flags & ~7) fail(`limits with flags ${flags}`);
    [, p] = readU32(bytes, p); // minimum
    if (flags & 1) [, p] = readU32(bytes, p); // maximum
    return p;
  };
  // funcref, externref, and the number and vector types.
  const plainType = (byte) => [0x70, 0x6f, 0x7f, 0x7e, 0x7d, 0x7c, 0x7b].includes(byte);
  switch (kind) {
    case 0: // function: its type's index
      return readU32(bytes, at)[1];
    case 1: // table: element type, limits
      if (bytes[at] !== 0x70 && bytes[at] !== 0x6f) fail(`a table of element type ${bytes[at]}`);
      return limits(at + 1);
    case 2: // memory: limits
      return limits(at);
    case 3: // global: value type, mutability
      if (!plainType(bytes[at])) fail(`a global of type ${bytes[at]}`);
      return at + 2;
    case 4: // tag: attribute, type's index
      return readU32(bytes, at + 1)[1];
    default:
      return fail(`an import of unknown kind ${kind}`);
  }
}

// Short names for JavaScript object keys: a, b, … Z, then two characters.
const reserved = new Set(["do", "if", "in"]);
function* shortNames() {
  const first = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const rest = first + "0123456789";
  for (const c of first) yield c;
  for (const c of first) for (const d of rest) if (!reserved.has(c + d)) yield c + d;
}

// --- the import section, rewritten ---
if (wasm.readUInt32LE(0) !== 0x6d736100) fail(`${wasmPath} is not a wasm module`);
const names = shortNames();
const renamed = new Map(); // old function name -> new
const parts = [wasm.subarray(0, 8)];
let at = 8;
let sawImports = false;
while (at < wasm.length) {
  const id = wasm[at];
  const [size, start] = readU32(wasm, at + 1);
  const end = start + size;
  if (end > wasm.length) fail("a section runs past the end of the wasm");
  if (id !== 2) {
    parts.push(wasm.subarray(at, end));
    at = end;
    continue;
  }
  sawImports = true;
  let [count, p] = readU32(wasm, start);
  const body = [writeU32(count)];
  while (count-- > 0) {
    let module, field;
    [module, p] = readName(wasm, p);
    [field, p] = readName(wasm, p);
    const described = p;
    p = skipImportDescription(wasm, p);
    if (module === ownModule) {
      if (!renamed.has(field)) {
        const next = names.next();
        if (next.done) fail("more imports than short names");
        renamed.set(field, next.value);
      }
      module = "a";
      field = renamed.get(field);
    }
    body.push(writeName(module), writeName(field), wasm.subarray(described, p));
  }
  if (p !== end) fail("the import section is not as long as it says");
  const section = Buffer.concat(body);
  parts.push(Buffer.from([2]), writeU32(section.length), section);
  at = end;
}
if (!sawImports || renamed.size === 0) fail(`the wasm imports nothing from ${ownModule}`);

// --- the glue, rewritten the same way ---
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const moduleKey = new RegExp(`(["'])${escape(ownModule)}\\1`, "g");
if ((glue.match(moduleKey) ?? []).length !== 1) {
  fail(`the glue does not name ${ownModule} exactly once`);
}
glue = glue.replace(moduleKey, '"a"');
for (const [old, short] of renamed) {
  // Each is a key of the import object, written `name:` (minified or
  // not), once, and the glue names it nowhere else.
  const key = new RegExp(`(?<![\\w$.])${escape(old)}(?=\\s*:)`, "g");
  if ((glue.match(key) ?? []).length !== 1) {
    fail(`the glue's import object does not have the key ${old} exactly once`);
  }
  glue = glue.replace(key, short);
  if (new RegExp(`(?<![\\w$])${escape(old)}(?![\\w$])`).test(glue)) {
    fail(`the glue names ${old} elsewhere than as a key of its import object`);
  }
}

// Both files or neither: each is written beside itself, then renamed over
// it (the page's are in split.sh's scratch directory, the worker's in
// dist/).
writeFileSync(`${wasmPath}.new`, Buffer.concat(parts));
writeFileSync(`${gluePath}.new`, glue);
renameSync(`${wasmPath}.new`, wasmPath);
renameSync(`${gluePath}.new`, gluePath);
console.log(`short-imports: ${renamed.size} imports of ${ownModule} renamed`);
