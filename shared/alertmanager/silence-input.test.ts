// POST /api/v2/silences input: shape and limits (postableSilenceProblem) and
// the API's filter parameters (parseFilter), as hostile clients send them.
import { describe, it, expect } from "vitest";
import { postableSilenceProblem, SILENCE_LIMITS } from "./silences.ts";
import { parseFilter } from "./matchers.ts";

const ok = { matchers: [{ name: "alertname", value: "X", isRegex: false }], startsAt: "2026-01-01T00:00:00Z", endsAt: "2026-01-02T00:00:00Z", createdBy: "me", comment: "c" };
const m = (x: unknown) => ({ ...ok, matchers: [x] });

describe("posted silences", () => {
  it("accepts what amtool and the UI send", () => {
    expect(postableSilenceProblem(ok)).toBeUndefined();
    expect(postableSilenceProblem({ ...ok, id: "abc", matchers: [{ name: "a", value: "b", isRegex: true, isEqual: false }] })).toBeUndefined();
  });
  it("names the field that has the wrong type", () => {
    for (const [p, problem] of [
      [null, "silence must be an object with matchers"],
      [[ok], "silence must be an object with matchers"],
      [{ ...ok, matchers: "a=b" }, "silence must be an object with matchers"],
      [m(null), "matchers[0]: matcher must be an object with name, value and isRegex"],
      [m("a=b"), "matchers[0]: matcher must be an object with name, value and isRegex"],
      [m({ value: "x", isRegex: false }), "matchers[0]: name must be a string"],
      [m({ name: "a", isRegex: false }), "matchers[0]: value must be a string"],
      [m({ name: "a", value: "x" }), "matchers[0]: isRegex must be true or false"],
      [m({ name: "a", value: "x", isRegex: false, isEqual: "no" }), "matchers[0]: isEqual must be true or false"],
      [{ ...ok, startsAt: 5 }, "startsAt must be an RFC 3339 string"],
      [{ ...ok, endsAt: undefined }, "endsAt must be an RFC 3339 string"],
      [{ ...ok, comment: {} }, "comment must be a string"],
      [{ ...ok, id: 7 }, "id must be a string"],
    ] as [unknown, string][]) {
      expect(postableSilenceProblem(p), JSON.stringify(p)).toBe(problem);
    }
  });
  it("enforces the limits", () => {
    expect(postableSilenceProblem(m({ name: "a", value: "v".repeat(SILENCE_LIMITS.maxMatcherValueBytes + 1), isRegex: false }))).toMatch(/value longer than/);
    expect(postableSilenceProblem(m({ name: "a", value: "v".repeat(SILENCE_LIMITS.maxMatcherValueBytes), isRegex: false }))).toBeUndefined();
    expect(postableSilenceProblem({ ...ok, createdBy: "c".repeat(SILENCE_LIMITS.maxCommentBytes + 1) })).toMatch(/createdBy longer than/);
    expect(postableSilenceProblem({ ...ok, matchers: Array(SILENCE_LIMITS.maxMatchers + 1).fill(ok.matchers[0]) })).toMatch(/too many matchers/);
  });
});

describe("filter parameters", () => {
  it("refuses a filter that holds no matcher, as Alertmanager", () => {
    for (const f of ["{", "{}"]) expect(() => parseFilter([f])).toThrow(`bad matcher format: ${f}`);
    expect(() => parseFilter([","])).toThrow(/bad matcher format/);
    expect(() => parseFilter(["a"])).toThrow(/bad matcher format/);
  });
  it("reads each filter's matchers", () => {
    expect(parseFilter(['alertname="X"', '{a=~"b.*",c!="d"}', ""]).map((x) => `${x.name}${x.type}${x.value}`)).toEqual(["alertname=X", "a=~b.*", "c!=d"]);
  });
});
