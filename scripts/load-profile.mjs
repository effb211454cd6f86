#!/usr/bin/env node
// First load of the built site on a throttled "mobile" connection and CPU.
//
//   node scripts/load-profile.mjs [--runs N] [--hash '#d2...'] [--query 'helpers=0'] [--no-throttle] [--no-worker] [--trace] [--browser-arg ARG]... [--json] [--timeout S] [dist-dir]
//
// --query puts a query string before the hash, as a page address can have
// one (`?helpers=0`: the grading worker starts no helper workers).
//
// Serves dist/ (default: the repository's dist/) on 127.0.0.1 with gzip
// content-encoding (zlib level 9, like scripts/size.sh), opens it in
// headless Chromium (playwright-core from .tools/, installed by
// scripts/setup.sh; Chromium from /usr/bin/chromium or $CHROMIUM) and
// loads it N times (default 3), each in a fresh browser context: empty
// HTTP cache, no localStorage (so the starter design, or the --hash link's).
// Responses carry `cache-control: max-age=600`, as GitHub Pages sends, so
// within a load a preloaded file can be reused (by a worker, say).
//
// Throttling, applied through the DevTools protocol before navigating,
// with Lighthouse's mobile figures (its "simulated" slow 4G: 150 ms RTT,
// 1.6 Mbps down, 750 kbps up, CPU 4x slower; Lighthouse counts 1 kbps as
// 1,024 bit/s):
//   Network.emulateNetworkConditions  latency 150 ms, download 1,638.4
//                                     kbit/s, upload 750 kbit/s
//   Emulation.setCPUThrottlingRate    rate 4
// The viewport is 1280x800 (the desktop layout). --no-throttle leaves the
// network and the CPU as they are (for the page's long tasks on this
// machine, e.g. while a big --hash link opens).
//
// Caveat: the CPU throttling slows the page's main thread only. Chromium
// refuses Emulation.setCPUThrottlingRate on a worker's target ("Operation
// is only supported for pages, not workers"), so a dedicated Web Worker,
// like the browser's background wasm compilation, runs at the machine's
// full speed. The network throttling does apply to a worker's fetches.
// Each run reports how many workers the page started.
//
// Figures (milliseconds from navigation start, performance.now() in the
// page, whose time origin is the navigation):
//   fcp          first contentful paint (the Paint Timing entry).
//   started      trunk's TrunkApplicationStarted event: the main wasm is
//                instantiated and the app's start function has returned.
//   interactive  the canvas is interactive: `svg.canvas g.nodes g.node`
//                exists (the design's nodes are in the canvas's SVG), then
//                at the next animation frame a task is posted (a
//                MessageChannel message) and it runs within 50 ms. The
//                figure is the time that task ran. If it ran later (the
//                main thread was busy), the probe is repeated at the next
//                frame until one runs within 50 ms.
//   grade        the first grade shows: a scenario card with
//                [data-passed] (`.scenario-card[data-passed]`) is in the
//                DOM (seen by a MutationObserver).
//   settled      the grade is shown and no card is still "Checking the
//                fix…" (`.scenario-card .next.checking`): every failing
//                card's fix has been tried.
//   long tasks   main-thread tasks over 50 ms (a PerformanceObserver for
//                'longtask', registered by an init script before any of
//                the page's scripts), from navigation start until 2 s after
//                `settled` (or the timeout; with --no-worker, for
//                NO_WORKER_MS): the longest, how many, and the total
//                blocking time (the sum of each one's time over 50 ms).
//   bytes        what the server sent per resource (response bodies,
//                gzip-encoded where the browser accepted it; headers not
//                counted), split like scripts/size.sh: the worker's files
//                (worker.js, worker_bg.wasm, worker_loader.js) and the page's
//                later part (playground-<hash>-later.wasm, src/later.rs)
//                apart from the critical path (every other HTML, JS, wasm
//                and CSS file), and the rest (favicon.svg…) as "other".
//
// --trace records each run with Chromium's tracing (the categories in
// TRACE_CATEGORIES) and adds, per run, `traced`: every task of the page's
// main thread over 50 ms from navigation start, as the trace has it
// (tracing makes tasks a little longer), with
//   start, duration  ms from navigation start, and how long it took;
//   cpu              the main thread's own time in it (thread CPU time,
//                    ms): what the page computed, without the time the
//                    thread waited for a core;
//   kind             what ran it (HandlePostMessage: a worker's message;
//                    TimerFire: a timer; FireIdleCallback: an idle
//                    callback; EvaluateScript: a script; UpdateLifecycle:
//                    style, layout and paint; EventDispatch: an event);
//   lazyCompileCpu   of `cpu`, V8 compiling wasm functions at their first
//                    call (wasm.CompileLazy);
//   tierUpJobs       how many of V8's background optimising compilations
//                    of wasm (wasm.TopTierCompilation, on other threads:
//                    mostly the grading worker's engine) overlapped it;
//   observed         whether the page's 'longtask' observer saw it too
//                    (it cannot see tasks before the page's first script);
// `busiest`, every main-thread task that did 10 ms of CPU work or more
// (BUSY_CPU_MS), however long it took, described the same way (what the
// page computes in its largest tasks, apart from the time they waited);
// and `tierUpCpu`, the CPU time of all those background compilations in
// the run (`originFound` false: the trace had no navigation to the page,
// and the starts count from its first event).
//
// --no-worker serves the grading worker's loader (worker_loader.js) as an
// empty script: the page starts its worker, but the worker loads no
// engine and never answers, so the page opens, draws and builds all its
// parts without a grade (index.html still downloads the worker's files
// early, as in every opening). What is left is the page's own work, on
// the cores the worker would have shared: how often its tasks go over
// 50 ms without the worker. Each run lasts NO_WORKER_MS from navigation
// (4 s, or 12 s throttled, of the page's own clock: there is no grade to
// wait for); `grade` and `settled` are null. Such a run fails only if
// the canvas never became interactive, or if a grade showed anyway (the
// empty loader did not take: the figures would include the worker's).
//
// --browser-arg passes an argument to Chromium (repeatable), e.g.
// --browser-arg=--js-flags=--liftoff-only to see the page without V8's
// optimising tier.
//
// Each run but a --no-worker one fails, and the script exits 1, if the
// first grade is not shown within --timeout seconds (default 180). Exit 2:
// dist/, playwright-core or Chromium missing, or bad arguments.

