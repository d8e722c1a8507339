import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Matcher } from "../labels/matcher.ts";
import type { Expr } from "./ast.ts";
import { exprType } from "./ast.ts";
import { FUNCTIONS } from "./functions-registry.ts";
import { ParseError } from "./parse-error.ts";
import { parseExpr } from "./parser.ts";
import { exprToString } from "./printer.ts";
import { PROMQL_TESTDATA } from "../../test/fixtures/paths.ts";

/** The tree without positions, matchers as strings (sorted: their order carries no meaning). */
function strip(v: unknown): unknown {
  if (v instanceof Matcher) return v.toString();
  if (Array.isArray(v)) {
    const items = v.map(strip);
    return v.length > 0 && v[0] instanceof Matcher ? (items as string[]).sort() : items;
  }
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== "pos") out[k] = strip(x);
    return out;
  }
  return v;
}

function parseFail(q: string): ParseError {
  try {
    parseExpr(q);
  } catch (e) {
    expect(e).toBeInstanceOf(ParseError);
    return e as ParseError;
  }
  throw new Error(`expected ${q} to fail`);
}

const vs = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: "VectorSelector",
  name,
  matchers: [`__name__="${name}"`],
  offset: 0,
  ...extra,
});
const num = (val: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ type: "NumberLiteral", val, ...extra });
const fn = (name: string) => strip(FUNCTIONS.get(name));

