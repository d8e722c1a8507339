import { describe, it, expect } from "vitest";
import { capText, capQuotedRuns, quoteCapped } from "./cap-text.ts";

describe("capped quotes in error messages", () => {
  it("leaves short text alone and cuts long text with a count", () => {
    expect(capText("abc")).toBe("abc");
    expect(capText("x".repeat(150))).toBe("x".repeat(100) + "... (50 more characters)");
    expect(quoteCapped("y".repeat(101))).toBe(`"${"y".repeat(100)}"... (1 more characters)`);
  });

  it("cuts every long quoted run, keeping the message's shape", () => {
    const long = "a".repeat(5000);
    expect(capQuotedRuns(`unexpected identifier "${long}" at "x"`)).toBe(`unexpected identifier "${"a".repeat(100)}"... (4900 more characters) at "x"`);
    expect(capQuotedRuns('short "quoted" message')).toBe('short "quoted" message');
  });

  it("cuts Go's raw-quoted runs too", () => {
    expect(capQuotedRuns("missing ): `" + "a".repeat(300) + "`")).toBe("missing ): `" + "a".repeat(100) + "`... (200 more characters)");
  });

  it("never ends a cut run inside an escape sequence", () => {
    const run = "a".repeat(99) + "\\\\" + "b".repeat(50);
    expect(capQuotedRuns(`bad "${run}"`)).toBe(`bad "${"a".repeat(99)}"... (52 more characters)`);
  });

  it("caps an unquoted message at ten quotes' worth", () => {
    expect(capQuotedRuns("z".repeat(5000)).length).toBeLessThan(1100);
  });
});
