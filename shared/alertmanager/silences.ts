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

/** Limits on POST /api/v2/silences (Alertmanager has none; every write path here does). */
export const SILENCE_LIMITS = { maxSilences: 10_000, maxCommentBytes: 4096, maxMatchers: 100, maxMatcherValueBytes: 16_384 };

/**
 * The problem with a posted silence's shape (types and sizes, as the OpenAPI
 * schema and the limits require), or undefined. Semantics (regexes, times,
 * empty-matching) are validateSilence's.
 */
export function postableSilenceProblem(p: unknown): string | undefined {
  if (p === null || typeof p !== "object" || Array.isArray(p)) return "silence must be an object with matchers";
  const o = p as Record<string, unknown>;
  if (!Array.isArray(o.matchers)) return "silence must be an object with matchers";
  if (o.matchers.length > SILENCE_LIMITS.maxMatchers) return `too many matchers (max ${SILENCE_LIMITS.maxMatchers})`;
  for (const [i, m] of o.matchers.entries()) {
    if (m === null || typeof m !== "object" || Array.isArray(m)) return `matchers[${i}]: matcher must be an object with name, value and isRegex`;
    const { name, value, isRegex, isEqual } = m as Record<string, unknown>;
    if (typeof name !== "string") return `matchers[${i}]: name must be a string`;
    if (typeof value !== "string") return `matchers[${i}]: value must be a string`;
    if (value.length > SILENCE_LIMITS.maxMatcherValueBytes) return `matchers[${i}]: value longer than ${SILENCE_LIMITS.maxMatcherValueBytes} bytes`;
    if (typeof isRegex !== "boolean") return `matchers[${i}]: isRegex must be true or false`;
    if (isEqual !== undefined && typeof isEqual !== "boolean") return `matchers[${i}]: isEqual must be true or false`;
  }
  for (const f of ["startsAt", "endsAt"]) if (typeof o[f] !== "string") return `${f} must be an RFC 3339 string`;
  for (const f of ["comment", "createdBy"]) {
    const v = o[f];
    if (v !== undefined && typeof v !== "string") return `${f} must be a string`;
    if (typeof v === "string" && v.length > SILENCE_LIMITS.maxCommentBytes) return `${f} longer than ${SILENCE_LIMITS.maxCommentBytes} bytes`;
  }
  if (o.id !== undefined && o.id !== null && typeof o.id !== "string") return "id must be a string";
  return undefined;
}

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
