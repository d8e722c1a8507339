/**
 * @module
 * The deepest expression the evaluator takes. Operator chains (`1+1+…`,
 * `a or b or …`) parse and print without recursion, but their tree is as
 * deep as they are long and the evaluator walks trees recursively: 3,000
 * levels overflowed a Worker's stack (a 500), 1,000 stay well inside it.
 * Prometheus (Go, growing stacks) has no such limit; a deeper query is
 * refused with bad_data before evaluation starts.
 */
import type { Expr } from "./ast.ts";
import { children } from "./ast.ts";
import { EvalError } from "./value.ts";

export const MAX_EVAL_DEPTH = 1000;

/** Throws EvalError (bad_data) when `root` is deeper than `max`; walks without recursion. */
export function checkEvalDepth(root: Expr, max = MAX_EVAL_DEPTH): void {
  const stack: [Expr, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [e, depth] = stack.pop()!;
    if (depth > max) {
      throw new EvalError(
        `query too deeply nested to evaluate: more than ${max} levels of operators, functions and parentheses (at characters ${e.pos.start}-${e.pos.end}); split long chains like a + b + … into parts`,
        "bad_data",
      );
    }
    for (const c of children(e)) stack.push([c, depth + 1]);
  }
}
