/**
 * @module
 * Alertmanager's HTTP API v2 on the same Worker, in its JSON shapes, so a
 * real Prometheus can send alerts here and amtool can manage silences:
 * /api/v2/alerts, /alerts/groups, /silences, /silence/{id}, /status, /receivers.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { Env } from "../env.ts";
import { ApiError } from "../../shared/api/errors.ts";
import { alertmanagerStub } from "./load-config.ts";
import { readBody } from "../http/body.ts";
import { ingestLimitsOrDefaults } from "../limits.ts";
import type { AlertFilter, PostableSilence } from "./alertmanager.ts";

/** Largest request body accepted (Prometheus sends alerts in batches of 64 by default). */
const MAX_BODY_BYTES = 5_000_000;

/** RPC errors lose their class across the stub: the DO marks client mistakes by name. */
async function call<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    const err = e as Error;
    if (err.name === "AlertmanagerInputError" || err.message.startsWith("AlertmanagerInputError")) {
      throw new ApiError("bad_data", err.message.replace(/^AlertmanagerInputError: /, ""));
    }
    throw e;
  }
}

const BODY_LIMIT_NAMES = { request: "at most 5 MB for the Alertmanager API", decoded: "at most 5 MB for the Alertmanager API" };

async function jsonBody(c: Context<{ Bindings: Env }>): Promise<unknown> {
  // Streamed under the cap (413 before the whole body is buffered), as the ingest endpoints read theirs.
  const limits = { ...ingestLimitsOrDefaults(c.env), maxRequestBytes: MAX_BODY_BYTES, maxDecodedBytes: MAX_BODY_BYTES };
  const text = new TextDecoder().decode(await readBody(c.req.raw, limits, false, BODY_LIMIT_NAMES));
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ApiError("bad_data", `invalid JSON body: ${(e as Error).message}`);
  }
}

function boolParam(c: Context<{ Bindings: Env }>, name: string): boolean | undefined {
  const v = c.req.query(name);
  if (v === undefined || v === "") return undefined;
  if (v === "true") return true;
  if (v === "false") return false;
  throw new ApiError("bad_data", `${name}: invalid boolean ${JSON.stringify(v)}`);
}

function alertFilter(c: Context<{ Bindings: Env }>): AlertFilter {
  return {
    active: boolParam(c, "active"),
    silenced: boolParam(c, "silenced"),
    inhibited: boolParam(c, "inhibited"),
    unprocessed: boolParam(c, "unprocessed"),
    filter: c.req.queries("filter") ?? [],
    receiver: c.req.query("receiver") || undefined,
  };
}

export function alertmanagerRoutes() {
  const app = new Hono<{ Bindings: Env }>();

  app.post("/api/v2/alerts", async (c) => {
    const body = await jsonBody(c);
    const r = await alertmanagerStub(c.env).receiveAlerts(body);
    if (r.error !== undefined) throw new ApiError("bad_data", r.error);
    return c.body(null, 200);
  });
  app.get("/api/v2/alerts", async (c) => c.json(await call(() => alertmanagerStub(c.env).getAlerts(alertFilter(c)))));
  app.get("/api/v2/alerts/groups", async (c) => c.json(await call(() => alertmanagerStub(c.env).getAlertGroups(alertFilter(c)))));

  app.get("/api/v2/silences", async (c) => c.json(await call(() => alertmanagerStub(c.env).getSilences(c.req.queries("filter") ?? []))));
  app.post("/api/v2/silences", async (c) => {
    const body = (await jsonBody(c)) as PostableSilence;
    const r = await call(() => alertmanagerStub(c.env).postSilence(body));
    if (r.error !== undefined) throw new ApiError("bad_data", r.error);
    if (r.notFound) throw new ApiError("not_found", "silence not found");
    return c.json({ silenceID: r.silenceID });
  });
  app.get("/api/v2/silence/:id", async (c) => {
    const s = await alertmanagerStub(c.env).getSilence(c.req.param("id"));
    if (s === undefined) throw new ApiError("not_found", "silence not found");
    return c.json(s);
  });
  app.delete("/api/v2/silence/:id", async (c) => {
    const r = await call(() => alertmanagerStub(c.env).deleteSilence(c.req.param("id")));
    if (r === "not found") throw new ApiError("not_found", "silence not found");
    return c.body(null, 200);
  });

  app.get("/api/v2/status", async (c) => c.json(await alertmanagerStub(c.env).status()));
  app.get("/api/v2/receivers", async (c) => c.json(await alertmanagerStub(c.env).receivers()));
  return app;
}
