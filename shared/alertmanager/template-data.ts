/**
 * @module
 * The data Alertmanager's notification templates see (template.Data): Receiver,
 * Status, Alerts (with .Firing/.Resolved), GroupLabels, CommonLabels,
 * CommonAnnotations, ExternalURL; label sets are KV with SortedPairs, Names,
 * Values and Remove. Methods are non-enumerable functions, called by the
 * template engine as Go calls methods named in a field chain.
 */
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

function method<T extends object>(o: T, name: string, f: (...args: never[]) => unknown): T {
  Object.defineProperty(o, name, { value: f, enumerable: false });
  return o;
}

interface Pair { Name: string; Value: string }

function pairs(list: Pair[]): Pair[] {
  const out = [...list];
  method(out, "Names", () => list.map((p) => p.Name));
  method(out, "Values", () => list.map((p) => p.Value));
  return out;
}

/** A KV: a plain label map with Go's methods. */
export function kv(ls: LabelSet): LabelSet {
  const o: LabelSet = { ...ls };
  const sorted = () => Object.keys(ls).sort();
  method(o, "SortedPairs", () => pairs(sorted().map((k) => ({ Name: k, Value: ls[k]! }))));
  method(o, "Names", () => sorted());
  method(o, "Values", () => sorted().map((k) => ls[k]!));
  method(o, "Remove", (keys: string[]) => {
    const rest: LabelSet = {};
    for (const k of Object.keys(ls)) if (!keys.includes(k)) rest[k] = ls[k]!;
    return kv(rest);
  });
  return o;
}

export interface TemplateAlert {
  Status: string;
  Labels: LabelSet;
  Annotations: LabelSet;
  StartsAt: Date;
  EndsAt: Date;
  GeneratorURL: string;
  Fingerprint: string;
}

function alertsList(list: TemplateAlert[]): TemplateAlert[] {
  const out = [...list];
  method(out, "Firing", () => alertsList(list.filter((a) => a.Status === "firing")));
  method(out, "Resolved", () => alertsList(list.filter((a) => a.Status === "resolved")));
  return out;
}

function templateAlert(a: NotifyAlert): TemplateAlert {
  return {
    Status: a.status,
    Labels: kv(a.labels),
    Annotations: kv(a.annotations),
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
  Alerts: TemplateAlert[];
  GroupLabels: LabelSet;
  CommonLabels: LabelSet;
  CommonAnnotations: LabelSet;
  ExternalURL: string;
}

export function templateData(n: Notification): TemplateData {
  return {
    Receiver: quoteMeta(n.receiver),
    Status: n.alerts.some((a) => a.status === "firing") ? "firing" : "resolved",
    Alerts: alertsList(n.alerts.map(templateAlert)),
    GroupLabels: kv(n.groupLabels),
    CommonLabels: kv(commonLabels(n.alerts.map((a) => a.labels))),
    CommonAnnotations: kv(commonLabels(n.alerts.map((a) => a.annotations))),
    ExternalURL: n.externalURL,
  };
}
