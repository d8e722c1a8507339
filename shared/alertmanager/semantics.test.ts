// Silences, inhibition and time intervals, from Alertmanager's documented behaviour.
import { describe, it, expect } from "vitest";
import { parseAlertmanagerConfig } from "./config.ts";
import { inhibitedBy } from "./inhibit.ts";
import { canUpdateInPlace, expireSilence, silenceMatches, silenceState, silencedBy, validateSilence } from "./silences.ts";
import type { Silence } from "./silences.ts";
import { intervalContains } from "./time-interval.ts";

const sil = (over: Partial<Silence> = {}): Silence => ({
  id: "s1", matchers: [{ name: "alertname", value: "Disk.*", isRegex: true, isEqual: true }], startsAt: 1000, endsAt: 2000,
  updatedAt: 0, createdBy: "me", comment: "c", ...over,
});

describe("silences", () => {
  it("state is pending before startsAt, active until endsAt, then expired", () => {
    expect(silenceState(sil(), 999)).toBe("pending");
    expect(silenceState(sil(), 1000)).toBe("active");
    expect(silenceState(sil(), 1999)).toBe("active");
    expect(silenceState(sil(), 2000)).toBe("expired");
  });
  it("matches with anchored regexes, negative and equality matchers", () => {
    expect(silenceMatches(sil(), { alertname: "DiskFull" })).toBe(true);
    expect(silenceMatches(sil(), { alertname: "XDiskFull" })).toBe(false);
    const s = sil({ matchers: [{ name: "job", value: "a", isRegex: false, isEqual: true }, { name: "env", value: "prod", isRegex: false, isEqual: false }] });
    expect(silenceMatches(s, { job: "a", env: "dev" })).toBe(true);
    expect(silenceMatches(s, { job: "a", env: "prod" })).toBe(false);
    expect(silenceMatches(s, { job: "a" })).toBe(true);
  });
  it("only active silences mute", () => {
    expect(silencedBy([sil()], { alertname: "DiskFull" }, 1500)).toEqual(["s1"]);
    expect(silencedBy([sil()], { alertname: "DiskFull" }, 500)).toEqual([]);
    expect(silencedBy([sil()], { alertname: "DiskFull" }, 2500)).toEqual([]);
  });
  it("validates as Alertmanager", () => {
    expect(validateSilence({ ...sil(), matchers: [] })).toBe("at least one matcher required");
    expect(validateSilence({ ...sil(), matchers: [{ name: "a", value: ".*", isRegex: true, isEqual: true }] })).toBe("at least one matcher must not match the empty string");
    expect(validateSilence({ ...sil(), matchers: [{ name: "a-b", value: "x", isRegex: false, isEqual: true }] })).toMatch(/invalid label name/);
    expect(validateSilence({ ...sil(), matchers: [{ name: "a", value: "(", isRegex: true, isEqual: true }] })).toMatch(/invalid label matcher/);
    expect(validateSilence({ ...sil(), endsAt: 500 })).toBe("end time must not be before start time");
    expect(validateSilence(sil())).toBeUndefined();
  });
  it("expiring a pending silence moves its start too; an expired one cannot expire again", () => {
    expect(expireSilence(sil(), 500)).toMatchObject({ startsAt: 500, endsAt: 500 });
    expect(expireSilence(sil(), 1500)).toMatchObject({ startsAt: 1000, endsAt: 1500 });
    expect(() => expireSilence(sil(), 2500)).toThrow(/already expired/);
  });
  it("updates in place only with the same matchers and a compatible time", () => {
    expect(canUpdateInPlace(sil(), { ...sil(), endsAt: 3000 }, 1500)).toBe(true);
    expect(canUpdateInPlace(sil(), { ...sil(), startsAt: 1200 }, 1500)).toBe(false);
    expect(canUpdateInPlace(sil(), { ...sil(), matchers: [{ name: "x", value: "y", isRegex: false, isEqual: true }] }, 1500)).toBe(false);
    expect(canUpdateInPlace(sil(), sil(), 2500)).toBe(false);
  });
});

