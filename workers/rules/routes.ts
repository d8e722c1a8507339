/**
 * @module
 * `/api/v1/rules`, `/api/v1/alerts` and `/api/v1/alertmanagers`, gathered
 * from every RuleGroups shard.
 */
import { Hono } from "hono";
import type { Env } from "../env.ts";
import { ApiError } from "../../shared/api/errors.ts";
import { allRuleShards } from "./stub.ts";
import { parseSeriesMatchers } from "../../shared/api/series-matchers.ts";
import { matcherToSpec } from "../../shared/labels/matcher.ts";

function success(data: unknown) {
  return { status: "success", data };
}

/** Prometheus reads repeated parameters with and without `[]`. */
function list(url: URL, name: string): string[] {
  return [...url.searchParams.getAll(`${name}[]`), ...url.searchParams.getAll(name)];
}

export function ruleRoutes() {
  const app = new Hono<{ Bindings: Env }>();

  app.get("/api/v1/rules", async (c) => {
    const url = new URL(c.req.url);
    const type = url.searchParams.get("type") ?? "";
    if (type !== "" && type !== "alert" && type !== "record") throw new ApiError("bad_data", `invalid query parameter type='${type}'`);
    const ex = (url.searchParams.get("exclude_alerts") ?? "").toLowerCase();
    if (!["", "true", "false", "1", "0", "t", "f"].includes(ex)) throw new ApiError("bad_data", `parameter "exclude_alerts" must be a boolean: ${ex}`);
    const filter = {
      type: type === "" ? undefined : (type as "alert" | "record"),
      ruleNames: list(url, "rule_name"),
      groupNames: [...list(url, "rule_group"), ...list(url, "group_name")],
      files: list(url, "file"),
      excludeAlerts: ex === "true" || ex === "1" || ex === "t",
      matchers: parseSeriesMatchers(url.searchParams.getAll("match[]")).map((set) => set.map(matcherToSpec)),
    };
    // RPC typing cannot express the JSON groups; the object returns rulesResponse's shape.
    const parts = (await Promise.all(allRuleShards(c.env).map(({ index, stub }) => stub.rules(index, filter)))) as unknown as { groups: unknown[]; error: string }[];
    // As Prometheus after a failed reload, the rules in force are served; with none loaded, the error says why.
    const groups = parts.flatMap((p) => p.groups);
    const error = parts.find((p) => p.error !== "")?.error;
    if (error !== undefined && groups.length === 0) throw new ApiError("internal", `loading rules: ${error}`);
    return c.json(success({ groups }));
  });

  app.get("/api/v1/alerts", async (c) => {
    const parts = await Promise.all(allRuleShards(c.env).map(({ index, stub }) => stub.alerts(index)));
    return c.json(success({ alerts: parts.flatMap((p) => p.alerts) }));
  });

  app.get("/api/v1/alertmanagers", async (c) => {
    // Every shard sees the same alerting config; ask one.
    const [first] = allRuleShards(c.env);
    return c.json(success(await first!.stub.alertmanagers(first!.index)));
  });

  return app;
}