describe("parseExpr: trees", () => {
  const cases: Array<[string, unknown]> = [
    ["1", num(1)],
    ["0x1f", num(31)],
    ["010", num(8)],
    ["09", num(9)],
    ["1.", num(1)],
    ["1e3", num(1000)],
    [".5", num(0.5)],
    ["Inf", num(Infinity)],
    ["-inf", num(-Infinity)],
    ["NaN", num(NaN)],
    ["-1", num(-1)],
    ["5m", num(300, { duration: true })],
    ["1h30m", num(5400, { duration: true })],
    ['"a\\nb"', { type: "StringLiteral", val: "a\nb" }],
    ["'it\\'s'", { type: "StringLiteral", val: "it's" }],
    ["`raw\\n`", { type: "StringLiteral", val: "raw\\n" }],
    ['"\\u00e9\\x41\\101"', { type: "StringLiteral", val: "éAA" }],
    ["foo", vs("foo")],
    ["foo:bar:rate5m", vs("foo:bar:rate5m")],
    ["sum", vs("sum")],
    ["foo # a comment\n", vs("foo")],
    [
      'foo{a="b", c!="d", e=~"f.*", g!~"h",}',
      vs("foo", { matchers: ['__name__="foo"', 'a="b"', 'c!="d"', 'e=~"f.*"', 'g!~"h"'] }),
    ],
    ['{"my.metric", "a.b"="c"}', { type: "VectorSelector", matchers: ['"a.b"="c"', '__name__="my.metric"'], offset: 0 }],
    [
      '{__name__=~"x|y"}',
      { type: "VectorSelector", matchers: ['__name__=~"x|y"'], offset: 0 },
    ],
    ['foo{on="x", by="y"}', vs("foo", { matchers: ['__name__="foo"', 'by="y"', 'on="x"'] })],
    ['foo{nan="x", Inf="y"}', vs("foo", { matchers: ['Inf="y"', '__name__="foo"', 'nan="x"'] })],
    ["foo offset 5m", vs("foo", { offset: 300000 })],
    ["foo offset -5m", vs("foo", { offset: -300000 })],
    ["foo @ 100", vs("foo", { timestamp: 100000 })],
    ["foo @ 1.5 offset 1s", vs("foo", { timestamp: 1500, offset: 1000 })],
    ["foo @ 3.3335", vs("foo", { timestamp: 3334 })],
    ["foo @ -3.3335", vs("foo", { timestamp: -3334 })],
    ["foo @ 0xA", vs("foo", { timestamp: 10000 })],
    ["foo @ 0", vs("foo", { timestamp: 0 })],
    ["foo offset 1s @ -2", vs("foo", { timestamp: -2000, offset: 1000 })],
    ["foo @ start()", vs("foo", { startOrEnd: "start" })],
    ["foo @ end()", vs("foo", { startOrEnd: "end" })],
    ["foo[5m]", { type: "MatrixSelector", vectorSelector: vs("foo"), range: 300000 }],
    ["foo[1800]", { type: "MatrixSelector", vectorSelector: vs("foo"), range: 1800000 }],
    [
      "foo[5m] offset 1m @ 10",
      { type: "MatrixSelector", vectorSelector: vs("foo", { offset: 60000, timestamp: 10000 }), range: 300000 },
    ],
    ["foo[5m] anchored", { type: "MatrixSelector", vectorSelector: vs("foo", { anchored: true }), range: 300000 }],
    ["foo smoothed", vs("foo", { smoothed: true })],
    [
      "foo[5m:1m]",
      { type: "SubqueryExpr", expr: vs("foo"), range: 300000, step: 60000, offset: 0 },
    ],
    [
      "foo[5m:] offset 1m @ end()",
      { type: "SubqueryExpr", expr: vs("foo"), range: 300000, step: 0, offset: 60000, startOrEnd: "end" },
    ],
    [
      "foo[2m*15]",
      {
        type: "MatrixSelector",
        vectorSelector: vs("foo"),
        range: 1800000,
        rangeExpr: { type: "DurationExpr", op: "*", lhs: num(120, { duration: true }), rhs: num(15), wrapped: false },
      },
    ],
    [
      "foo[step()]",
      { type: "MatrixSelector", vectorSelector: vs("foo"), range: 0, rangeExpr: { type: "DurationExpr", op: "step", wrapped: false } },
    ],
    [
      "foo offset (1m+1m)",
      vs("foo", {
        offset: 120000,
        offsetExpr: { type: "DurationExpr", op: "+", lhs: num(60, { duration: true }), rhs: num(60, { duration: true }), wrapped: true },
      }),
    ],
    [
      "foo offset -step()",
      vs("foo", { offset: 0, offsetExpr: { type: "DurationExpr", op: "-", rhs: { type: "DurationExpr", op: "step", wrapped: false }, wrapped: false } }),
    ],
    [
      "foo offset 100 + 2",
      { type: "BinaryExpr", op: "+", lhs: vs("foo", { offset: 100000 }), rhs: num(2), returnBool: false },
    ],
    [
      "1 + 2 * 3",
      { type: "BinaryExpr", op: "+", lhs: num(1), rhs: { type: "BinaryExpr", op: "*", lhs: num(2), rhs: num(3), returnBool: false }, returnBool: false },
    ],
    [
      "2 ^ 3 ^ 2",
      { type: "BinaryExpr", op: "^", lhs: num(2), rhs: { type: "BinaryExpr", op: "^", lhs: num(3), rhs: num(2), returnBool: false }, returnBool: false },
    ],
    [
      "-2 ^ 2",
      { type: "UnaryExpr", op: "-", expr: { type: "BinaryExpr", op: "^", lhs: num(2), rhs: num(2), returnBool: false } },
    ],
    [
      "1 - 2 - 3",
      { type: "BinaryExpr", op: "-", lhs: { type: "BinaryExpr", op: "-", lhs: num(1), rhs: num(2), returnBool: false }, rhs: num(3), returnBool: false },
    ],
    ["-foo", { type: "UnaryExpr", op: "-", expr: vs("foo") }],
    [
      "a or b and c",
      {
        type: "BinaryExpr",
        op: "or",
        lhs: vs("a"),
        rhs: {
          type: "BinaryExpr",
          op: "and",
          lhs: vs("b"),
          rhs: vs("c"),
          returnBool: false,
          matching: { card: "many-to-many", matchingLabels: [], on: false, include: [] },
        },
        returnBool: false,
        matching: { card: "many-to-many", matchingLabels: [], on: false, include: [] },
      },
    ],
    [
      "a > bool 1",
      { type: "BinaryExpr", op: ">", lhs: vs("a"), rhs: num(1), returnBool: true },
    ],
    [
      "a * on(x, y) group_left(z) b",
      {
        type: "BinaryExpr",
        op: "*",
        lhs: vs("a"),
        rhs: vs("b"),
        returnBool: false,
        matching: { card: "many-to-one", matchingLabels: ["x", "y"], on: true, include: ["z"] },
      },
    ],
    [
      "a / ignoring(x) group_right b",
      {
        type: "BinaryExpr",
        op: "/",
        lhs: vs("a"),
        rhs: vs("b"),
        returnBool: false,
        matching: { card: "one-to-many", matchingLabels: ["x"], on: false, include: [] },
      },
    ],
    [
      "a + fill_left(5) fill_right(-7) b",
      {
        type: "BinaryExpr",
        op: "+",
        lhs: vs("a"),
        rhs: vs("b"),
        returnBool: false,
        matching: { card: "one-to-one", matchingLabels: [], on: false, include: [], fillValues: { lhs: 5, rhs: -7 } },
      },
    ],
    [
      "a ATAN2 b",
      {
        type: "BinaryExpr",
        op: "atan2",
        lhs: vs("a"),
        rhs: vs("b"),
        returnBool: false,
        matching: { card: "one-to-one", matchingLabels: [], on: false, include: [] },
      },
    ],
    [
      "sum by (job) (x)",
      { type: "AggregateExpr", op: "sum", expr: vs("x"), grouping: ["job"], without: false },
    ],
    [
      "SUM(x) without (a, \"b.c\")",
      { type: "AggregateExpr", op: "sum", expr: vs("x"), grouping: ["a", "b.c"], without: true },
    ],
    [
      "topk(3, x)",
      { type: "AggregateExpr", op: "topk", expr: vs("x"), param: num(3), grouping: [], without: false },
    ],
    [
      'count_values("v", x)',
      { type: "AggregateExpr", op: "count_values", expr: vs("x"), param: { type: "StringLiteral", val: "v" }, grouping: [], without: false },
    ],
    ["rate(x[5m])", { type: "Call", func: fn("rate"), args: [{ type: "MatrixSelector", vectorSelector: vs("x"), range: 300000 }] }],
    ["time()", { type: "Call", func: fn("time"), args: [] }],
    ["round(x)", { type: "Call", func: fn("round"), args: [vs("x")] }],
    ["(1)", { type: "ParenExpr", expr: num(1) }],
  ];
  for (const [q, want] of cases) {
    it(q, () => expect(strip(parseExpr(q))).toEqual(want));
  }
});

