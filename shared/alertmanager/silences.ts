/**
 * @module
 * Silences (silence package): matchers with `isRegex`/`isEqual`, state by
 * time (pending before startsAt, active until endsAt, then expired),
 * Alertmanager's validation and its update-or-replace rule.
 */
import { newMatcher, validLabelName } from "./matchers.ts";
import type { LabelSet } from "./matchers.ts";
import type { Matcher } from "../labels/matcher.ts";

export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export interface Silence {
  id: string;
  matchers: SilenceMatcher[];
  /** Unix ms. */
  startsAt: number;
  endsAt: number;
  updatedAt: number;
  createdBy: string;
  comment: string;
}

export type SilenceState = "pending" | "active" | "expired";

export function silenceState(s: Silence, now: number): SilenceState {
  if (now < s.startsAt) return "pending";
  if (now < s.endsAt) return "active";
  return "expired";
}

export function toMatcher(m: SilenceMatcher): Matcher {
  const type = m.isRegex ? (m.isEqual ? "=~" : "!~") : (m.isEqual ? "=" : "!=");
  return newMatcher(type, m.name, m.value);
}

const compiled = new WeakMap<Silence, Matcher[]>();

/** Whether the silence's matchers all accept the labels (state not considered). */
export function silenceMatches(s: Silence, ls: LabelSet): boolean {
  let ms = compiled.get(s);
  if (ms === undefined) {
    ms = s.matchers.map(toMatcher);
    compiled.set(s, ms);
  }
  return ms.every((m) => m.matches(ls[m.name] ?? ""));
}

/** IDs of the active silences muting the labels. */
export function silencedBy(silences: Iterable<Silence>, ls: LabelSet, now: number): string[] {
  const out: string[] = [];
  for (const s of silences) if (silenceState(s, now) === "active" && silenceMatches(s, ls)) out.push(s.id);
  return out;
}

/** validateSilence: returns the problem, or undefined when the silence is valid. */
export function validateSilence(s: Omit<Silence, "id" | "updatedAt">): string | undefined {
  if (s.matchers.length === 0) return "at least one matcher required";
  let allMatchEmpty = true;
  for (const m of s.matchers) {
    if (!validLabelName(m.name)) return `invalid label matcher: invalid label name "${m.name}"`;
    let matcher: Matcher;
    try {
      matcher = toMatcher(m);
    } catch (e) {
      return `invalid label matcher: ${(e as Error).message}`;
    }
    if (!matcher.matches("")) allMatchEmpty = false;
  }
  if (allMatchEmpty) return "at least one matcher must not match the empty string";
  if (!Number.isFinite(s.startsAt) || s.startsAt <= 0) return "invalid zero start timestamp";
  if (!Number.isFinite(s.endsAt) || s.endsAt <= 0) return "invalid zero end timestamp";
  if (s.endsAt < s.startsAt) return "end time must not be before start time";
  return undefined;
}

function sameMatchers(a: SilenceMatcher[], b: SilenceMatcher[]): boolean {
  const key = (ms: SilenceMatcher[]) => JSON.stringify([...ms].sort((x, y) => (x.name + x.value < y.name + y.value ? -1 : 1)));
  return key(a) === key(b);
}

/**
 * Whether an update may change the silence in place (Silences.canUpdate): an
 * active silence keeps its matchers and start, and may not end in the past.
 * Otherwise the old one is expired and a new one created.
 */
export function canUpdateInPlace(old: Silence, next: Omit<Silence, "id" | "updatedAt">, now: number): boolean {
  if (!sameMatchers(old.matchers, next.matchers)) return false;
  switch (silenceState(old, now)) {
    case "pending":
      return next.startsAt >= now;
    case "active":
      return next.startsAt === old.startsAt && next.endsAt >= now;
    default:
      return false;
  }
}

/** The silence expired now (Silences.Expire); a pending one also gets startsAt = now. */
export function expireSilence(s: Silence, now: number): Silence {
  const state = silenceState(s, now);
  if (state === "expired") throw new Error(`silence ${s.id} already expired`);
  return { ...s, startsAt: state === "pending" ? now : s.startsAt, endsAt: now, updatedAt: now };
}