import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync, realpathSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const THROTTLE = {
  latencyMs: 150,
  downloadKbps: 1638.4,
  uploadKbps: 750,
  cpuRate: 4,
};
const VIEWPORT = { width: 1280, height: 800 };
const QUIET_MS = 2000;
// How long a --no-worker run lasts, from navigation: the page is built
// in about 1 s unthrottled (its last part waits for an idle thread), and
// throttled its later part alone takes seconds to download.
const NO_WORKER_MS = { unthrottled: 4000, throttled: 12000 };
const WORKER_FILE = /^worker(-[0-9a-f]+)?(\.js|_bg\.wasm|_loader\.js)$/;
const LATER_FILE = /^playground(-[0-9a-f]+)?-later\.wasm$/;
const WORKER_LOADER = /^worker(-[0-9a-f]+)?_loader\.js$/;

function fail(message, code = 2) {
  process.stderr.write(`load-profile: ${message}\n`);
  process.exit(code);
}

function parseArgs(argv) {
  const opts = { runs: 3, hash: "", query: "", json: false, throttle: true, worker: true, trace: false, browserArgs: [], timeoutS: 180, dist: path.join(ROOT, "dist") };
  const usage = "usage: node scripts/load-profile.mjs [--runs N] [--hash '#d2...'] [--query 'helpers=0'] [--no-throttle] [--no-worker] [--trace] [--browser-arg ARG]... [--json] [--timeout S] [dist-dir]";
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value\n${usage}`);
      return argv[++i];
    };
    if (a === "--runs") opts.runs = Number(value());
    else if (a.startsWith("--runs=")) opts.runs = Number(a.slice(7));
    else if (a === "--hash") opts.hash = value();
    else if (a.startsWith("--hash=")) opts.hash = a.slice(7);
    else if (a === "--query") opts.query = value();
    else if (a.startsWith("--query=")) opts.query = a.slice(8);
    else if (a === "--timeout") opts.timeoutS = Number(value());
    else if (a.startsWith("--timeout=")) opts.timeoutS = Number(a.slice(10));
    else if (a === "--json") opts.json = true;
    else if (a === "--no-throttle") opts.throttle = false;
    else if (a === "--no-worker") opts.worker = false;
    else if (a === "--trace") opts.trace = true;
    else if (a === "--browser-arg") opts.browserArgs.push(value());
    else if (a.startsWith("--browser-arg=")) opts.browserArgs.push(a.slice(14));
    else if (a === "-h" || a === "--help") {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    } else if (a.startsWith("-")) fail(`unknown option ${a}\n${usage}`);
    else opts.dist = path.resolve(a);
  }
  if (!Number.isInteger(opts.runs) || opts.runs < 1) fail(`--runs must be a positive integer\n${usage}`);
  if (!(opts.timeoutS > 0)) fail(`--timeout must be a positive number of seconds\n${usage}`);
  if (opts.hash && !opts.hash.startsWith("#")) opts.hash = `#${opts.hash}`;
  if (opts.query && !opts.query.startsWith("?")) opts.query = `?${opts.query}`;
  return opts;
}