describe("parseExpr: accepted syntax round-trips", () => {
  it.each([
    'info(a, {x=~".*"})',
    "step",
    'offset{step="1s"}[5m]',
    'anchored{job="test"}',
    '{"bar", __name__="baz"}',
    "{'foo\\'bar', 'a\\\\dos\\\\path'='boo\\\\urns'}",
    "foo * sum",
    "start + end",
    "sum by (on, by, offset, bool) (x)",
    'x{group_left="a", offset="b"}',
    "x # trailing comment",
    "1 + -2",
    "2 ^ -1",
    "time() - 5m",
    "x @ 100s",
    "rate(x[5m] @ end())",
    "x offset 5m @ start()",
    "foo and on() bar",
    "a * on(x) group_left (y) b",
    "sum(rate(x[5m:30s] offset -1m))[1h:]",
    'count_values by (a) ("v", x)',
    "quantile(0.9, x)",
    "limitk(2, x)",
    "limit_ratio(0.5, x)",
    "histogram_quantiles(x, \"q\", 0.1, 0.5, 0.9)",
    "label_join(x, \"a\", \",\", \"b\", \"c\", \"d\")",
    "day_of_week()",
    "foo[-10s+15s]",
    "foo[  -  step  (  )  ]",
    "foo offset -min_of(5s,step()+8s)",
    "foo[4s+4s:1s*2] offset (5s-8)",
    "foo offset -(1^2)",
    "foo[0+-2^2]",
    "foo offset -1^1",
    "h >/ on(l) g",
    "-(x)",
    "+x",
    "x\n  +\n  y",
  ])("%s", (q) => {
    const ast = parseExpr(q);
    expect(strip(parseExpr(exprToString(ast)))).toEqual(strip(ast));
  });
});

