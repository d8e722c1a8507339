/**
 * @module
 * Inhibition (inhibit.Inhibitor): a firing alert matching a rule's source
 * matchers mutes alerts matching its target matchers when the `equal` labels
 * agree (both missing counts as equal). An alert matching both sides cannot
 * be inhibited by source alerts that also match both sides (no self-inhibition).
 * Sources are indexed per rule by their `equal` label values, as
 * Alertmanager caches them, so checking n targets costs O(n), not O(n²).
 */
import type { InhibitRule } from "./config.ts";
import { matchesAll } from "./matchers.ts";
import type { LabelSet } from "./matchers.ts";

export interface InhibitCandidate {
  fingerprint: string;
  labels: LabelSet;
}

const equalKey = (r: InhibitRule, ls: LabelSet) => JSON.stringify(r.equal.map((l) => ls[l] ?? ""));

export class Inhibitor {
  readonly #rules: { rule: InhibitRule; sources: Map<string, InhibitCandidate[]> }[];

  constructor(rules: readonly InhibitRule[], firing: readonly InhibitCandidate[]) {
    this.#rules = rules.map((rule) => {
      const sources = new Map<string, InhibitCandidate[]>();
      for (const a of firing) {
        if (!matchesAll(rule.sourceMatchers, a.labels)) continue;
        const k = equalKey(rule, a.labels);
        let list = sources.get(k);
        if (list === undefined) sources.set(k, (list = []));
        list.push(a);
      }
      return { rule, sources };
    });
  }

  /** Fingerprints of the firing source alerts that inhibit `target`. */
  inhibitedBy(target: InhibitCandidate): string[] {
    const out = new Set<string>();
    for (const { rule, sources } of this.#rules) {
      if (sources.size === 0 || !matchesAll(rule.targetMatchers, target.labels)) continue;
      const targetIsSource = matchesAll(rule.sourceMatchers, target.labels);
      for (const src of sources.get(equalKey(rule, target.labels)) ?? []) {
        if (src.fingerprint === target.fingerprint) continue;
        if (targetIsSource && matchesAll(rule.targetMatchers, src.labels)) continue;
        out.add(src.fingerprint);
      }
    }
    return [...out];
  }
}

/** One-off form: the sources inhibiting `target` among `firing`. */
export function inhibitedBy(rules: readonly InhibitRule[], firing: readonly InhibitCandidate[], target: InhibitCandidate): string[] {
  return new Inhibitor(rules, firing).inhibitedBy(target);
}
