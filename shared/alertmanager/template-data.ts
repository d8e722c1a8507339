/**
 * @module
 * The data Alertmanager's notification templates see (template.Data): Receiver,
 * Status, Alerts (with .Firing/.Resolved), GroupLabels, CommonLabels,
 * CommonAnnotations, ExternalURL. Go's named types with methods are JS
 * classes: KV (a map) has SortedPairs, Names, Values, Remove; Alerts and
 * Pairs (slices) have Firing/Resolved and Names/Values.
 */
import { stringMap } from "../template/index.ts";
import type { LabelSet } from "./matchers.ts";
import type { Notification, NotifyAlert } from "./notifiers/types.ts";

/** Labels with the same value in every set (template.Data's CommonLabels). */
export function commonLabels(sets: readonly LabelSet[]): LabelSet {
  if (sets.length === 0) return {};
  const out: LabelSet = { ...sets[0] };
  for (const s of sets.slice(1)) {
    for (const k of Object.keys(out)) if (s[k] !== out[k]) delete out[k];
  }
  return out;
}

export interface Pair {
  Name: string;
  Value: string;
}

export class Pairs extends Array<Pair> {
  static override get [Symbol.species]() {
    return Array;
  }
  Names(): string[] {
    return this.map((p) => p.Name);
  }
  Values(): string[] {
    return this.map((p) => p.Value);
  }
}

/**
 * template.KV: a string map (labels as own properties) whose methods live on
 * the prototype; marked with stringMap() so the template engine treats it as
 * Go's named map type (missing keys read "", range and len work).
 */
export class KV {
  [label: string]: string | ((...args: never[]) => unknown);

  constructor(ls: LabelSet = {}) {
    Object.assign(this, ls);
    stringMap(this as unknown as Record<string, string>);
  }
  #entries(): [string, string][] {
    return (Object.entries(this) as [string, string][]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
  SortedPairs(): Pairs {
    const p = new Pairs();
    for (const [k, v] of this.#entries()) p.push({ Name: k, Value: v });
    return p;
  }
  Names(): string[] {
    return this.#entries().map(([k]) => k);
  }
  Values(): string[] {
    return this.#entries().map(([, v]) => v);
  }
  Remove(keys: string[]): KV {
    return new KV(Object.fromEntries(this.#entries().filter(([k]) => !keys.includes(k))));
  }
}

export interface TemplateAlert {
  Status: string;
  Labels: KV;
  Annotations: KV;
  StartsAt: Date;
  EndsAt: Date;
  GeneratorURL: string;
  Fingerprint: string;
}

export class Alerts extends Array<TemplateAlert> {
  static override get [Symbol.species]() {
    return Array;
  }
  Firing(): Alerts {
    return Alerts.of(...this.filter((a) => a.Status === "firing")) as Alerts;
  }
  Resolved(): Alerts {
    return Alerts.of(...this.filter((a) => a.Status === "resolved")) as Alerts;
  }
}

function templateAlert(a: NotifyAlert): TemplateAlert {
  return {
    Status: a.status,
    Labels: new KV(a.labels),
    Annotations: new KV(a.annotations),
    StartsAt: new Date(a.startsAt),
    EndsAt: new Date(a.endsAt),
    GeneratorURL: a.generatorURL,
    Fingerprint: a.fingerprint,
  };
}

/** Go's regexp.QuoteMeta, which Alertmanager applies to the receiver name in template data. */
function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}

export interface TemplateData {
  Receiver: string;
  Status: string;
  Alerts: Alerts;
  GroupLabels: KV;
  CommonLabels: KV;
  CommonAnnotations: KV;
  ExternalURL: string;
}

export function templateData(n: Notification): TemplateData {
  const alerts = new Alerts();
  for (const a of n.alerts) alerts.push(templateAlert(a));
  return {
    Receiver: quoteMeta(n.receiver),
    Status: n.alerts.some((a) => a.status === "firing") ? "firing" : "resolved",
    Alerts: alerts,
    GroupLabels: new KV(n.groupLabels),
    CommonLabels: new KV(commonLabels(n.alerts.map((a) => a.labels))),
    CommonAnnotations: new KV(commonLabels(n.alerts.map((a) => a.annotations))),
    ExternalURL: n.externalURL,
  };
}
