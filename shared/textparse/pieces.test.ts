import { describe, it, expect } from "vitest";
import { lastTypeLine } from "./pieces.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

describe("lastTypeLine", () => {
  it("finds the last TYPE line, blanks after # allowed, and adds a missing newline", () => {
    expect(dec(lastTypeLine(enc("# TYPE a gauge\na 1\n#  TYPE h histogram\nh_bucket{le=\"1\"} 1\n")))).toBe("#  TYPE h histogram\n");
    expect(dec(lastTypeLine(enc("a 1\n#\tTYPE s summary")))).toBe("#\tTYPE s summary\n");
    expect(dec(lastTypeLine(enc("# TYPE x counter\n")))).toBe("# TYPE x counter\n");
  });

  it("ignores HELP, comments and samples", () => {
    expect(lastTypeLine(enc("# HELP a TYPE\n# TYPEX a\na 1\n"))).toBeUndefined();
    expect(lastTypeLine(enc(""))).toBeUndefined();
  });
});
