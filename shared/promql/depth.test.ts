import { describe, it, expect } from "vitest";
import { parseExpr } from "./parser.ts";
import { checkEvalDepth, MAX_EVAL_DEPTH } from "./depth.ts";
import { Engine } from "./engine.ts";
import { MemoryStorage } from "../tsdb/memory.ts";
import { EvalError } from "./value.ts";

const chain = (n: number, term: string, op: string) => Array(n).fill(term).join(op);

describe("evaluation depth", () => {
  it("takes operator chains up to MAX_EVAL_DEPTH levels", async () => {
    expect(MAX_EVAL_DEPTH).toBe(1000);
    expect(() => checkEvalDepth(parseExpr(chain(1000, "1", "+")))).not.toThrow();
    const r = await new Engine().instant(new MemoryStorage(), chain(1000, "1", "+"), 1000);
    expect(r.value).toMatchObject({ type: "scalar", v: 1000 });
  });

  it("refuses deeper trees with bad_data before evaluating (3,000 terms overflowed the stack)", async () => {
    const err = (() => {
      try {
        checkEvalDepth(parseExpr(chain(3000, "1", "+")));
      } catch (e) {
        return e as EvalError;
      }
    })();
    expect(err).toBeInstanceOf(EvalError);
    expect(err!.errorType).toBe("bad_data");
    expect(err!.message).toMatch(/^query too deeply nested to evaluate: more than 1000 levels/);
    await expect(new Engine().instant(new MemoryStorage(), chain(10_000, "up", " or "), 1000)).rejects.toThrow(/too deeply nested/);
    // Nesting and chains add up.
    expect(() => checkEvalDepth(parseExpr("abs(".repeat(200) + chain(900, "up", " + ") + ")".repeat(200)))).toThrow(/more than 1000 levels/);
  });
});
