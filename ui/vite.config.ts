/**
 * Builds the UI into ui/dist (served by the Worker as static assets).
 * `npm run dev:ui` serves it with hot reload and proxies the API paths to a
 * running `npm start` (PYROMETER_URL, default http://127.0.0.1:8787).
 * The status page's optional config/status-page.yml becomes /status-page.json.
 */
import { defineConfig } from "vite";
import type { Plugin } from "vite";
import { readFileSync, existsSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";

const root = import.meta.dirname;
const statusConfig = resolve(root, "../config/status-page.yml");

function statusPageJson(): string {
  if (!existsSync(statusConfig)) return "{}";
  const doc = (parse(readFileSync(statusConfig, "utf8")) ?? {}) as { status_page?: unknown };
  return JSON.stringify(doc.status_page ?? {});
}

/** Serves and emits /status-page.json from config/status-page.yml. */
function statusPageConfig(): Plugin {
  return {
    name: "pyrometer-status-page-config",
    configureServer(server) {
      server.middlewares.use("/status-page.json", (_req, res) => {
        res.setHeader("content-type", "application/json");
        res.end(statusPageJson());
      });
    },
    generateBundle() {
      this.emitFile({ type: "asset", fileName: "status-page.json", source: statusPageJson() });
    },
  };
}

const target = process.env.PYROMETER_URL ?? "http://127.0.0.1:8787";
const proxied = ["/api", "/metrics", "/federate", "/probe", "/heartbeat", "/-/", "/pushgateway", "/graph"];

export default defineConfig({
  root,
  plugins: [statusPageConfig()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  server: { proxy: Object.fromEntries(proxied.map((p) => [p, { target, changeOrigin: true }])) },
});
