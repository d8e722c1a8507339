/**
 * npm start: the whole system on http://127.0.0.1:8787 under `wrangler dev`.
 *
 * - PORT overrides the port; PYROMETER_CONFIG names another prometheus.yml;
 *   PYROMETER_STATE another state folder (default .wrangler/state);
 *   HEAD_SHARDS the shard count (default 4 locally);
 *   PYROMETER_ALERTMANAGER_CONFIG another alertmanager.yml (default config/alertmanager.yml);
 *   NOTIFY_RETRY_BASE_SECONDS the first retry delay of a failed notification.
 * - Applies the D1 migrations to the local database first (wrangler dev does not).
 * - Cron never fires under wrangler dev, so once the server answers this
 *   triggers the scheduled handler by hand; from then on the scrape
 *   scheduler's Durable Object alarms drive every scrape.
 */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve, dirname, basename } from "node:path";
import { ensureUiBuilt } from "./build-ui.ts";
import { ruleFilesJson } from "./rule-files.ts";
import { templateFilesJson } from "./alertmanager-templates.ts";

const root = resolve(import.meta.dirname, "..");
const port = process.env.PORT ?? "8787";
const configPath = resolve(process.env.PYROMETER_CONFIG ?? resolve(root, "config/prometheus.yml"));
const state = resolve(process.env.PYROMETER_STATE ?? resolve(root, ".wrangler/state"));
const shards = process.env.HEAD_SHARDS ?? "4";
// Run wrangler's CLI on this very Node (24, from node_modules), whatever PATH says.
const wranglerCli = resolve(root, "node_modules/wrangler/bin/wrangler.js");
const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };

let configText: string;
try {
  configText = readFileSync(configPath, "utf8");
} catch (e) {
  console.error(`pyrometer: cannot read config ${configPath}: ${(e as Error).message}`);
  process.exit(1);
}

// The web UI is served from ui/dist: build it when missing or stale.
ensureUiBuilt();

// The built-in Alertmanager's config, passed like prometheus.yml.
const amVars: string[] = [];
if (process.env.PYROMETER_ALERTMANAGER_CONFIG) {
  const amPath = resolve(process.env.PYROMETER_ALERTMANAGER_CONFIG);
  try {
    const amText = readFileSync(amPath, "utf8");
    amVars.push("--var", `ALERTMANAGER_CONFIG:${amText}`, "--var", `ALERTMANAGER_CONFIG_FILE:${basename(amPath)}`);
    amVars.push("--var", `ALERTMANAGER_TEMPLATES:${templateFilesJson(amPath, amText)}`);
  } catch (e) {
    console.error(`pyrometer: cannot read alertmanager config ${amPath}: ${(e as Error).message}`);
    process.exit(1);
  }
}
if (process.env.NOTIFY_RETRY_BASE_SECONDS) amVars.push("--var", `NOTIFY_RETRY_BASE_SECONDS:${process.env.NOTIFY_RETRY_BASE_SECONDS}`);

const migrate = spawnSync(process.execPath, [wranglerCli, "d1", "migrations", "apply", "DB", "--local", "--persist-to", state], {
  cwd: root,
  env: { ...env, CI: "true" },
  stdio: ["ignore", "inherit", "inherit"],
});
if (migrate.status !== 0) {
  console.error("pyrometer: applying D1 migrations failed");
  process.exit(1);
}

const dev = spawn(
  process.execPath,
  [
    wranglerCli,
    "dev",
    "--ip", "127.0.0.1",
    "--port", port,
    "--persist-to", state,
    "--show-interactive-dev-session=false",
    "--var", `HEAD_SHARDS:${shards}`,
    "--var", `PROMETHEUS_CONFIG:${configText}`,
    "--var", `PROMETHEUS_CONFIG_FILE:${basename(configPath)}`,
    // The rule files the config names (rule_files globs, relative to it).
    "--var", `PROMETHEUS_RULES:${ruleFilesJson(configPath, configText)}`,
    ...amVars,
  ],
  { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] },
);

for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => dev.kill(sig));
dev.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));

// Arm the scheduler once the server answers (the cron would do this when deployed).
const base = `http://127.0.0.1:${port}`;
for (let i = 0; i < 240; i++) {
  await new Promise((r) => setTimeout(r, 500));
  try {
    const ready = await fetch(`${base}/-/ready`);
    if (!ready.ok) continue;
    const res = await fetch(`${base}/cdn-cgi/handler/scheduled`);
    if (res.ok) {
      console.log(`pyrometer: ready on ${base} (config ${configPath}, state ${dirname(state + "/x")})`);
      break;
    }
  } catch {
    // not listening yet
  }
}
