/**
 * @module
 * The Pushgateway's metric store as a pure, serializable model: groups keyed
 * by their grouping labels, PUT/POST/DELETE semantics, the push-time
 * consistency check, and push_time_seconds / push_failure_time_seconds.
 * A Durable Object holds one instance and persists `toJSON()`.
 */
import type { Labels } from "../labels/labels.ts";
import { labelsKey, labelsToString } from "../labels/labels.ts";
import type { MetricFamily, MetricType } from "../exposition/index.ts";
import { ApiError } from "../api/errors.ts";
import type { GroupingKey } from "./grouping-key.ts";
import type { Group } from "./group.ts";
import { PUSH_FAILURE_TIME_METRIC, PUSH_TIME_METRIC, sanitizeFamily } from "./group.ts";
import { groupsFromJSON, groupsToJSON, type PushGroupsJSON } from "./persist.ts";
import { renderExposition, renderMetricsJson, type MetricsJson } from "./render.ts";

/** The prefix the Pushgateway puts before every rejection reason. */
export const INCONSISTENT = "pushed metrics are invalid or inconsistent with existing metrics: ";

const SYNTHETIC = new Set([PUSH_TIME_METRIC, PUSH_FAILURE_TIME_METRIC]);

const SUFFIXES: Readonly<Record<string, readonly MetricType[]>> = {
  _bucket: ["histogram"],
  _sum: ["histogram", "summary"],
  _count: ["histogram", "summary"],
};

/** Whether two grouping keys give the same value to every label name they share. */
function keysAgree(a: Labels, b: Labels): boolean {
  for (const l of a) {
    const m = b.find((x) => x.name === l.name);
    if (m !== undefined && m.value !== l.value) return false;
  }
  return true;
}

/**
 * Most groups held (the Pushgateway has no limit): every push persists the
 * whole store, and heartbeat pings without HEARTBEAT_TOKEN create groups.
 */
export const MAX_GROUPS = 10_000;

export class PushGroups {
  readonly #groups: Map<string, Group>;
  readonly #maxGroups: number;
  /** The last exposition; scrapes far outnumber pushes. Cleared by every change. */
  #text: string | undefined;

  constructor(groups: Iterable<Group> = [], opts: { maxGroups?: number } = {}) {
    this.#maxGroups = opts.maxGroups ?? MAX_GROUPS;
    this.#groups = new Map();
    for (const g of groups) this.#groups.set(labelsKey(g.labels), g);
  }

  /** PUT: replaces every metric of the group. An empty push leaves the group empty but bumps push_time_seconds. */
  put(key: GroupingKey, families: readonly MetricFamily[], nowMs: number): void {
    this.#push(key, families, nowMs, true);
  }

  /** POST: replaces only the pushed families of the group. */
  post(key: GroupingKey, families: readonly MetricFamily[], nowMs: number): void {
    this.#push(key, families, nowMs, false);
  }

  /** DELETE: removes the group; deleting an unknown group is a no-op. Returns whether it existed. */
  delete(key: GroupingKey): boolean {
    this.#text = undefined;
    return this.#groups.delete(labelsKey(key.labels));
  }

  /** The admin API's wipe: removes every group. */
  wipe(): void {
    this.#text = undefined;
    this.#groups.clear();
  }

  get size(): number {
    return this.#groups.size;
  }

  /** Every group's metrics plus its timestamp gauges, in text format 0.0.4. */
  exposition(): string {
    this.#text ??= renderExposition(this.#sorted());
    return this.#text;
  }