function loadPlaywright() {
  const places = [path.join(ROOT, ".tools", "package.json"), path.join(process.cwd(), "package.json")];
  for (const from of places) {
    try {
      return createRequire(from)("playwright-core");
    } catch {
      // try the next place (NODE_PATH is honoured by require too)
    }
  }
  fail("playwright-core is not installed: run scripts/setup.sh (it installs it into .tools/)");
}

function findChromium() {
  if (process.env.CHROMIUM) {
    if (!existsSync(process.env.CHROMIUM)) fail(`Chromium not found at $CHROMIUM (${process.env.CHROMIUM})`);
    return process.env.CHROMIUM;
  }
  const candidates = ["/usr/bin/chromium"];
  for (const name of ["chromium", "chromium-browser"]) {
    try {
      candidates.push(execFileSync("which", [name], { encoding: "utf8" }).trim());
    } catch {
      // not on PATH
    }
  }
  const found = candidates.find((p) => p && existsSync(p));
  if (!found) fail("Chromium not found (looked at $CHROMIUM, /usr/bin/chromium and PATH): run scripts/setup.sh");
  return found;
}

function gitHead() {
  try {
    return execFileSync("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}

// ---- the static server -------------------------------------------------

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json",
};
const COMPRESSIBLE = new Set([".html", ".js", ".mjs", ".wasm", ".css", ".svg", ".json", ".txt", ".map"]);

function classify(file) {
  const base = path.posix.basename(file);
  if (WORKER_FILE.test(base)) return "worker";
  if (LATER_FILE.test(base)) return "later";
  if (/\.(html|m?js|wasm|css)$/.test(base)) return "critical";
  return "other";
}

// Serves `dist`; `log` collects {path, bytes, encoding, status} of each
// response (the current run's array is swapped in by the caller). With
// `worker` false the grading worker's loader is an empty script (see
// --no-worker).
function serve(dist, worker) {
  const gzipped = new Map();
  const state = { log: [] };
  const server = http.createServer((req, res) => {
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url, "http://x").pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (rel.endsWith("/")) rel += "index.html";
    const file = path.join(dist, path.normalize(rel));
    const record = (status, bytes, encoding) =>
      state.log.push({ path: rel.replace(/^\//, ""), status, bytes, encoding, at: Date.now() });
    if (!file.startsWith(dist + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      record(404, 0, null);
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const ext = path.extname(file).toLowerCase();
    const headers = {
      "content-type": TYPES[ext] ?? "application/octet-stream",
      // As GitHub Pages serves them; each run's fresh context starts with an
      // empty cache, and within a run a preload can then be reused.
      "cache-control": "max-age=600",
    };
    let body = worker || !WORKER_LOADER.test(path.basename(file)) ? readFileSync(file) : Buffer.alloc(0);
    let encoding = null;
    if (COMPRESSIBLE.has(ext) && /\bgzip\b/.test(req.headers["accept-encoding"] ?? "")) {
      if (!gzipped.has(file)) gzipped.set(file, zlib.gzipSync(body, { level: 9 }));
      body = gzipped.get(file);
      encoding = "gzip";
      headers["content-encoding"] = "gzip";
      headers.vary = "accept-encoding";
    }
    headers["content-length"] = body.length;
    res.writeHead(200, headers);
    if (req.method === "HEAD") {
      res.end();
      record(200, 0, encoding);
    } else {
      res.end(body);
      record(200, body.length, encoding);
    }
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({ server, state, url: `http://127.0.0.1:${server.address().port}/` });
    });
  });
}

// ---- what runs in the page before its own scripts --------------------

// Records the figures in window.__lp; window.__lpSettled resolves when the
// grade is shown and every fix is checked.
function pageProbe() {
  const lp = {
    longTasks: [],
    started: null,
    nodesAt: null,
    interactive: null,
    interactiveNodes: null,
    probeMisses: 0,
    grade: null,
    gradeText: null,
    settled: null,
  };
  window.__lp = lp;
  let settle;
  window.__lpSettled = new Promise((resolve) => {
    settle = resolve;
  });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) lp.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: "longtask", buffered: true });
  } catch (e) {
    lp.longTaskError = String(e);
  }
  addEventListener("TrunkApplicationStarted", () => {
    lp.started = performance.now();
  });
  const nodeCount = () => document.querySelectorAll("svg.canvas g.nodes g.node").length;
  const probe = () => {
    requestAnimationFrame(() => {
      const posted = performance.now();
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        const ran = performance.now();
        if (ran - posted <= 50) {
          lp.interactive = ran;
          lp.interactiveNodes = nodeCount();
          check();
        } else {
          lp.probeMisses++;
          probe();
        }
      };
      channel.port2.postMessage(0);
    });
  };
  let observer = null;
  const check = () => {
    const now = performance.now();
    if (lp.nodesAt === null && document.querySelector("svg.canvas g.nodes g.node")) {
      lp.nodesAt = now;
      probe();
    }
    if (lp.grade === null) {
      const card = document.querySelector(".scenario-card[data-passed]");
      if (card) {
        lp.grade = now;
        const summary = document.querySelector(".results-summary");
        lp.gradeText = summary
          ? Array.from(summary.childNodes, (n) => n.textContent.trim())
              .filter(Boolean)
              .join(" ")
          : null;
      }
    }
    if (lp.grade !== null && lp.settled === null && !document.querySelector(".scenario-card .next.checking")) {
      lp.settled = now;
    }
    if (lp.settled !== null && lp.interactive !== null) {
      if (observer) observer.disconnect();
      settle();
    }
  };
  observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
}

