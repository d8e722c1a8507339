// The pipeline's timing and notification-log rules (dispatch.aggrGroup,
// notify.DedupStage), driven with explicit clocks.
import { describe, it, expect } from "vitest";
import { parseAlertmanagerConfig } from "./config.ts";
import { Dispatcher, emptyState, fitMessage, LIMITS, MESSAGE_BUDGET_BYTES, needsUpdate, normaliseAlerts } from "./dispatcher.ts";
import type { Silence } from "./silences.ts";

const CFG = parseAlertmanagerConfig(`
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  routes:
  - matchers: [team="quiet"]
    receiver: quiet
receivers:
- name: hook
  webhook_configs: [{url: 'http://127.0.0.1:1/'}]
  slack_configs: [{api_url: 'http://127.0.0.1:1/slack'}]
- name: quiet
inhibit_rules:
- source_matchers: [severity=critical]
  target_matchers: [severity=warning]
  equal: [alertname]
`, "am.yml");

const T0 = Date.parse("2026-01-01T00:00:00Z");
const S = 1000;
const M = 60 * S;

function setup() {
  return new Dispatcher(CFG, emptyState(), "http://am");
}
function post(d: Dispatcher, now: number, alerts: unknown[]) {
  d.receive(normaliseAlerts(alerts, now, 5 * M), now);
}

describe("posted alerts", () => {
  it("missing startsAt is now; missing endsAt is now + resolve_timeout", () => {
    const [a] = normaliseAlerts([{ labels: { alertname: "X" } }], T0, 5 * M);
    expect(a).toMatchObject({ startsAt: T0, endsAt: T0 + 5 * M, timeout: true });
  });
  it("rejects what Alertmanager rejects, naming the alert", () => {
    expect(() => normaliseAlerts([{ labels: {} }], T0, M)).toThrow("alert 0: at least one label pair required");
    expect(() => normaliseAlerts([{ labels: { "a-b": "x" } }], T0, M)).toThrow(/invalid name "a-b"/);
    expect(() => normaliseAlerts([{ labels: { a: "x" }, startsAt: "2026-01-02T00:00:00Z", endsAt: "2026-01-01T00:00:00Z" }], T0, M)).toThrow(/start time must be before end time/);
    expect(() => normaliseAlerts({}, T0, M)).toThrow(/JSON array/);
  });
  it("refuses a batch that would overfill the store whole, storing none of it", () => {
    const d = setup();
    const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ labels: { alertname: "Fill", i: String(from + i) } }));
    post(d, T0, batch(0, 3));
    // The rest of the store, filled directly (routing 50 000 alerts one by one is slow): only the count matters.
    const [one] = Object.values(d.state.alerts);
    for (let i = 3; i < LIMITS.storedAlerts - 1; i++) d.state.alerts[`filler${i}`] = one!;
    expect(() => post(d, T0, batch(LIMITS.storedAlerts - 1, 2))).toThrow(`alert store full (${LIMITS.storedAlerts} alerts)`);
    expect(Object.keys(d.state.alerts)).toHaveLength(LIMITS.storedAlerts - 1);
    // Updates of stored alerts still fit, with one new alert.
    post(d, T0 + S, [...batch(0, 3), ...batch(LIMITS.storedAlerts - 1, 1)]);
    expect(Object.keys(d.state.alerts)).toHaveLength(LIMITS.storedAlerts);
  });

  it("names wrong types and enforces the write limits on annotations and generatorURL", () => {
    const one = (extra: Record<string, unknown>) => () => normaliseAlerts([{ labels: { a: "x" }, ...extra }], T0, M);
    expect(one({ startsAt: 1700000000 })).toThrow("alert 0: startsAt must be an RFC 3339 string, got 1700000000");
    expect(one({ endsAt: {} })).toThrow("alert 0: endsAt must be an RFC 3339 string");
    expect(one({ annotations: "text" })).toThrow("alert 0: annotations must be an object");
    expect(one({ annotations: { d: "v".repeat(LIMITS.annotationValueBytes + 1) } })).toThrow(/annotation d longer than/);
    expect(one({ annotations: Object.fromEntries(Array.from({ length: LIMITS.annotationsPerAlert + 1 }, (_, i) => [`a${i}`, "v"])) })).toThrow(/more than 100 annotations/);
    expect(one({ generatorURL: 5 })).toThrow("alert 0: generatorURL must be a string");
    expect(one({ generatorURL: "g".repeat(LIMITS.generatorURLBytes + 1) })).toThrow(/generatorURL longer than/);
    // At the limits, and with null times (absent), it is accepted.
    expect(one({ startsAt: null, annotations: { d: "v".repeat(LIMITS.annotationValueBytes) }, generatorURL: "g".repeat(LIMITS.generatorURLBytes) })()).toHaveLength(1);
  });
});