describe("inhibition (docs: critical inhibits warning with the same alertname and cluster)", () => {
  const cfg = parseAlertmanagerConfig(`
route: {receiver: r}
receivers: [{name: r}]
inhibit_rules:
- source_matchers: [severity="critical"]
  target_matchers: [severity="warning"]
  equal: [alertname, cluster]
- source_matchers: [alertname="NodeDown"]
  target_matchers: [alertname=~"Node.*"]
`, "am.yml");
  const a = (fp: string, labels: Record<string, string>) => ({ fingerprint: fp, labels });
  const crit = a("c", { alertname: "HighLatency", cluster: "eu", severity: "critical" });
  it("a firing source with equal labels inhibits the target", () => {
    expect(inhibitedBy(cfg.inhibitRules, [crit], a("w", { alertname: "HighLatency", cluster: "eu", severity: "warning" }))).toEqual(["c"]);
  });
  it("a different value of an equal label does not inhibit", () => {
    expect(inhibitedBy(cfg.inhibitRules, [crit], a("w", { alertname: "HighLatency", cluster: "us", severity: "warning" }))).toEqual([]);
  });
  it("a label missing on both sides counts as equal", () => {
    const src = a("c2", { alertname: "X", severity: "critical" });
    expect(inhibitedBy(cfg.inhibitRules, [src], a("w", { alertname: "X", severity: "warning" }))).toEqual(["c2"]);
  });
  it("an alert matching both sides does not inhibit itself nor its kind", () => {
    const nd = a("n1", { alertname: "NodeDown" });
    expect(inhibitedBy(cfg.inhibitRules, [nd], nd)).toEqual([]);
    expect(inhibitedBy(cfg.inhibitRules, [nd, a("n2", { alertname: "NodeDown", x: "1" })], nd)).toEqual([]);
    expect(inhibitedBy(cfg.inhibitRules, [nd], a("l", { alertname: "NodeLoad" }))).toEqual(["n1"]);
  });
});

describe("time intervals (docs examples)", () => {
  const cfg = parseAlertmanagerConfig(`
route: {receiver: r}
receivers: [{name: r}]
time_intervals:
- name: offhours
  time_intervals:
  - times: [{start_time: '17:00', end_time: '24:00'}]
    weekdays: ['monday:friday']
    location: 'Europe/Berlin'
- name: misc
  time_intervals:
  - days_of_month: ['1:5', '-3:-1']
    months: ['1:3', 'may:august', 'december']
    years: ['2020:2022', '2030']
`, "am.yml");
  const off = cfg.timeIntervals.offhours![0]!;
  const misc = cfg.timeIntervals.misc![0]!;
  it("times are in the interval's location, end exclusive, 24:00 allowed", () => {
    // 2024-01-08 is a Monday; Berlin is UTC+1 in winter.
    expect(intervalContains(off, Date.parse("2024-01-08T16:00:00Z"))).toBe(true); // 17:00 Berlin
    expect(intervalContains(off, Date.parse("2024-01-08T15:59:00Z"))).toBe(false);
    expect(intervalContains(off, Date.parse("2024-01-08T22:59:00Z"))).toBe(true); // 23:59
    expect(intervalContains(off, Date.parse("2024-01-13T18:00:00Z"))).toBe(false); // Saturday
  });
  it("negative days count from the month's end; months and years by name or number", () => {
    // Feb 2021 has 28 days, so -3:-1 is the 26th to the 28th.
    expect(intervalContains(misc, Date.parse("2021-02-27T12:00:00Z"))).toBe(true);
    expect(intervalContains(misc, Date.parse("2021-02-26T12:00:00Z"))).toBe(true);
    expect(intervalContains(misc, Date.parse("2021-02-25T12:00:00Z"))).toBe(false);
    expect(intervalContains(misc, Date.parse("2021-03-03T12:00:00Z"))).toBe(true);
    expect(intervalContains(misc, Date.parse("2021-04-03T12:00:00Z"))).toBe(false); // April excluded
    expect(intervalContains(misc, Date.parse("2023-03-03T12:00:00Z"))).toBe(false); // 2023 excluded
    expect(intervalContains(misc, Date.parse("2030-12-31T12:00:00Z"))).toBe(true);
  });
});