// ---- one run ------------------------------------------------------------

async function oneRun(browser, site, opts) {
  const context = await browser.newContext({ viewport: VIEWPORT, serviceWorkers: "block" });
  await context.addInitScript(pageProbe);
  const page = await context.newPage();
  const errors = [];
  let workers = 0;
  page.on("worker", () => workers++);
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  if (opts.throttle) {
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: THROTTLE.latencyMs,
      downloadThroughput: (THROTTLE.downloadKbps * 1024) / 8,
      uploadThroughput: (THROTTLE.uploadKbps * 1024) / 8,
    });
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: THROTTLE.cpuRate });
  }

  site.state.log = [];
  const log = site.state.log;
  const navigatedAt = Date.now();
  let timedOut = false;
  const deadline = Date.now() + opts.timeoutS * 1000;
  if (opts.trace) await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  await page.goto(site.url + opts.query + opts.hash, { waitUntil: "commit", timeout: opts.timeoutS * 1000 });
  if (opts.worker) {
    // One evaluate that resolves when the page has settled (no polling,
    // which would add work to the throttled main thread), raced with the
    // deadline.
    let timer;
    const outcome = await Promise.race([
      page.evaluate(() => window.__lpSettled.then(() => "settled")).catch((e) => `error: ${e}`),
      new Promise((resolve) => {
        timer = setTimeout(() => resolve("timeout"), Math.max(0, deadline - Date.now()));
      }),
    ]);
    clearTimeout(timer);
    if (outcome === "timeout") timedOut = true;
    else if (outcome !== "settled") throw new Error(outcome);
    else await page.waitForTimeout(QUIET_MS);
  } else {
    // No grade will come: the page is watched for a fixed time of its own
    // clock (tracing and navigating took some of ours).
    const watch = opts.throttle ? NO_WORKER_MS.throttled : NO_WORKER_MS.unthrottled;
    const pageNow = await page.evaluate(() => performance.now());
    await page.waitForTimeout(Math.max(0, watch - pageNow));
  }
  const data = await page.evaluate(() => {
    const paint = performance.getEntriesByName("first-contentful-paint")[0];
    return { ...window.__lp, fcp: paint ? paint.startTime : null, now: performance.now() };
  });
  const traced = opts.trace ? tracedTasks(JSON.parse((await browser.stopTracing()).toString()), data.longTasks, site.url) : undefined;
  await context.close();

  const tasks = data.longTasks;
  const resources = log.map((r) => ({ ...r, kind: classify(r.path) }));
  const bytes = { critical: 0, worker: 0, later: 0, other: 0 };
  for (const r of resources) bytes[r.kind] += r.bytes;
  return {
    fcp: data.fcp,
    started: data.started,
    nodesShown: data.nodesAt,
    interactive: data.interactive,
    interactiveNodes: data.interactiveNodes,
    probeMisses: data.probeMisses,
    grade: data.grade,
    gradeText: data.gradeText,
    settled: data.settled,
    longestTask: tasks.length ? Math.max(...tasks.map((t) => t.duration)) : 0,
    longTasks: tasks.length,
    blockingTime: tasks.reduce((s, t) => s + Math.max(0, t.duration - 50), 0),
    longTaskList: tasks.map((t) => ({ start: round(t.start), duration: round(t.duration) })),
    bytes,
    // requestedMs: when the server answered, ms after the navigation began.
    resources: resources.map(({ path: p, kind, bytes: b, encoding, status, at }) => ({
      path: p,
      kind,
      bytes: b,
      encoding,
      status,
      requestedMs: at - navigatedAt,
    })),
    workers,
    timedOut,
    errors,
    ...(traced ? { traced } : {}),
  };
}

