/**
 * @module
 * The web UI's one Worker route: Prometheus's old `/graph` address redirects
 * to `/query` with its query string, so shared links keep working. Every
 * other UI path is a static asset (wrangler.toml `[assets]`).
 */
import { Hono } from "hono";
import type { Env } from "../env.ts";

export function uiRoutes() {
  const app = new Hono<{ Bindings: Env }>();
  app.get("/graph", (c) => c.redirect(`/query${new URL(c.req.url).search}`, 302));
  return app;
}
