/**
 * Builds the web UI (ui/ → ui/dist, served as Workers Static Assets) when
 * ui/dist is missing or older than any source under ui/ or the status page's
 * config/status-page.yml. `node scripts/build-ui.ts` builds if stale;
 * `--force` always builds. npm start, npm run build and the test runs call
 * `ensureUiBuilt()` so a fresh clone still needs only `npm install && npm start`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { resolve, join } from "node:path";

const root = resolve(import.meta.dirname, "..");
const ui = resolve(root, "ui");
const dist = resolve(ui, "dist");
const marker = resolve(dist, "index.html");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "dist" || entry.name === "node_modules") continue;
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** True when ui/dist is missing or older than its sources. */
export function uiStale(): boolean {
  if (!existsSync(marker)) return true;
  const built = statSync(marker).mtimeMs;
  const sources = [newestMtime(ui), ...["config/status-page.yml", "package-lock.json"].map((f) => resolve(root, f)).filter(existsSync).map((f) => statSync(f).mtimeMs)];
  return Math.max(...sources) > built;
}

/** Runs `vite build` for ui/ (on this Node); throws if it fails. */
export function buildUi(): void {
  const vite = resolve(root, "node_modules/vite/bin/vite.js");
  const res = spawnSync(process.execPath, [vite, "build", "--logLevel", "warn"], { cwd: ui, stdio: "inherit" });
  if (res.status !== 0) throw new Error(`building the UI failed (vite exited with ${res.status})`);
}

export function ensureUiBuilt(): void {
  if (uiStale()) buildUi();
}

if (import.meta.main) {
  if (process.argv.includes("--force")) buildUi();
  else ensureUiBuilt();
}
