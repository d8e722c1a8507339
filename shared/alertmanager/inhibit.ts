/**
 * @module
 * Inhibition (inhibit.Inhibitor): a firing alert matching a rule's source
 * matchers mutes alerts matching its target matchers when the `equal` labels
 * agree (both missing counts as equal). An alert matching both sides cannot
 * be inhibited by source alerts that also match both sides (no self-inhibition).
 */
import type { InhibitRule } from "./config.ts";
import { matchesAll } from "./matchers.ts";
import type { LabelSet } from "./matchers.ts";

export interface InhibitCandidate {
  fingerprint: string;
  labels: LabelSet;
}

/** Fingerprints of the firing source alerts that inhibit `target`. */
export function inhibitedBy(rules: readonly InhibitRule[], firing: readonly InhibitCandidate[], target: InhibitCandidate): string[] {
  const out = new Set<string>();
  for (const r of rules) {
    if (!matchesAll(r.targetMatchers, target.labels)) continue;
    const targetIsSource = matchesAll(r.sourceMatchers, target.labels);
    for (const src of firing) {
      if (src.fingerprint === target.fingerprint) continue;
      if (!matchesAll(r.sourceMatchers, src.labels)) continue;
      if (targetIsSource && matchesAll(r.targetMatchers, src.labels)) continue;
      if (r.equal.every((l) => (src.labels[l] ?? "") === (target.labels[l] ?? ""))) out.add(src.fingerprint);
    }
  }
  return [...out];
}