describe("aggregation groups and the notification log", () => {
  it("waits group_wait, then notifies each integration once; nothing again within group_interval", () => {
    const d = setup();
    post(d, T0, [{ labels: { alertname: "A", i: "1" } }]);
    expect(d.flushDue([], T0 + 29 * S)).toEqual([]);
    expect(d.nextWakeup()).toBe(T0 + 30 * S);
    const first = d.flushDue([], T0 + 30 * S);
    expect(first.map((n) => n.integration.kind).sort()).toEqual(["slack", "webhook"]);
    expect(first[0]!.groupKey).toBe('{}:{alertname="A"}');
    expect(d.nextWakeup()).toBe(T0 + 30 * S + 5 * M);
    // Re-sent by Prometheus: same alert, nothing new at the next tick.
    post(d, T0 + M, [{ labels: { alertname: "A", i: "1" } }]);
    expect(d.flushDue([], T0 + 30 * S + 5 * M)).toEqual([]);
  });
  it("a new alert in the group is sent at the next group_interval tick", () => {
    const d = setup();
    post(d, T0, [{ labels: { alertname: "A", i: "1" } }]);
    d.flushDue([], T0 + 30 * S);
    post(d, T0 + M, [{ labels: { alertname: "A", i: "1" } }, { labels: { alertname: "A", i: "2" } }]);
    expect(d.flushDue([], T0 + 2 * M)).toEqual([]);
    const n = d.flushDue([], T0 + 30 * S + 5 * M);
    expect(n).toHaveLength(2);
    expect(n[0]!.alerts).toHaveLength(2);
  });
  it("repeats after repeat_interval", () => {
    const d = setup();
    const keep = (t: number) => post(d, t, [{ labels: { alertname: "A" }, endsAt: new Date(t + 10 * 3600_000).toISOString() }]);
    keep(T0);
    expect(d.flushDue([], T0 + 30 * S)).toHaveLength(2);
    let sent = 0;
    let t = T0 + 30 * S;
    while (t < T0 + 30 * S + 4 * 3600_000) {
      t += 5 * M;
      sent += d.flushDue([], t).length;
    }
    expect(sent).toBe(2); // at exactly 4h both integrations repeat
  });
  it("resolved: send_resolved integrations get it (webhook), the others (slack) do not; the group then goes away", () => {
    const d = setup();
    post(d, T0, [{ labels: { alertname: "A" } }]);
    d.flushDue([], T0 + 30 * S);
    post(d, T0 + M, [{ labels: { alertname: "A" }, endsAt: new Date(T0 + M).toISOString() }]);
    const n = d.flushDue([], T0 + 30 * S + 5 * M);
    expect(n.map((x) => x.integration.kind)).toEqual(["webhook"]);
    expect(n[0]!.alerts[0]!.status).toBe("resolved");
    expect(d.alertGroups()).toEqual([]);
    expect(d.state.alerts).toEqual({});
  });
  it("an alert that fired and resolved between flushes is never sent", () => {
    const d = setup();
    post(d, T0, [{ labels: { alertname: "A" }, endsAt: new Date(T0 + 10 * S).toISOString() }]);
    expect(d.flushDue([], T0 + 30 * S)).toEqual([]);
  });
  it("an alert older than group_wait is flushed at once", () => {
    const d = setup();
    post(d, T0, [{ labels: { alertname: "A" }, startsAt: new Date(T0 - M).toISOString() }]);
    expect(d.nextWakeup()).toBe(T0);
  });
  it("silenced and inhibited alerts are not sent, and are reported as suppressed", () => {
    const d = setup();
    const silence: Silence = { id: "s", matchers: [{ name: "alertname", value: "A", isRegex: false, isEqual: true }], startsAt: T0, endsAt: T0 + 3600_000, updatedAt: T0, createdBy: "x", comment: "" };
    post(d, T0, [{ labels: { alertname: "A" } }, { labels: { alertname: "B", severity: "critical" } }, { labels: { alertname: "B", severity: "warning" } }]);
    const n = d.flushDue([silence], T0 + 30 * S);
    expect(n.every((x) => x.groupKey === '{}:{alertname="B"}')).toBe(true);
    expect(n[0]!.alerts.map((a) => a.labels.severity)).toEqual(["critical"]);
    const a = Object.values(d.state.alerts).find((x) => x.labels.alertname === "A")!;
    expect(d.status(a, [silence], T0 + 31 * S)).toMatchObject({ state: "suppressed", silencedBy: ["s"], receivers: ["hook"] });
  });
  it("a receiver without integrations notifies nothing", () => {
    const d = setup();
    post(d, T0, [{ labels: { alertname: "A", team: "quiet" } }]);
    expect(d.flushDue([], T0 + 30 * S)).toEqual([]);
  });
});