// ---- trace ---------------------------------------------------------------

const TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.wasm", "blink.user_timing"];
// What runs a task, by the first of these events inside it.
const TASK_KINDS = [
  "HandlePostMessage",
  "FireIdleCallback",
  "TimerFire",
  "EvaluateScript",
  "EventDispatch",
  "FireAnimationFrame",
  "WebFrameWidgetImpl::UpdateLifecycle",
  "DocumentLoader::CommitNavigation",
  "FunctionCall",
];

// A main-thread task is "busy" (listed in `busiest`) from this much CPU time.
const BUSY_CPU_MS = 10;

// The page's main-thread tasks over 50 ms in a trace, and the busiest (see
// --trace above);
// `observed` are the page's PerformanceObserver's long tasks, `url` the
// address the run opened (its navigation is the time origin).
function tracedTasks(trace, observed, url) {
  const events = trace.traceEvents || [];
  const threadNames = new Map();
  for (const e of events) if (e.name === "thread_name") threadNames.set(`${e.pid}:${e.tid}`, e.args.name);
  const thread = (e) => threadNames.get(`${e.pid}:${e.tid}`);
  // In time order: a trace file need not list its events so.
  const complete = events.filter((e) => e.ph === "X" && typeof e.dur === "number").sort((a, b) => a.ts - b.ts);
  // The page's main thread: the renderer main thread that ran the most.
  const busy = new Map();
  for (const e of complete) if (thread(e) === "CrRendererMain") busy.set(`${e.pid}:${e.tid}`, (busy.get(`${e.pid}:${e.tid}`) || 0) + 1);
  const mainKey = [...busy.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const main = complete.filter((e) => `${e.pid}:${e.tid}` === mainKey);
  // The run's navigation (the renderer may have navigated before: to
  // about:blank, say). Without it the starts are from the first event,
  // and `originFound` says so.
  const nav = events.find(
    (e) =>
      e.name === "navigationStart" &&
      `${e.pid}:${e.tid}` === mainKey &&
      String(e.args?.data?.documentLoaderURL ?? "").startsWith(url),
  );
  // (A trace has too many events to spread into Math.min's arguments.)
  const origin = nav ? nav.ts : main.reduce((least, e) => Math.min(least, e.ts), Infinity);
  const tierUps = complete.filter((e) => e.name === "wasm.TopTierCompilation");
  const ms = (us) => Math.round(us / 100) / 10;
  const describe = (t) => {
    const end = t.ts + t.dur;
    const inside = main.filter((e) => e !== t && e.ts >= t.ts && e.ts < end);
    const first = inside.find((e) => TASK_KINDS.includes(e.name));
    const lazy = inside.filter((e) => e.name === "wasm.CompileLazy").reduce((sum, e) => sum + (e.tdur || 0), 0);
    return {
      start: ms(t.ts - origin),
      duration: ms(t.dur),
      cpu: typeof t.tdur === "number" ? ms(t.tdur) : null,
      kind: first ? first.name.replace(/^.*::/, "") : "other",
      lazyCompileCpu: ms(lazy),
      tierUpJobs: tierUps.filter((e) => e.ts < end && e.ts + e.dur > t.ts).length,
      // Whether the page's observer saw it too (tasks before the page's
      // first script, such as the navigation's own, it cannot see).
      observed: observed.some((o) => Math.abs(o.start - (t.ts - origin) / 1000) < 2),
    };
  };
  const runTasks = main.filter((t) => t.name === "RunTask");
  const tasks = runTasks.filter((t) => t.dur > 50000).map(describe);
  // The tasks that did the most work, however long they waited.
  const busiest = runTasks.filter((t) => (t.tdur || 0) >= BUSY_CPU_MS * 1000).map(describe);
  return { originFound: Boolean(nav), tasks, busiest, tierUpJobs: tierUps.length, tierUpCpu: ms(tierUps.reduce((sum, e) => sum + (e.tdur || 0), 0)) };
}

// ---- report -------------------------------------------------------------

const round = (x) => (x === null || x === undefined ? null : Math.round(x * 10) / 10);

function median(values) {
  const v = values.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

const COLUMNS = [
  ["fcp", "FCP", "ms"],
  ["started", "wasm started", "ms"],
  ["interactive", "canvas interactive", "ms"],
  ["grade", "first grade", "ms"],
  ["settled", "fixes checked", "ms"],
  ["longestTask", "longest task", "ms"],
  ["longTasks", "long tasks", ""],
  ["blockingTime", "TBT", "ms"],
  ["critical", "critical KB", "kB"],
  ["worker", "worker KB", "kB"],
  ["later", "later KB", "kB"],
];

function row(r) {
  const get = (k) => (k === "critical" || k === "worker" || k === "later" ? r.bytes[k] : r[k]);
  return COLUMNS.map(([k, , unit]) => {
    const v = get(k);
    if (v === null || v === undefined) return "–";
    if (unit === "kB") return (v / 1000).toFixed(1);
    if (k === "longTasks") return String(Math.round(v));
    return String(Math.round(v));
  });
}

function table(runs, med) {
  const head = ["run", ...COLUMNS.map(([, h, unit]) => (unit === "ms" ? `${h} (ms)` : h))];
  const rows = runs.map((r, i) => [String(i + 1), ...row(r)]);
  rows.push(["median", ...row(med)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

function medians(runs) {
  const med = { bytes: {} };
  for (const k of ["fcp", "started", "nodesShown", "interactive", "grade", "settled", "longestTask", "longTasks", "blockingTime"]) {
    med[k] = median(runs.map((r) => r[k]));
  }
  for (const k of ["critical", "worker", "later", "other"]) med.bytes[k] = median(runs.map((r) => r.bytes[k]));
  return med;
}

// ---- main ----------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(path.join(opts.dist, "index.html"))) {
    fail(`no ${path.join(opts.dist, "index.html")}: build the site first with scripts/build.sh`);
  }
  opts.dist = realpathSync(opts.dist);
  const { chromium } = loadPlaywright();
  const executablePath = findChromium();
  const site = await serve(opts.dist, opts.worker);
  let browser;
  let version = "?";
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: opts.browserArgs });
    version = browser.version();
  } catch (e) {
    site.server.close();
    fail(`could not start Chromium at ${executablePath}: ${String(e).split("\n")[0]}`);
  }
  const say = (s) => {
    if (!opts.json) process.stderr.write(`${s}\n`);
  };
  say(`serving ${opts.dist} at ${site.url}${opts.worker ? "" : " with no grading worker"}; Chromium ${version}; ${opts.runs} run(s)${opts.query ? ` with query ${opts.query}` : ""}${opts.hash ? ` with hash ${opts.hash.slice(0, 40)}${opts.hash.length > 40 ? "…" : ""}` : ""}`);
  const runs = [];
  try {
    for (let i = 0; i < opts.runs; i++) {
      const r = await oneRun(browser, site, opts);
      runs.push(r);
      say(
        `run ${i + 1}: interactive ${fmt(r.interactive)} ms (${r.interactiveNodes ?? 0} nodes), ${opts.worker ? `first grade ${fmt(r.grade)} ms` : "no grade (--no-worker)"}${r.gradeText ? ` ("${r.gradeText.slice(0, 60)}")` : ""}, ${r.workers} worker(s)${r.timedOut ? " TIMED OUT" : ""}${r.errors.length ? `; ${r.errors.length} console error(s): ${r.errors[0].slice(0, 200)}` : ""}`,
      );
    }
  } finally {
    await browser.close();
    site.server.close();
  }
  const med = medians(runs);
  const result = {
    commit: gitHead(),
    chromium: version,
    url: site.url.replace(/\/$/, "") + "/" + opts.query + (opts.hash ? `${opts.hash.slice(0, 24)}${opts.hash.length > 24 ? "…" : ""}` : ""),
    throttling: opts.throttle ? { ...THROTTLE, viewport: VIEWPORT } : { none: true, viewport: VIEWPORT },
    worker: opts.worker,
    runs: runs.map((r) => ({ ...r, ...Object.fromEntries(["fcp", "started", "nodesShown", "interactive", "grade", "settled", "longestTask", "blockingTime"].map((k) => [k, round(r[k])])) })),
    median: Object.fromEntries(Object.entries(med).map(([k, v]) => [k, typeof v === "number" ? round(v) : v])),
  };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const out = [];
    out.push(
      `${opts.throttle ? `throttling: latency ${THROTTLE.latencyMs} ms, ${THROTTLE.downloadKbps} kbit/s down, ${THROTTLE.uploadKbps} kbit/s up, CPU ${THROTTLE.cpuRate}x` : "no throttling"}${opts.worker ? "" : "; no grading worker"}; viewport ${VIEWPORT.width}x${VIEWPORT.height}; commit ${result.commit ?? "?"}`,
    );
    out.push("");
    out.push(table(runs, med));
    out.push("");
    out.push("bytes sent per resource (first run; gzip where accepted; when the server answered, from navigation):");
    for (const r of runs[0].resources) {
      out.push(
        `  ${r.kind.padEnd(8)} ${r.path.padEnd(44)} ${String(r.bytes).padStart(9)} bytes${r.encoding ? ` ${r.encoding}` : "     "}  requested at ${String(r.requestedMs).padStart(5)} ms${r.status !== 200 ? ` (HTTP ${r.status})` : ""}`,
      );
    }
    const b = runs[0].bytes;
    out.push(`  total: critical path ${b.critical} bytes, worker ${b.worker} bytes, later part ${b.later} bytes, other ${b.other} bytes`);
    if (opts.trace) {
      out.push("");
      out.push("main-thread tasks over 50 ms in the traces (start, wall, CPU, of which lazy wasm compiling, what ran it, background wasm optimisations overlapping):");
      runs.forEach((r, i) => {
        const t = r.traced;
        out.push(`  run ${i + 1}: ${t.tierUpJobs} background wasm optimisations, ${t.tierUpCpu} ms CPU${t.originFound ? "" : " (no navigation found in the trace: times from its first event)"}`);
        for (const k of t.tasks) {
          out.push(`    at ${fmt(k.start)} ms: ${fmt(k.duration)} ms, CPU ${k.cpu ?? "–"} ms (lazy compiling ${k.lazyCompileCpu} ms), ${k.kind}, ${k.tierUpJobs} overlapping${k.observed ? "" : " (not seen by the page's observer)"}`);
        }
        const cpus = t.busiest.map((k) => k.cpu);
        out.push(`    ${cpus.length} ${cpus.length === 1 ? "task" : "tasks"} did ${BUSY_CPU_MS} ms of CPU work or more${cpus.length ? ` (at most ${Math.max(...cpus)} ms)` : ""}`);
      });
    }
    process.stdout.write(`${out.join("\n")}\n`);
  }
  if (opts.worker && runs.some((r) => r.timedOut || r.grade === null)) {
    process.stderr.write(`load-profile: the first grade did not show within ${opts.timeoutS} s in ${runs.filter((r) => r.timedOut || r.grade === null).length} run(s)\n`);
    process.exit(1);
  }
  if (!opts.worker && runs.some((r) => r.grade !== null || r.interactive === null)) {
    const graded = runs.filter((r) => r.grade !== null).length;
    const stuck = runs.filter((r) => r.interactive === null).length;
    process.stderr.write(`load-profile: --no-worker: ${graded} run(s) showed a grade all the same (the worker was not kept out), ${stuck} never had an interactive canvas\n`);
    process.exit(1);
  }
}

function fmt(x) {
  return x === null || x === undefined ? "–" : String(Math.round(x));
}

main().catch((e) => {
  process.stderr.write(`load-profile: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
