/**
 * The local runtime of `npm start`: Pyrometer's deploy bundle run by
 * Miniflare's API directly, with the bindings wrangler.toml declares.
 *
 * Why not `wrangler dev`: it puts a proxy Worker and an inspector proxy in
 * front of the Worker, which cost ~4–5 ms per request and more per Durable
 * Object call here (docs/benchmarks.md, "Runtime floor"). Miniflare is the
 * runtime wrangler dev drives; wrangler still reads wrangler.toml
 * (`unstable_getMiniflareWorkerOptions`) and builds the bundle exactly as
 * `wrangler deploy` does, so bindings and bundling cannot drift from a deploy.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { convertV4MiniflareOptions, type Log, type MiniflareOptions, type V4ModuleDefinition, type V4WorkerOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

const root = resolve(import.meta.dirname, "../..");
const wranglerCli = resolve(root, "node_modules/wrangler/bin/wrangler.js");
export const wranglerEnv = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };

/** Runs wrangler's CLI on this very Node (24, from node_modules), whatever PATH says. */
export function wrangler(args: string[], quiet = false): { ok: boolean; output: string } {
  const r = spawnSync(process.execPath, [wranglerCli, ...args], {
    cwd: root,
    env: { ...wranglerEnv, CI: "true" },
    encoding: "utf8",
    stdio: ["ignore", quiet ? "pipe" : "inherit", quiet ? "pipe" : "inherit"],
  });
  return { ok: r.status === 0, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** Bundles the Worker as `wrangler deploy` would, into `outDir`; throws with wrangler's output on failure. */
export function buildWorker(outDir: string): void {
  const r = wrangler(["deploy", "--dry-run", "--outdir", outDir], true);
  if (!r.ok) throw new Error(`building the Worker failed:\n${r.output}`);
}

/** The bundle as Miniflare modules: the entry and the text modules (yml) it imports. */
function modules(outDir: string): V4ModuleDefinition[] {
  const out: V4ModuleDefinition[] = [];
  for (const f of readdirSync(outDir, { recursive: true, encoding: "utf8" }).sort((a, b) => (a === "index.js" ? -1 : b === "index.js" ? 1 : a.localeCompare(b)))) {
    const path = join(outDir, f);
    if (f.endsWith(".js")) out.push({ type: "ESModule", path, contents: readFileSync(path, "utf8") });
    else if (f.endsWith(".yml") || f.endsWith(".yaml")) out.push({ type: "Text", path, contents: readFileSync(path, "utf8") });
  }
  return out;
}

export interface LocalRuntime {
  host: string;
  port: number;
  /** wrangler dev's layout (`<state>/v3/{d1,r2,do,…}`), so state carries over between the two. */
  state: string;
  /** Bundle folder from buildWorker. */
  outDir: string;
  /** Text bindings on top of wrangler.toml's [vars]: settings, secrets, HEAD_SHARDS. */
  vars: Record<string, string>;
  logRequests: boolean;
  log?: Log;
}

/** Miniflare options for one Pyrometer Worker with wrangler.toml's bindings. */
export function miniflareOptions(o: LocalRuntime): MiniflareOptions {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(resolve(root, "wrangler.toml"));
  // wrangler's module rules and root describe the sources; the bundle is listed module by module.
  const { modulesRules: _rules, rootPath: _root, cronTriggers: _crons, ...bindings } = workerOptions as V4WorkerOptions & Record<string, unknown>;
  return convertV4MiniflareOptions({
    host: o.host,
    port: o.port,
    resourcePersistencePath: join(o.state, "v3"),
    // No request to workers.cloudflare.com for a sample `request.cf` (offline here, and not needed).
    cf: false,
    logRequests: o.logRequests,
    log: o.log,
    workers: [
      {
        ...(bindings as V4WorkerOptions),
        name: "pyrometer",
        modulesRoot: o.outDir,
        modules: modules(o.outDir),
        bindings: { ...(bindings.bindings as Record<string, string>), ...o.vars },
      } as V4WorkerOptions,
    ],
  });
}
