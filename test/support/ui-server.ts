/**
 * @module
 * Serves the built UI (ui/dist) the way the Worker's static assets do (files,
 * index.html for page paths) and forwards API paths to real Prometheus and
 * Alertmanager servers, so UI tests can run the same pages against the real
 * things (what `npm run dev:ui` does with Vite).
 */
import { createServer, request } from "node:http";
import type { Server } from "node:http";
import { readFileSync, existsSync, statSync } from "node:fs";
import { resolve, join, extname } from "node:path";

const dist = resolve(import.meta.dirname, "../../ui/dist");
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".svg": "image/svg+xml" };

export interface UiServer {
  url: string;
  close: () => Promise<void>;
}

/** `upstream(path)` names the server that answers an API path, or undefined for UI files. */
export async function serveUi(port: number, upstream: (path: string) => string | undefined): Promise<UiServer> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const target = upstream(url.pathname);
    if (target) {
      const to = new URL(url.pathname + url.search, target);
      const fwd = request(to.href, { method: req.method, headers: { ...req.headers, host: to.host } }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      fwd.on("error", (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      req.pipe(fwd);
      return;
    }
    const file = join(dist, url.pathname);
    const path = file.startsWith(dist) && existsSync(file) && statSync(file).isFile() ? file : join(dist, "index.html");
    res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" });
    res.end(readFileSync(path));
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}
