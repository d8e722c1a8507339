/**
 * npm start: the whole system on http://127.0.0.1:8787 under `wrangler dev`.
 *
 * - PORT overrides the port; PYROMETER_CONFIG names another prometheus.yml;
 *   PYROMETER_STATE another state folder (default .wrangler/state);
 *   HEAD_SHARDS the shard count (default 4 locally); PYROMETER_BLACKBOX_CONFIG
 *   another blackbox.yml for /probe; PYROMETER_ALERTMANAGER_CONFIG another
 *   alertmanager.yml (default config/alertmanager.yml); NOTIFY_RETRY_BASE_SECONDS
 *   the first retry delay of a failed notification; the ingest limits
 *   (docs/compatibility.md).
 * - Builds the web UI (ui/dist) when it is missing or stale.
 * - Settings a deployment takes as secrets (WRITE_TOKEN, READ_TOKEN,
 *   CORS_ORIGIN: scripts/lib/settings.ts) are read from this process's environment.
 * - The config is checked first: an invalid one stops here, with its
 *   `file:line:` error, before anything starts.
 * - No secret is put on wrangler's command line (visible in `ps`): the
 *   settings go through an env file only this user can read, and the config
 *   is served to the Worker on loopback (the Worker cannot read the disk),
 *   so a reload re-reads the file as Prometheus does.
 * - An edit to the config file, or to a rule or scrape-config file it names,
 *   reloads the config (POST /-/reload); an invalid edit is reported and the
 *   running config stays.
 * - Applies the D1 migrations to the local database first (wrangler dev does not).
 * - Cron never fires under wrangler dev, so once the server answers this
 *   triggers the scheduled handler by hand; from then on the scrape
 *   scheduler's Durable Object alarms drive every scrape.
 */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync, watchFile, unwatchFile, chmodSync } from "node:fs";
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import { resolve, dirname, join } from "node:path";
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
const shards = process.env.HEAD_SHARDS ?? "4";
// Run wrangler's CLI on this very Node (24, from node_modules), whatever PATH says.
const wranglerCli = resolve(root, "node_modules/wrangler/bin/wrangler.js");
const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };

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

/**
 * One dotenv line wrangler reads back unchanged: single-quoted (no escapes
 * but `\'`), `$` escaped against its variable expansion (which then drops the `\`).
 */
function envLine(key: string, value: string): string {
  if (/['\n\r]|\\$/.test(value)) fail(`${key} must not contain single quotes or newlines, nor end with a backslash`);
  return `${key}='${value.replaceAll("$", "\\$")}'`;
}

function b64(text: string): string {
  return Buffer.from(text).toString("base64");
}

function fileSettingLines(name: string, path: string | undefined): string[] {
  if (!path) return [];
  try {
    return fileSettingLine(name, path, readFileSync(path)).map(([k, v]) => envLine(k, v));
  } catch (e) {
    fail(`cannot read ${path}: ${(e as Error).message}`);
  }
}

// The web UI is served from ui/dist: build it when missing or stale.
ensureUiBuilt();

mkdirSync(state, { recursive: true });
const envFile = join(state, "pyrometer-dev.env");
const lines = [
  envLine("PROMETHEUS_CONFIG_URL", `http://127.0.0.1:${sourcePort}/${configToken}/config`),
  envLine("PROMETHEUS_CONFIG_FILE", configArg),
  ...SECRET_SETTINGS.filter((k) => process.env[k]).map((k) => envLine(k, process.env[k]!)),
  ...INGEST_LIMIT_VARS.filter(([k]) => process.env[k]).map(([k]) => envLine(k, process.env[k]!)),
  // Config files a deployment takes as secrets, base64 in the env file (they span lines).
  ...fileSettingLines("BLACKBOX_CONFIG", process.env.PYROMETER_BLACKBOX_CONFIG),
  ...fileSettingLines("ALERTMANAGER_CONFIG", process.env.PYROMETER_ALERTMANAGER_CONFIG),
  ...(process.env.PYROMETER_ALERTMANAGER_CONFIG
    ? [envLine("ALERTMANAGER_TEMPLATES_B64", b64(templateFilesJson(resolve(process.env.PYROMETER_ALERTMANAGER_CONFIG))))]
    : []),
  envLine("PROMETHEUS_RULES_URL", `http://127.0.0.1:${sourcePort}/${configToken}/rules`),
  ...(process.env.NOTIFY_RETRY_BASE_SECONDS ? [envLine("NOTIFY_RETRY_BASE_SECONDS", process.env.NOTIFY_RETRY_BASE_SECONDS)] : []),
];
writeFileSync(envFile, lines.join("\n") + "\n", { mode: 0o600 });
chmodSync(envFile, 0o600);

const migrate = spawnSync(process.execPath, [wranglerCli, "d1", "migrations", "apply", "DB", "--local", "--persist-to", state], {
  cwd: root,
  env: { ...env, CI: "true" },
  stdio: ["ignore", "inherit", "inherit"],
});
if (migrate.status !== 0) fail("applying D1 migrations failed");

const dev = spawn(
  process.execPath,
  [
    wranglerCli,
    "dev",
    "--ip", "127.0.0.1",
    "--port", port,
    "--persist-to", state,
    "--show-interactive-dev-session=false",
    "--env-file", envFile,
    "--var", `HEAD_SHARDS:${shards}`,
  ],
  { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] },
);

for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => dev.kill(sig));
dev.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));

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

// Arm the scheduler once the server answers (the cron would do this when deployed).
for (let i = 0; i < 240; i++) {
  await new Promise((r) => setTimeout(r, 500));
  try {
    const ready = await fetch(`${base}/-/ready`);
    if (!ready.ok) continue;
    const res = await fetch(`${base}/cdn-cgi/handler/scheduled`);
    if (res.ok) {
      watchNamedFiles();
      console.log(`pyrometer: ready on ${base} (config ${configPath}, state ${dirname(state + "/x")})`);
      break;
    }
  } catch {
    // not listening yet
  }
}