describe("time intervals on routes", () => {
  const cfg = parseAlertmanagerConfig(`
route:
  receiver: hook
  group_by: [alertname]
  routes:
  - matchers: [when="weekend"]
    receiver: hook
    mute_time_intervals: [weekend]
  - matchers: [when="office"]
    receiver: hook
    active_time_intervals: [office]
receivers:
- name: hook
  webhook_configs: [{url: 'http://127.0.0.1:1/'}]
time_intervals:
- name: weekend
  time_intervals: [{weekdays: [saturday, sunday]}]
- name: office
  time_intervals: [{weekdays: ['monday:friday'], times: [{start_time: '09:00', end_time: '17:00'}]}]
`, "am.yml");
  const flush = (labels: Record<string, string>, at: string) => {
    const t = Date.parse(at);
    const d = new Dispatcher(cfg, emptyState(), "http://am");
    d.receive(normaliseAlerts([{ labels, startsAt: new Date(t - M).toISOString() }], t, 5 * M), t);
    return d.flushDue([], t).length;
  };
  it("mute_time_intervals silence a route while they contain now", () => {
    expect(flush({ alertname: "A", when: "weekend" }, "2026-01-03T12:00:00Z")).toBe(0); // Saturday
    expect(flush({ alertname: "A", when: "weekend" }, "2026-01-05T12:00:00Z")).toBe(1); // Monday
  });
  it("active_time_intervals let a route notify only while they contain now", () => {
    expect(flush({ alertname: "A", when: "office" }, "2026-01-05T10:00:00Z")).toBe(1);
    expect(flush({ alertname: "A", when: "office" }, "2026-01-05T18:00:00Z")).toBe(0);
    expect(flush({ alertname: "A", when: "office" }, "2026-01-04T10:00:00Z")).toBe(0); // Sunday
  });
});

describe("needsUpdate (DedupStage)", () => {
  const e = { firing: ["a"], resolved: [], timestamp: 0 };
  it("follows Alertmanager's cases", () => {
    expect(needsUpdate(undefined, new Set(["a"]), new Set(), false, 10, 1)).toBe(true);
    expect(needsUpdate(undefined, new Set(), new Set(["a"]), true, 10, 1)).toBe(false);
    expect(needsUpdate(e, new Set(["a", "b"]), new Set(), false, 10, 1)).toBe(true);
    expect(needsUpdate(e, new Set(), new Set(["a"]), false, 10, 1)).toBe(true);
    expect(needsUpdate({ ...e, firing: [] }, new Set(), new Set(["a"]), true, 10, 1)).toBe(false);
    expect(needsUpdate({ firing: ["a", "b"], resolved: [], timestamp: 0 }, new Set(["a"]), new Set(["b"]), true, 10, 1)).toBe(true);
    expect(needsUpdate({ firing: ["a", "b"], resolved: [], timestamp: 0 }, new Set(["a"]), new Set(["b"]), false, 10, 1)).toBe(false);
    expect(needsUpdate(e, new Set(["a"]), new Set(), false, 10, 10)).toBe(true);
  });
});

describe("queue message size", () => {
  it("truncates alerts to stay within the budget, counting them", () => {
    const big = "x".repeat(2000);
    const alerts = Array.from({ length: 200 }, (_, i) => ({ status: "firing" as const, labels: { alertname: "A", i: String(i) }, annotations: { d: big }, startsAt: "", endsAt: "", generatorURL: "", fingerprint: String(i) }));
    const n = fitMessage({ receiver: "r", integration: { kind: "webhook", index: 0 }, groupKey: "k", groupLabels: {}, alerts, truncatedAlerts: 0, externalURL: "" });
    expect(JSON.stringify(n).length).toBeLessThanOrEqual(MESSAGE_BUDGET_BYTES);
    expect(n.alerts.length + n.truncatedAlerts).toBe(200);
    expect(n.truncatedAlerts).toBeGreaterThan(0);
  });
});
