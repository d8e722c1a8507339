/**
 * @module
 * `/heartbeat/<name>[?period=5m]` (GET or POST): records a ping through the
 * Pushgateway (see shared/heartbeat). When HEARTBEAT_TOKEN is set, pings
 * must carry it as `?token=` or `Authorization: Bearer`.
 */
import { Hono } from "hono";
import type { Env } from "../env.ts";
import { ApiError } from "../../shared/api/errors.ts";
import { requestToken, sameToken } from "../../shared/api/token.ts";
import { TEXT_CONTENT_TYPE } from "../../shared/exposition/format.ts";
import { HeartbeatError, heartbeatPush } from "../../shared/heartbeat/heartbeat.ts";
import { pushgatewayStub } from "../pushgateway/routes.ts";

export function heartbeatRoutes() {
  const app = new Hono<{ Bindings: Env }>();
  app.on(["GET", "POST"], "/heartbeat/:name", async (c) => {
    const token = c.env.HEARTBEAT_TOKEN;
    const given = requestToken(c.req.header("authorization"), c.req.query("token"));
    if (token && (given === undefined || !sameToken(given, token))) throw new ApiError("not_acceptable", "missing or wrong heartbeat token", 401);
    let push;
    try {
      push = heartbeatPush(c.req.param("name"), c.req.query("period") ?? null);
    } catch (e) {
      if (e instanceof HeartbeatError) throw new ApiError("bad_data", e.message);
      throw e;
    }
    const r = await pushgatewayStub(c.env).push("PUT", push.path, new TextEncoder().encode(push.body), TEXT_CONTENT_TYPE);
    // The Pushgateway's refusals (4xx: its limits) are the client's; only its own failures are 5xx.
    if (r.status >= 300) throw new ApiError(r.status < 500 ? "bad_data" : "internal", `recording the heartbeat failed: ${r.body}`, r.status < 500 ? r.status : 500);
    return c.text("OK\n");
  });
  return app;
}
