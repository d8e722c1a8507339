// Routing, grouping and group keys from Alertmanager's documented examples
// (docs/configuration.md's routing tree, dispatch/route_test.go's tree).
import { describe, it, expect } from "vitest";
import { parseAlertmanagerConfig } from "./config.ts";
import { buildRoute, groupKey, groupLabels, matchRoutes } from "./route.ts";
import { fingerprint, labelSetString, parseMatchers } from "./matchers.ts";

const TREE = `
route:
  receiver: notify-def
  routes:
  - match: {owner: team-A}
    receiver: notify-A
    routes:
    - match: {env: testing}
      receiver: notify-testing
      group_by: ['...']
    - match: {env: production}
      receiver: notify-productionA
      group_wait: 1m
      continue: true
    - match_re: {env: "produ.*", job: ".*"}
      receiver: notify-productionB
      group_wait: 30s
      group_interval: 5m
      repeat_interval: 1h
      group_by: [job]
  - match_re: {owner: 'team-(B|C)'}
    group_by: [foo, bar]
    group_wait: 2m
    receiver: notify-BC
  - matchers: ['group_by="role"']
    group_by: [role]
    routes:
    - match: {env: testing}
      receiver: notify-testing
      routes:
      - match: {wait: long}
        group_wait: 2m
receivers:
- name: notify-def
- name: notify-A
- name: notify-testing
- name: notify-productionA
- name: notify-productionB
- name: notify-BC
`;

const root = buildRoute(parseAlertmanagerConfig(TREE, "am.yml").route);
const route = (ls: Record<string, string>) => matchRoutes(root, ls).map((r) => ({ key: r.key, receiver: r.opts.receiver, wait: r.opts.groupWait, by: r.opts.groupBy, all: r.opts.groupByAll, repeat: r.opts.repeatInterval }));

describe("routing tree (dispatch/route_test.go)", () => {
  it("an alert matching no child stays at the root with the defaults", () => {
    expect(route({ owner: "team-X" })).toEqual([{ key: "{}", receiver: "notify-def", wait: 30_000, by: [], all: false, repeat: 4 * 3600_000 }]);
  });
  it("a child without its own options inherits the parent's", () => {
    expect(route({ owner: "team-A" })).toEqual([{ key: '{}/{owner="team-A"}', receiver: "notify-A", wait: 30_000, by: [], all: false, repeat: 4 * 3600_000 }]);
  });
  it("group_by ['...'] groups by all labels", () => {
    expect(route({ owner: "team-A", env: "testing" })[0]).toMatchObject({ receiver: "notify-testing", all: true });
  });
  it("continue: true also matches the next sibling", () => {
    expect(route({ owner: "team-A", env: "production" })).toEqual([
      { key: '{}/{owner="team-A"}/{env="production"}', receiver: "notify-productionA", wait: 60_000, by: [], all: false, repeat: 4 * 3600_000 },
      { key: '{}/{owner="team-A"}/{env=~"produ.*",job=~".*"}', receiver: "notify-productionB", wait: 30_000, by: ["job"], all: false, repeat: 3600_000 },
    ]);
  });
  it("regex matchers are anchored", () => {
    expect(route({ owner: "team-B" })[0]!.receiver).toBe("notify-BC");
    expect(route({ owner: "xteam-B" })[0]!.receiver).toBe("notify-def");
  });
  it("the receiver is inherited through two levels and group_wait overridden at the leaf", () => {
    expect(route({ group_by: "role", env: "testing", wait: "long" })).toEqual([
      { key: '{}/{group_by="role"}/{env="testing"}/{wait="long"}', receiver: "notify-testing", wait: 120_000, by: ["role"], all: false, repeat: 4 * 3600_000 },
    ]);
  });
  it("without continue, the first matching sibling wins", () => {
    expect(route({ owner: "team-A", env: "testing" })).toHaveLength(1);
  });
});

describe("grouping", () => {
  it("group labels are the group_by labels the alert has; the key joins route key and labels", () => {
    const [r] = matchRoutes(root, { owner: "team-B", foo: "1", other: "x" });
    const gl = groupLabels(r!.opts, { owner: "team-B", foo: "1", other: "x" });
    expect(gl).toEqual({ foo: "1" });
    expect(groupKey(r!, gl)).toBe('{}/{owner=~"team-(B|C)"}:{foo="1"}');
  });
  it("'...' puts every label into the group labels", () => {
    const ls = { owner: "team-A", env: "testing", x: "y" };
    const [r] = matchRoutes(root, ls);
    expect(groupKey(r!, groupLabels(r!.opts, ls))).toBe('{}/{owner="team-A"}/{env="testing"}:{env="testing", owner="team-A", x="y"}');
  });
});

describe("matchers and label sets", () => {
  it("parses amtool's and the docs' matcher forms", () => {
    expect(parseMatchers('{alertname="Watchdog", severity=~"warn|crit"}').map(String)).toEqual(['alertname="Watchdog"', 'severity=~"warn|crit"']);
    expect(parseMatchers("foo=bar").map(String)).toEqual(['foo="bar"']);
    expect(parseMatchers('a="x,y",b!=z').map(String)).toEqual(['a="x,y"', 'b!="z"']);
    expect(parseMatchers('a="q\\"uote"')[0]!.value).toBe('q"uote');
    expect(() => parseMatchers('a="x')).toThrow(/unescaped double quote/);
    expect(() => parseMatchers("=x")).toThrow(/bad matcher format/);
  });
  it("fingerprints as model.LabelSet.Fingerprint", () => {
    // Values from prometheus/common's TestLabelSetFingerprint-style vectors: FNV-1a 64 over name 0xff value 0xff.
    expect(fingerprint({})).toBe("cbf29ce484222325");
    expect(fingerprint({ alertname: "a" })).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprint({ a: "1", b: "2" })).toBe(fingerprint({ b: "2", a: "1" }));
    expect(fingerprint({ a: "1", b: "2" })).not.toBe(fingerprint({ a: "12" }));
  });
  it("prints label sets as model.LabelSet.String", () => {
    expect(labelSetString({ b: "2", a: 'x"y' })).toBe('{a="x\\"y", b="2"}');
  });
});