  /** The body of `GET /api/v1/metrics`. */
  metricsJson(): MetricsJson {
    return renderMetricsJson(this.#sorted());
  }

  toJSON(): PushGroupsJSON {
    return groupsToJSON(this.#sorted());
  }

  /** Restores what `toJSON()` produced; throws an Error naming the bad field. */
  static fromJSON(json: unknown): PushGroups {
    return new PushGroups(groupsFromJSON(json));
  }

  #sorted(): Group[] {
    return [...this.#groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
  }

  #push(key: GroupingKey, families: readonly MetricFamily[], nowMs: number, replace: boolean): void {
    this.#text = undefined; // even a rejected push changes push_failure_time_seconds
    const id = labelsKey(key.labels);
    let group = this.#groups.get(id);
    if (group === undefined) {
      if (this.#groups.size >= this.#maxGroups) throw new ApiError("bad_data", `too many groups (max ${this.#maxGroups}): delete unused groups before pushing new ones`);
      group = { labels: key.labels, createdMs: nowMs, pushTimeMs: 0, failureTimeMs: 0, families: new Map() };
    }
    const pushed = new Map<string, MetricFamily>();
    try {
      if (families.some((f) => f.samples.some((s) => s.timestampMs !== undefined))) {
        throw new ApiError("bad_data", INCONSISTENT + "pushed metrics must not have timestamps");
      }
      // Pushed families named like the timestamp gauges are overridden by them.
      for (const f of families) if (!SYNTHETIC.has(f.name)) pushed.set(f.name, sanitizeFamily(f, key.labels));
      this.#check(group, pushed, replace);
    } catch (e) {
      group.failureTimeMs = nowMs;
      this.#groups.set(id, group);
      throw e;
    }
    if (replace) group.families.clear();
    for (const [name, f] of pushed) group.families.set(name, { family: f, pushedAtMs: nowMs });
    group.pushTimeMs = nowMs;
    this.#groups.set(id, group);
  }

  /**
   * Rejects a push that would make the exposition inconsistent: a family
   * whose type differs from the same name elsewhere, a histogram or summary
   * whose series names collide with another family, or a series twice. The
   * stored state is consistent, so only the pushed names need checking.
   */
  #check(target: Group, pushed: Map<string, MetricFamily>, replace: boolean): void {
    const familyOf = (g: Group, name: string): MetricFamily | undefined => {
      if (g !== target) return g.families.get(name)?.family;
      return pushed.get(name) ?? (replace ? undefined : g.families.get(name)?.family);
    };
    const groups = this.#groups.has(labelsKey(target.labels)) ? [...this.#groups.values()] : [...this.#groups.values(), target];
    const typeOf = (name: string): MetricType | undefined => {
      for (const g of groups) {
        const f = familyOf(g, name);
        if (f !== undefined) return f.type;
      }
      return undefined;
    };

    for (const [name, f] of pushed) {
      const seen = new Set<string>();
      for (const g of groups) {
        const other = familyOf(g, name);
        if (other === undefined) continue;
        if (other.type !== f.type) {
          throw new ApiError("bad_data", 
            `${INCONSISTENT}metric family ${name} is pushed as ${f.type} but is a ${other.type} in group ${labelsToString(g.labels)}`,
          );
        }
        // Every sample carries its group's key, so groups whose keys disagree cannot share a series.
        if (!keysAgree(g.labels, target.labels)) continue;
        for (const s of other.samples) {
          const id = (s.suffix ?? "") + "\x00" + labelsKey(s.labels);
          if (seen.has(id)) {
            throw new ApiError("bad_data", 
              `${INCONSISTENT}collected metric ${name}${s.suffix ?? ""}${labelsToString(s.labels)} was collected before with the same name and label values`,
            );
          }
          seen.add(id);
        }
      }
      for (const [suffix, types] of Object.entries(SUFFIXES)) {
        if (types.includes(f.type) && typeOf(name + suffix) !== undefined) {
          throw new ApiError("bad_data", `${INCONSISTENT}metric family ${name}${suffix} collides with ${f.type} ${name}`);
        }
        if (name.endsWith(suffix) && name.length > suffix.length) {
          const base = name.slice(0, -suffix.length);
          const baseType = typeOf(base);
          if (baseType !== undefined && types.includes(baseType)) {
            throw new ApiError("bad_data", `${INCONSISTENT}metric family ${name} collides with ${baseType} ${base}`);
          }
        }
      }
    }
  }
}