describe("parseExpr: positions", () => {
  it("records byte ranges on every node", () => {
    const e = parseExpr("sum by (a) (rate(foo{x='y'}[5m] offset 1m)) + 1");
    expect(e.pos).toEqual({ start: 0, end: 47 });
    if (e.type !== "BinaryExpr") throw new Error("not binary");
    expect(e.lhs.pos).toEqual({ start: 0, end: 43 });
    expect(e.rhs.pos).toEqual({ start: 46, end: 47 });
    if (e.lhs.type !== "AggregateExpr" || e.lhs.expr.type !== "Call") throw new Error("shape");
    const call = e.lhs.expr;
    expect(call.pos).toEqual({ start: 12, end: 42 });
    expect(call.args[0]!.pos).toEqual({ start: 17, end: 41 });
    if (call.args[0]!.type !== "MatrixSelector") throw new Error("shape");
    expect(call.args[0]!.vectorSelector.pos).toEqual({ start: 17, end: 27 });
  });

  it("covers the sign in folded negative literals", () => {
    expect(parseExpr("  -1").pos).toEqual({ start: 2, end: 4 });
  });
});

describe("parseExpr: errors", () => {
  const cases: Array<[string, string, number, number]> = [
    ["", "no expression found in input", 0, 0],
    ["1 +", "unexpected end of input", 3, 3],
    ["foo bar", 'unexpected identifier "bar"', 4, 7],
    ["a = b", 'unexpected "="', 2, 3],
    ["a + on b", 'unexpected identifier "b" in grouping opts, expected "("', 7, 8],
    ["a + on(x) group_left(y z) b", 'unexpected identifier "z" in grouping opts, expected "," or ")"', 23, 24],
    ['{a=="b"}', 'unexpected "=" in label matching, expected string', 3, 4],
    ["sum(x", "unclosed left parenthesis", 5, 5],
    ["x)", "unexpected right parenthesis ')'", 2, 2],
    ["(1))", "unexpected right parenthesis ')'", 4, 4],
    ["((1)", "unclosed left parenthesis", 4, 4],
    [".", "unexpected character: '.'", 0, 1],
    ["1" + "0".repeat(400), `error parsing number: strconv.ParseFloat: parsing "1${"0".repeat(400)}": value out of range`, 0, 401],
    ["0deadbeef", 'bad number or duration syntax: "0de"', 0, 9],
    ["*1", "unexpected <op:*>", 0, 1],
    ["@@", "unexpected <op:@>", 0, 1],
    ["a - on(b) ignoring(c) d", "unexpected <ignoring>", 10, 18],
    ["-test[5m]", 'unary expression only allowed on expressions of type scalar or instant vector, got "range vector"', 0, 9],
    ["1 !~ 1", "unexpected character after '!': '~'", 2, 6],
    ["# just a comment\n\n", "no expression found in input", 0, 0],
    ["foo{a=\"b\"", "unexpected end of input inside braces", 9, 9],
    ["foo[5m", "unclosed left bracket", 6, 6],
    ["foo $", "unexpected character: '$'", 4, 5],
    ["foo{a=1}", "unexpected character inside braces: '1'", 6, 8],
    ["foo{a}", 'unexpected "}" in label matching, expected label matching operator', 5, 6],
    ['"abc', "unterminated quoted string", 0, 4],
    ["1 == 1", "comparisons between scalars must use BOOL modifier", 2, 3],
    ["a + bool b", "bool modifier can only be used on comparison operators", 2, 7],
    ["foo + bool 10", "bool modifier can only be used on comparison operators", 4, 9],
    ['http_requests{group="production"} + on(instance) group_left(job,instance) cpu_count{type="smp"}', 'label "instance" must not occur in ON and GROUP clause at once', 34, 72],
    ["foo @ -Inf", "timestamp out of bounds for @ modifier: -Inf", 0, 3],
    ["foo @ NaN", "timestamp out of bounds for @ modifier: NaN", 0, 3],
    ["foo @ 9223372036854775808", "timestamp out of bounds for @ modifier: 9223372036854775808.000000", 0, 3],
    ["1 and a", 'set operator "and" not allowed in binary scalar expression', 0, 7],
    ["a and on(x) group_left b", 'no grouping allowed for "and" operation', 0, 24],
    ["1 + on(x) a", "vector matching only allowed between instant vectors", 0, 11],
    ["a * on(x) group_left(x) b", 'label "x" must not occur in ON and GROUP clause at once', 2, 22],
    ["a[5m] + 1", "binary expression must contain only scalar and instant vector types", 0, 5],
    ["(a)[5m]", "ranges only allowed for vector selectors", 3, 7],
    ["a offset 1m [5m]", "no offset modifiers allowed before range", 12, 16],
    ["a[5m][10m:]", "subquery is only allowed on instant vector, got matrix instead", 0, 11],
    ["sum(a) offset 1m", "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery", 0, 6],
    ["a offset 1m offset 2m", "offset may not be set multiple times", 0, 11],
    ["a @ 1 @ 2", "@ <timestamp> may not be set multiple times", 0, 5],
    ["a @ Inf", "timestamp out of bounds for @ modifier: +Inf", 0, 1],
    ["a @ foo", 'unexpected identifier "foo" in @, expected timestamp', 4, 7],
    ["a offset foo", 'unexpected identifier "foo" in offset, expected number, duration, step(), or range()', 9, 12],
    ["a[foo]", "unexpected character: 'f', expected ':'", 2, 6],
    ["foo[5s x 5s]", "unexpected character: 'x', expected ':'", 7, 12],
    ["1[5m] smoothed", "ranges only allowed for vector selectors", 1, 5],
    ["sum(", "unclosed left parenthesis", 4, 4],
    ["foo[]", 'unexpected "]" in subquery or range selector, expected number, duration, step(), or range()', 4, 5],
    ['foo["5m"]', `unexpected character in duration expression: '"'`, 4, 9],
    ["foo[0m]", "duration must be greater than 0", 4, 6],
    ["foo[-1]", "duration must be greater than 0", 4, 6],
    ["foo[5m:0s]", "duration must be greater than 0", 7, 9],
    ["some_metric[5m] OFFSET", "unexpected end of input in offset, expected number, duration, step(), or range()", 22, 22],
    ["some_metric[5m] @", "unexpected end of input in @, expected timestamp", 17, 17],
    ["some_metric @ 1234 [5m]", "no @ modifiers allowed before range", 19, 23],
    ["some_metric offset step()[5m]", "no offset modifiers allowed before range", 25, 29],
    ["(foo + bar)[5m]", "ranges only allowed for vector selectors", 11, 15],
    ['sum by ("foo)(some_metric{})', "unterminated quoted string", 8, 28],
    ["sum without(==)(some_metric)", "unexpected <op:==> in grouping opts, expected label", 12, 14],
    ["sum without(foo,,)(some_metric)", 'unexpected "," in grouping opts, expected label', 16, 17],
    ["sum some_metric by (test)", 'unexpected identifier "some_metric"', 4, 15],
    ["sum (some_metric) by test", 'unexpected identifier "test" in grouping opts, expected "("', 21, 25],
    ["sum () by (test)", "no arguments for aggregate expression provided", 0, 16],
    ["sum (some_metric) without (test) by (test)", "unexpected <by>", 33, 35],
    ["a[5m 1m]", 'unexpected duration "1m" in subquery or range selector, expected ":" or "]"', 5, 7],
    ["a[5m:,]", 'unexpected "," in subquery selector, expected number, duration, step(), or range() or "]"', 5, 6],
    ["a[5m:1m 2]", 'unexpected number "2" in subquery selector, expected "]"', 8, 9],
    ["a[-5m]", "duration must be greater than 0", 2, 5],
    ["sum 1", 'unexpected number "1"', 4, 5],
    ["sum by 1 (a)", 'unexpected number "1" in grouping opts, expected "("', 7, 8],
    ["sum by (a b) (a)", 'unexpected identifier "b" in grouping opts, expected "," or ")"', 10, 11],
    ["sum by (1) (a)", 'unexpected number "1" in grouping opts, expected label', 8, 9],
    ["sum without (a) 1", 'unexpected number "1" in aggregation', 16, 17],
    ["(1 2)", 'unexpected number "2"', 3, 4],
    ["rate(a[1m] 2)", 'unexpected number "2"', 11, 12],
    ["1 + fill(0) a", "filling in missing series only allowed between instant vectors", 0, 13],
    ["a or fill(0) b", "filling in missing series not allowed for set operators", 0, 14],
    ["a[1m] anchored smoothed", "anchored and smoothed modifiers cannot be used together", 0, 14],
    ["a[1m:] anchored", "anchored modifier is not supported for subqueries", 0, 6],
    ["sum(a) smoothed", "smoothed modifier not implemented", 0, 6],
    ["info(a, b)", "expected label selectors only, got vector selector instead", 8, 9],
    ["info(a, sum(b))", "expected label selectors only", 8, 14],
    ["rate(a[5m]) offset 1m", "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery", 0, 11],
    ["rate(a)", 'expected type range vector in call to function "rate", got instant vector', 5, 6],
    ["rate(a[5m], 1)", 'expected 1 argument(s) in call to "rate", got 2', 0, 14],
    ["label_join(a)", 'expected at least 3 argument(s) in call to "label_join", got 1', 0, 13],
    ["round(a, 1, 2)", 'expected at most 2 argument(s) in call to "round", got 3', 0, 14],
    ["rate(a[5m],)", "trailing commas not allowed in function call args", 10, 11],
    ["nosuch(a)", 'unknown function with name "nosuch"', 0, 6],
    ["topk(a)", "wrong number of arguments for aggregate expression provided, expected 2, got 1", 0, 7],
    ["sum(1)", "expected type instant vector in aggregation expression, got scalar", 4, 5],
    ["topk(a, b)", "expected type scalar in aggregation parameter, got instant vector", 5, 6],
    ["{}", "vector selector must contain at least one non-empty matcher", 0, 2],
    ['{x!="a"}', "vector selector must contain at least one non-empty matcher", 0, 8],
    ["foo{gibberish}", 'unexpected "}" in label matching, expected label matching operator', 13, 14],
    ["foo{,}", 'unexpected "," in label matching, expected identifier or "}"', 4, 5],
    ['foo{__name__="bar" lol}', 'unexpected identifier "lol" in label matching, expected "," or "}"', 19, 22],
    ["some_metric{a=b}", 'unexpected identifier "b" in label matching, expected string', 14, 15],
    ['foo{a>="b"}', "unexpected character inside braces: '>'", 5, 11],
    ["foo[5mm]", 'bad number or duration syntax: "5mm"', 4, 8],
    ["foo[5m1]", 'bad number or duration syntax: "5m1"', 4, 8],
    ["some}", "unexpected character: '}'", 4, 5],
    ["some{", "unexpected end of input inside braces", 5, 5],
    ['{a=~".*"}', "vector selector must contain at least one non-empty matcher", 0, 9],
    ['foo{__name__="bar"}', 'metric name must not be set twice: "foo" or "bar"', 0, 19],
    ['foo{"bar"}', 'metric name must not be set twice: "foo" or "bar"', 0, 10],
    ["a[5m/0]", "division by zero", 4, 5],
    ["foo[step()/0d]", "division by zero", 10, 11],
    ["foo[5s%0d]", "modulo by zero", 6, 7],
    ["foo offset (4d/0)", "division by zero", 14, 15],
    ["foo offset 9.5e10", "duration out of range", 11, 17],
    ["foo[step]", 'unexpected "]" in subquery or range selector, expected number, duration, step(), or range()', 8, 9],
    ["a[1.5h]", 'not a valid duration string: "1.5h"', 2, 6],
    ["1a", 'bad number or duration syntax: "1"', 0, 2],
    ["sum by (a) (x) by (b)", "unexpected <by>", 15, 17],
    ["rate(x) +", "unexpected end of input", 9, 9],
    ["sum(1) foo", 'unexpected identifier "foo"', 7, 10],
    ['info(a, {x=~".*"}) + {}', "vector selector must contain at least one non-empty matcher", 21, 23],
    ["{} + rate(x)", "vector selector must contain at least one non-empty matcher", 0, 2],
    ["-'a'", 'unary expression only allowed on expressions of type scalar or instant vector, got "string"', 0, 4],
  ];
  for (const [q, msg, start, end] of cases) {
    it(JSON.stringify(q), () => {
      const err = parseFail(q);
      expect(err.detail).toBe(msg);
      expect(err.positionRange).toEqual({ start, end });
    });
  }

  it("rejects absurd nesting with a ParseError instead of overflowing the stack", () => {
    for (const q of ["(".repeat(5000) + "1" + ")".repeat(5000), "-".repeat(5000) + "1", "x offset " + "-".repeat(5000) + "1s", "2" + "^2".repeat(5000)]) {
      expect(parseFail(q).detail).toBe("expression nesting too deep (more than 256 levels)");
    }
    expect(() => parseExpr("(".repeat(200) + "1" + ")".repeat(200))).not.toThrow();
  });

  it("handles operator chains as long as the query (no recursion per operand)", () => {
    const q = Array.from({ length: 50_000 }, (_, i) => (i === 7 ? "x" : "1")).join(" + ");
    const e = parseExpr(q);
    expect(exprType(e)).toBe("vector");
    expect(exprToString(e)).toBe(q);
  });

  it("reports an empty query at an unknown position", () => {
    expect(parseFail("").message).toBe("unknown position: parse error: no expression found in input");
  });

  it("counts columns in UTF-8 bytes, as Prometheus does, while offsets index the JS string", () => {
    const err = parseFail('"é" $');
    expect(err.positionRange.start).toBe(4);
    expect(err.message).toBe("1:6: parse error: unexpected character: '$'");
  });

  it("renders line:col from the offset", () => {
    expect(parseFail("foo +\n  bar baz").message).toBe('2:7: parse error: unexpected identifier "baz"');
  });
});

