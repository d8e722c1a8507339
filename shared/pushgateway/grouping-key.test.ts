import { describe, it, expect } from "vitest";
import { ApiError } from "../api/errors.ts";
import { parseGroupingKeyPath, groupingKeyPath, unescapeName } from "./index.ts";

function rec(path: string): Record<string, string> {
  return Object.fromEntries(parseGroupingKeyPath(path).labels.map((l) => [l.name, l.value]));
}

function err(path: string): string {
  try {
    parseGroupingKeyPath(path);
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).status).toBe(400);
    return (e as Error).message;
  }
  throw new Error(`${path} parsed`);
}

describe("parseGroupingKeyPath", () => {
  it("reads job and label pairs, sorted, job included", () => {
    const k = parseGroupingKeyPath("/metrics/job/some_job/instance/some_instance");
    expect(k.job).toBe("some_job");
    expect(k.labels).toEqual([
      { name: "instance", value: "some_instance" },
      { name: "job", value: "some_job" },
    ]);
    expect(rec("/metrics/job/some_job")).toEqual({ job: "some_job" });
    expect(rec("/metrics/job/some_job/")).toEqual({ job: "some_job" });
  });

  it("decodes the README's base64 examples", () => {
    expect(rec("/metrics/job/directory_cleaner/path@base64/L3Zhci90bXA")).toEqual({ job: "directory_cleaner", path: "/var/tmp" });
    expect(rec("/metrics/job/directory_cleaner/path@base64/L3Zhci90bXA=")).toEqual({ job: "directory_cleaner", path: "/var/tmp" });
    expect(rec("/metrics/job/example/first_label@base64/=/second_label/foobar")).toEqual({
      job: "example",
      first_label: "",
      second_label: "foobar",
    });
    expect(rec("/metrics/job/titan/name@base64/zqDPgc6_zrzOt864zrXPjc-C")).toEqual({ job: "titan", name: "Προμηθεύς" });
    expect(rec("/metrics/job/titan/name/%CE%A0%CF%81%CE%BF%CE%BC%CE%B7%CE%B8%CE%B5%CF%8D%CF%82")).toEqual({ job: "titan", name: "Προμηθεύς" });
    expect(parseGroupingKeyPath("/metrics/job@base64/L3Zhci90bXA").job).toBe("/var/tmp");
  });

  it("reads U__-escaped UTF-8 label names", () => {
    expect(unescapeName("U__my_2e_label")).toBe("my.label");
    expect(unescapeName("U__a__b")).toBe("a_b");
    expect(unescapeName("U__bad_zz_")).toBe("U__bad_zz_");
    expect(rec("/metrics/job/a/U__my_2e_label/v")).toEqual({ job: "a", "my.label": "v" });
  });

  it("rejects bad paths with the Pushgateway's messages", () => {
    expect(err("/metrics/job/")).toBe("job name is required");
    expect(err("/metrics/job@base64/=")).toBe("job name is required");
    expect(err("/metrics/job/a/b")).toBe('odd number of components in label string "/b"');
    expect(err("/metrics/job/a/x/1/y")).toBe('odd number of components in label string "/x/1/y"');
    expect(err("/metrics/job/a/__x/1")).toBe('improper label name "__x"');
    expect(err("/metrics/job/a/1x/1")).toBe('improper label name "1x"');
    expect(err("/metrics/job/a/path@base64/a*b")).toBe('invalid base64 encoding for label path="a*b": illegal base64 data at input byte 1');
    expect(err("/metrics/job@base64/a!")).toMatch(/^invalid base64 encoding in job name "a!": illegal base64 data/);
    expect(err("/metrics/job/a/x/1/x/2")).toBe('label "x" appears more than once in the grouping key');
    expect(err("/metrics/job/a/job/b")).toBe('label "job" appears more than once in the grouping key');
    expect(err("/metrics/job/a/x//y/z")).toMatch(/empty value for label "x".*x@base64\/=/);
    expect(err("/metrics/instance/a")).toMatch(/expected a path \/metrics\/job\/<JOB>/);
    expect(err("/metrics/job/a/x/%E0%A4%A")).toMatch(/invalid percent-encoding/);
  });

  it("builds paths that parse back to the same key", () => {
    for (const p of [
      "/metrics/job/a",
      "/metrics/job/directory_cleaner/path@base64/L3Zhci90bXA",
      "/metrics/job/example/first_label@base64/=/second_label/foobar",
      "/metrics/job@base64/L3Zhci90bXA/instance/h%3A1",
    ]) {
      const k = parseGroupingKeyPath(p);
      expect(parseGroupingKeyPath(groupingKeyPath(k))).toEqual(k);
    }
  });
});
