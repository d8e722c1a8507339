/**
 * npm start: the whole system on http://127.0.0.1:8787, run by Miniflare's
 * API (scripts/lib/local-runtime.ts: the deploy bundle, wrangler.toml's
 * bindings, wrangler dev's state layout).
 *
 * - PORT overrides the port; PYROMETER_CONFIG names another prometheus.yml;
 *   PYROMETER_STATE another state folder (default .wrangler/state);
 *   HEAD_SHARDS the shard count (default 4 locally);
 *   PYROMETER_BLACKBOX_CONFIG another blackbox.yml for /probe;
 *   PYROMETER_ALERTMANAGER_CONFIG another alertmanager.yml (default
 *   config/alertmanager.yml); NOTIFY_RETRY_BASE_SECONDS the first retry delay
 *   of a failed notification; the ingest limits (docs/compatibility.md);
 *   PYROMETER_LOG_REQUESTS=1 logs every request (off by default, as in Prometheus).
 * - Builds the web UI (ui/dist) when it is missing or stale.
 * - Settings a deployment takes as secrets (WRITE_TOKEN, READ_TOKEN,
 *   CORS_ORIGIN: scripts/lib/settings.ts) are read from this process's
 *   environment and handed to the runtime in-process: never on a command
 *   line (visible in `ps`), never in a file.
 * - The config is checked first: an invalid one stops here, with its
 *   `file:line:` error, before anything starts. It is served to the Worker
 *   on loopback (the Worker cannot read the disk), so a reload re-reads the
 *   file as Prometheus does.
 * - An edit to the config file, or to a rule or scrape-config file it names,
 *   reloads the config (POST /-/reload); an invalid edit is reported and the
 *   running config stays. An edit under workers/ or shared/ rebuilds the
 *   Worker and restarts it on the same state (as wrangler dev does).
 * - Applies the D1 migrations to the local database first.
 * - Cron never fires locally, so this triggers the scheduled handler once the
 *   server answers and then every minute, as the deployed cron does; the
 *   scrape scheduler's Durable Object alarms drive every scrape.
 */
import { readFileSync, mkdirSync, mkdtempSync, rmSync, watch, watchFile, unwatchFile } from "node:fs";
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { resolve, dirname, join } from "node:path";
import { Log, LogLevel, Miniflare } from "miniflare";
import { buildWorker, miniflareOptions, wrangler, type LocalRuntime } from "./lib/local-runtime.ts";
import { checkConfigFile, namedFiles } from "./lib/config-check.ts";
import { SECRET_SETTINGS, fileSettingLine } from "./lib/settings.ts";
import { INGEST_LIMIT_VARS } from "../shared/limits/ingest-limits.ts";
import { ensureUiBuilt } from "./build-ui.ts";
import { ruleFilesJson } from "./rule-files.ts";
import { templateFilesJson } from "./alertmanager-templates.ts";

const root = resolve(import.meta.dirname, "..");
// Relative paths (PYROMETER_CONFIG, the files it names) are relative to the project, as npm runs scripts there.
process.chdir(root);
const port = process.env.PORT ?? "8787";
const configArg = process.env.PYROMETER_CONFIG ?? "config/prometheus.yml";
const configPath = resolve(configArg);
const state = resolve(process.env.PYROMETER_STATE ?? resolve(root, ".wrangler/state"));

function fail(msg: string): never {
  console.error(`pyrometer: ${msg}`);
  process.exit(1);
}

// Refuse an invalid config before starting anything.
const report: string[] = [];
if (!checkConfigFile(configArg, (l) => report.push(l))) fail(`invalid config, not starting:\n${report.filter((l) => l !== "").join("\n")}`);

// The config and the rule files it names, served on loopback at an unguessable path for the Worker's (re)loads.
const configToken = randomBytes(16).toString("hex");
const source = createServer((req, res) => {
  // The rule files the config names, read afresh: an edit applies at the next reload.
  if (req.url === `/${configToken}/rules`) {
    res.writeHead(200, { "content-type": "application/json" }).end(ruleFilesJson(configPath));
    return;
  }
  if (req.url !== `/${configToken}/config`) {
    res.writeHead(404).end();
    return;
  }
  try {
    res.writeHead(200, { "content-type": "text/yaml" }).end(readFileSync(configPath));
  } catch (e) {
    res.writeHead(500).end(`cannot read ${configArg}: ${(e as Error).message}`);
  }
});
await new Promise<void>((r) => source.listen(0, "127.0.0.1", r));
const sourcePort = (source.address() as { port: number }).port;

// The web UI is served from ui/dist: build it when missing or stale.
ensureUiBuilt();

function fileSetting(name: string, path: string | undefined): [string, string][] {
  if (!path) return [];
  try {
    return fileSettingLine(name, path, readFileSync(path));
  } catch (e) {
    fail(`cannot read ${path}: ${(e as Error).message}`);
  }
}

const headShards = process.env.HEAD_SHARDS ?? "4";
if (!/^[1-9][0-9]{0,3}$/.test(headShards)) fail(`HEAD_SHARDS must be a whole number from 1 to 9999, not ${JSON.stringify(headShards)}`);