describe("exprType", () => {
  it.each([
    ["1", "scalar"],
    ['"s"', "string"],
    ["x", "vector"],
    ["x[1m]", "matrix"],
    ["x[1m:]", "matrix"],
    ["1 + 1", "scalar"],
    ["1 + x", "vector"],
    ["scalar(x)", "scalar"],
    ["-(x)", "vector"],
  ])("%s is %s", (q, t) => expect(exprType(parseExpr(q) as Expr)).toBe(t));
});

describe("staleness", () => {
  it("keeps NaN payloads of literals in object fields", () => {
    const e = parseExpr("NaN");
    expect(e.type === "NumberLiteral" && Number.isNaN(e.val)).toBe(true);
  });
});

const DIR = PROMQL_TESTDATA;
const INSTANT = /^eval(?:_(?:fail|warn|ordered|info))?\s+instant\s+(?:at\s+(?:.+?))?\s+(.+)$/;
const RANGE = /^eval(?:_(?:fail|warn|info))?\s+range\s+from\s+(?:.+)\s+to\s+(?:.+)\s+step\s+(?:.+?)\s+(.+)$/;

function corpusQueries(): Array<{ where: string; query: string }> {
  const out: Array<{ where: string; query: string }> = [];
  for (const file of readdirSync(DIR).filter((f) => f.endsWith(".test")).sort()) {
    readFileSync(join(DIR, file), "utf8")
      .split("\n")
      .forEach((raw, i) => {
        const m = INSTANT.exec(raw.trim()) ?? RANGE.exec(raw.trim());
        if (m !== null) out.push({ where: `${file}:${i + 1}`, query: m[1]! });
      });
  }
  return out;
}

describe("Prometheus PromQL corpus", () => {
  const queries = corpusQueries();

  it("finds every eval query", () => {
    expect(queries.length).toBeGreaterThan(1700);
  });

  it("parses every eval query and round-trips it through the printer", () => {
    const failures: string[] = [];
    for (const { where, query } of queries) {
      try {
        const ast = parseExpr(query);
        const printed = exprToString(ast);
        const again = parseExpr(printed);
        expect(strip(again), `printed as ${printed}`).toEqual(strip(ast));
        expect(exprToString(again)).toBe(printed);
      } catch (e) {
        failures.push(`${where}: ${query}\n    ${(e as Error).message.split("\n")[0]}`);
      }
    }
    expect(failures, `${queries.length - failures.length}/${queries.length} round-tripped`).toEqual([]);
  });
});