const vars: Record<string, string> = Object.fromEntries([
  ["PROMETHEUS_CONFIG_URL", `http://127.0.0.1:${sourcePort}/${configToken}/config`],
  ["PROMETHEUS_CONFIG_FILE", configArg],
  ["PROMETHEUS_RULES_URL", `http://127.0.0.1:${sourcePort}/${configToken}/rules`],
  ["HEAD_SHARDS", headShards],
  ...SECRET_SETTINGS.filter((k) => process.env[k]).map((k) => [k, process.env[k]!]),
  ...INGEST_LIMIT_VARS.filter(([k]) => process.env[k]).map(([k]) => [k, process.env[k]!]),
  // Config files a deployment takes as secrets.
  ...fileSetting("BLACKBOX_CONFIG", process.env.PYROMETER_BLACKBOX_CONFIG),
  ...fileSetting("ALERTMANAGER_CONFIG", process.env.PYROMETER_ALERTMANAGER_CONFIG),
  ...(process.env.PYROMETER_ALERTMANAGER_CONFIG
    ? [["ALERTMANAGER_TEMPLATES_B64", Buffer.from(templateFilesJson(resolve(process.env.PYROMETER_ALERTMANAGER_CONFIG))).toString("base64")]]
    : []),
  ...(process.env.NOTIFY_RETRY_BASE_SECONDS ? [["NOTIFY_RETRY_BASE_SECONDS", process.env.NOTIFY_RETRY_BASE_SECONDS]] : []),
]);

mkdirSync(state, { recursive: true });
const migrations = wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], true);
if (!migrations.ok) fail(`applying D1 migrations failed:\n${migrations.output}`);

const outDir = mkdtempSync(join(tmpdir(), "pyrometer-worker-"));
const runtime: LocalRuntime = { host: "127.0.0.1", port: Number(port), state, outDir, vars, logRequests: process.env.PYROMETER_LOG_REQUESTS === "1", log: new Log(LogLevel.INFO) };
let mf: Miniflare;
try {
  buildWorker(outDir);
  mf = new Miniflare(miniflareOptions(runtime));
  await mf.ready;
} catch (e) {
  rmSync(outDir, { recursive: true, force: true });
  fail((e as Error).message);
}

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await mf.dispose().catch(() => undefined);
    rmSync(outDir, { recursive: true, force: true });
  }
  process.exit(code);
}
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => void stop(0));

const base = `http://127.0.0.1:${port}`;
const adminToken = process.env.WRITE_TOKEN || process.env.READ_TOKEN;

/** Reloads after an edit: checked here first (rule files too), then POST /-/reload. */
async function reload(): Promise<void> {
  const out: string[] = [];
  if (!checkConfigFile(configArg, (l) => out.push(l))) {
    console.error(`pyrometer: config edit not applied, the running config stays:\n${out.filter((l) => l !== "").join("\n")}`);
    return;
  }
  try {
    const res = await fetch(`${base}/-/reload`, { method: "POST", headers: adminToken ? { authorization: `Bearer ${adminToken}` } : {} });
    if (res.ok) console.log(`pyrometer: config reloaded from ${configArg}`);
    else console.error(`pyrometer: ${(await res.text()).trim()}`);
  } catch (e) {
    console.error(`pyrometer: reload failed: ${(e as Error).message}`);
  }
  watchNamedFiles();
}

// Polling (not fs.watch): editors replace files, which fs.watch loses track of.
let watched = new Set<string>();
let reloading = Promise.resolve();
const onChange = (cur: { mtimeMs: number }, prev: { mtimeMs: number }) => {
  if (cur.mtimeMs !== prev.mtimeMs) reloading = reloading.then(reload);
};
function watchNamedFiles(): void {
  const want = new Set([configPath, ...namedFiles(configArg).map((f) => resolve(f))]);
  for (const f of watched) if (!want.has(f)) unwatchFile(f, onChange);
  for (const f of want) if (!watched.has(f)) watchFile(f, { interval: 500 }, onChange);
  watched = want;
}

/** Rebuilds the Worker after a source edit and restarts it in place; a failed build keeps the running one. */
async function rebuild(): Promise<void> {
  try {
    buildWorker(outDir);
    await mf.setOptions(miniflareOptions(runtime));
    await triggerScheduled();
    console.log("pyrometer: source changed, Worker rebuilt and restarted");
  } catch (e) {
    console.error(`pyrometer: source edit not applied: ${(e as Error).message}`);
  }
}
let rebuildTimer: NodeJS.Timeout | undefined;
let rebuilding = Promise.resolve();
function watchSources(): void {
  for (const dir of ["workers", "shared"]) {
    watch(resolve(root, dir), { recursive: true }, (_event, file) => {
      if (!file || !/\.(ts|yml|yaml)$/.test(file) || /\.test\.ts$/.test(file)) return;
      clearTimeout(rebuildTimer);
      rebuildTimer = setTimeout(() => (rebuilding = rebuilding.then(rebuild)), 300);
    }).unref();
  }
}

/** The cron's scheduled event, sent to the Worker itself (an HTTP trigger would reach the static-assets router first). */
async function triggerScheduled(): Promise<boolean> {
  try {
    const worker = await mf.getWorker("pyrometer");
    return (await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() })).outcome === "ok";
  } catch (e) {
    console.error(`pyrometer: scheduled event failed: ${(e as Error).message}`);
    return false;
  }
}

// Arm the scheduler once the server answers, then run the cron every minute as deployed.
let ready = false;
for (let i = 0; i < 240 && !ready; i++) {
  try {
    ready = (await fetch(`${base}/-/ready`)).ok && (await triggerScheduled());
  } catch {
    // not answering yet
  }
  if (!ready) await new Promise((r) => setTimeout(r, 250));
}
if (!ready) {
  console.error("pyrometer: the Worker did not become ready in 60 s");
  await stop(1);
}
watchNamedFiles();
watchSources();
setTimeout(() => {
  void triggerScheduled();
  setInterval(() => void triggerScheduled(), 60_000);
}, 60_000 - (Date.now() % 60_000));
console.log(`pyrometer: ready on ${base} (config ${configPath}, state ${dirname(state + "/x")})`);
