// Expected outputs follow Go's text/template documentation and the cases in
// Go's exec_test.go / parse_test.go (behaviour, not code).
import { describe, expect, it } from "vitest";
import { Template, TemplateExecError, TemplateParseError, sprintf, stringMap, variadic } from "./index.ts";

class T {
  True = true;
  I = 17n;
  X = "x";
  FloatZero = 0.0;
  U = { V: "v" };
  MSI: Record<string, number | bigint> = { one: 1n, two: 2n, three: 3n };
  SI = [3n, 4n, 5n];
  Empty: unknown[] = [];
  Method0(): string {
    return "M0";
  }
  Method1(a: bigint): string {
    return `Method1: ${a}`;
  }
  MyError(fail: boolean): boolean {
    if (fail) throw new Error("myError");
    return true;
  }
}

function run(text: string, data: unknown = new T(), setup?: (t: Template) => void): string {
  const t = new Template("test");
  setup?.(t);
  return t.parse(text).execute(data);
}

const cases: [string, string, string][] = [
  ["empty", "", ""],
  ["text", "some text", "some text"],
  ["dot int", "{{.I}}", "17"],
  ["field chain", "{{.U.V}}", "v"],
  ["map key", "{{.MSI.one}}", "1"],
  ["missing map key", "{{.MSI.nope}}", "<no value>"],
  ["method", "{{.Method0}}", "M0"],
  ["method arg", "{{.Method1 1234}}", "Method1: 1234"],
  ["method pipeline", "{{1234 | .Method1}}", "Method1: 1234"],
  ["variable", "{{$x := 3}}{{$x}}", "3"],
  ["assign", "{{$x := 1}}{{$x = 2}}{{$x}}", "2"],
  ["dollar", "{{$.I}}", "17"],
  ["trim", "a  {{- 3 -}}  b", "a3b"],
  ["trim newlines", "a\n\t{{- 3 -}}\n\tb", "a3b"],
  ["negative number not trim", "{{-3}}", "-3"],
  ["comment", "a{{/* c */}}b", "ab"],
  ["trim comment", "a {{- /* c */ -}} b", "ab"],
  ["if true", "{{if true}}T{{else}}F{{end}}", "T"],
  ["if empty slice", "{{if .Empty}}T{{else}}F{{end}}", "F"],
  ["if zero float", "{{if .FloatZero}}T{{else}}F{{end}}", "F"],
  ["else if", "{{if false}}A{{else if true}}B{{else}}C{{end}}", "B"],
  ["else if else", "{{if false}}A{{else if false}}B{{else}}C{{end}}", "C"],
  ["with", "{{with .U}}{{.V}}{{end}}", "v"],
  ["with else", "{{with .Empty}}X{{else}}E{{end}}", "E"],
  ["else with", "{{with .Empty}}X{{else with .X}}{{.}}{{end}}", "x"],
  ["range slice", "{{range .SI}}<{{.}}>{{end}}", "<3><4><5>"],
  ["range index", "{{range $i, $v := .SI}}{{$i}}={{$v}} {{end}}", "0=3 1=4 2=5 "],
  ["range map sorted", "{{range $k, $v := .MSI}}{{$k}}={{$v}} {{end}}", "one=1 three=3 two=2 "],
  ["range else", "{{range .Empty}}X{{else}}none{{end}}", "none"],
  ["range break", "{{range .SI}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}", "3"],
  ["range continue", "{{range .SI}}{{if eq . 4}}{{continue}}{{end}}{{.}}{{end}}", "35"],
  ["range int", "{{range 3}}{{.}}{{end}}", "012"],
  ["range $ scope", "{{range .SI}}{{$.X}}{{end}}", "xxx"],
  ["range assign", "{{$x := 0}}{{range $x = .SI}}{{end}}{{$x}}", "5"],
  ["define template", '{{define "a"}}A{{.}}{{end}}{{template "a" 1}}', "A1"],
  ["template no pipe", '{{define "a"}}[{{.}}]{{end}}{{template "a"}}', "[<no value>]"],
  ["block", '{{block "b" .X}}<{{.}}>{{end}}', "<x>"],
  ["parens", "{{(1)}}", "1"],
  ["chain on paren", "{{(.U).V}}", "v"],
  ["pipeline", '{{"x" | printf "%s-%s" "y"}}', "y-x"],
  ["and", "{{and 1 0 2}}", "0"],
  ["and all", "{{and 1 2}}", "2"],
  ["or", '{{or 0 "" "z"}}', "z"],
  ["or short circuit", "{{or true .MyError true}}", "true"],
  ["not", "{{not 0}}", "true"],
  ["len string bytes", '{{len "héllo"}}', "6"],
  ["len slice", "{{len .SI}}", "3"],
  ["len map", "{{len .MSI}}", "3"],
  ["index slice", "{{index .SI 1}}", "4"],
  ["index map", '{{index .MSI "two"}}', "2"],
  ["index map missing", '{{index .MSI "x"}}', "<nil>"],
  ["slice", "{{slice .SI 1 2}}", "[4]"],
  ["slice string", '{{slice "abcd" 1 3}}', "bc"],
  ["print", '{{print 1 2 "a" "b" 3}}', "1 2ab3"],
  ["println", "{{println 1 2}}", "1 2\n"],
  ["print slice", "{{.SI}}", "[3 4 5]"],
  ["print map", "{{.MSI}}", "map[one:1 three:3 two:2]"],
  ["print float", "{{1.5}} {{1e6}} {{0.0001}} {{1234567.0}}", "1.5 1e+06 0.0001 1.234567e+06"],
  ["print nil", "{{print nil}}", "<nil>"],
  ["eq", '{{eq 1 1}} {{eq "a" "b"}} {{eq 1 2 3 1}}', "true false true"],
  ["ne", "{{ne 1 2}}", "true"],
  ["lt le gt ge", "{{lt 1 2}} {{le 2 2}} {{gt 1.5 2.5}} {{ge \"b\" \"a\"}}", "true true false true"],
  ["html", '{{html "<a href=\\"x\\">&\'"}}', "&lt;a href=&#34;x&#34;&gt;&amp;&#39;"],
  ["js", "{{js \"a'b\\\"c<d>=&\\n\"}}", "a\\'b\\\"c\\u003Cd\\u003E\\u003D\\u0026\\u000A"],
  ["urlquery", '{{urlquery "a b&c=d/é"}}', "a+b%26c%3Dd%2F%C3%A9"],
  ["raw string", "{{`a\\nb`}}", "a\\nb"],
  ["char", "{{'a'}}", "97"],
  ["hex", "{{0x1F}}", "31"],
  ["bool", "{{true}}", "true"],
  ["call", "{{call .F 2}}", "4"],
  ["variable field", "{{$u := .U}}{{$u.V}}", "v"],
  ["nested define dot", '{{define "row"}}{{range .}}{{.}},{{end}}{{end}}{{template "row" .SI}}', "3,4,5,"],
  ["if scope", "{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}", "21"],
  ["if assign outer", "{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "2"],
];

describe("text/template execution", () => {
  for (const [name, text, want] of cases) {
    it(name, () => {
      const data = Object.assign(new T(), { F: (x: bigint) => x * 2n });
      expect(run(text, data)).toBe(want);
    });
  }

  it("missingkey=zero reads '' from string maps and <nil> from others", () => {
    const data = { labels: stringMap({ a: "1" }), other: { a: 1n } };
    expect(run("[{{.labels.b}}][{{.other.b}}]", data, (t) => t.option("missingkey=zero"))).toBe("[][<nil>]");
    expect(run("[{{.labels.b}}]", data)).toBe("[<no value>]");
  });

  it("named slice and map types with methods (as Alertmanager's Alerts and KV)", () => {
    class Alerts extends Array<{ Status: string; Name: string }> {
      Firing(): Alerts {
        return Alerts.from(this.filter((a) => a.Status === "firing")) as Alerts;
      }
    }
    class KV {
      [k: string]: unknown;
      constructor(rec: Record<string, string>) {
        Object.assign(this, rec);
        stringMap(this as unknown as Record<string, string>);
      }
      Names(): string[] {
        return Object.keys(this).sort();
      }
    }
    const data = {
      Alerts: Alerts.from([{ Status: "firing", Name: "a" }, { Status: "resolved", Name: "b" }, { Status: "firing", Name: "c" }]) as Alerts,
      CommonLabels: new KV({ job: "api", env: "prod" }),
    };
    const text = "{{ len .Alerts.Firing }} firing:{{ range .Alerts.Firing }} {{ .Name }}{{ end }}; {{ .CommonLabels.job }}[{{ .CommonLabels.nope }}] {{ .CommonLabels.Names }} {{ range $k, $v := .CommonLabels }}{{ $k }}={{ $v }},{{ end }}{{ if gt (len .Alerts.Firing) 0 }} yes{{ end }}";
    expect(run(text, data, (t) => t.option("missingkey=zero"))).toBe("2 firing: a c; api[] [env job] env=prod,job=api, yes");
    expect(() => run("{{ .Alerts.map }}", data)).toThrow("can't evaluate field map");
  });

  it("missingkey=error fails", () => {
    expect(() => run("{{.a.b}}", { a: {} }, (t) => t.option("missingkey=error"))).toThrow('map has no entry for key "b"');
  });

  it("functions from the func map, with arity checks", () => {
    const setup = (t: Template): void => {
      t.funcs({ upper: (s: string) => s.toUpperCase(), join: variadic((sep: string, ...p: string[]) => p.join(sep)) });
    };
    expect(run('{{"a" | upper}} {{join "-" "x" "y"}}', {}, setup)).toBe("A x-y");
    expect(() => run("{{upper}}", {}, setup)).toThrow("wrong number of args for upper: want 1 got 0");
    expect(() => run('{{upper "a" "b"}}', {}, setup)).toThrow("wrong number of args for upper: want 1 got 2");
  });

  it("function errors are wrapped as Go does", () => {
    expect(() => run("{{.MyError true}}")).toThrow(TemplateExecError);
    expect(() => run("{{.MyError true}}")).toThrow('template: test:1:2: executing "test" at <.MyError>: error calling MyError: myError');
  });

  it("comparison type errors", () => {
    expect(() => run("{{lt 1.5 2}}")).toThrow("error calling lt: incompatible types for comparison");
    expect(() => run("{{eq .SI 1}}")).toThrow("incompatible types for comparison");
    expect(() => run("{{lt true false}}")).toThrow("error calling lt: invalid type for comparison");
  });

  it("exec errors name the field and type", () => {
    expect(() => run("{{.Nope}}")).toThrow('template: test:1:2: executing "test" at <.Nope>: can\'t evaluate field Nope in type template.T');
    expect(() => run("{{.X.Y}}")).toThrow("can't evaluate field Y in type string");
    expect(() => run("{{index .SI 10}}")).toThrow("error calling index: index out of range: 10");
    expect(() => run('{{template "nope"}}')).toThrow('template "nope" not defined');
    expect(() => run("{{.I 1}}")).toThrow("I has arguments but cannot be invoked as function");
    expect(() => run("{{1 2}}")).toThrow("can't give argument to non-function 1");
  });

  it("exec error positions count lines and columns", () => {
    expect(() => run("line1\nab {{.Nope}}")).toThrow('template: test:2:5: executing "test" at <.Nope>');
  });

  it("parse errors", () => {
    const bad: [string, string][] = [
      ["{{if true}}", "template: test:1: unexpected EOF"],
      ["{{end}}", "template: test:1: unexpected {{end}}"],
      ["{{nope 1}}", 'template: test:1: function "nope" not defined'],
      ["{{$x}}", 'template: test:1: undefined variable "$x"'],
      ["{{.X", "template: test:1: unclosed action"],
      ["{{break}}", "template: test:1: {{break}} outside {{range}}"],
      ['{{"abc}}', "template: test:1: unterminated quoted string"],
      ["{{(1}}", "unclosed left paren"],
      ["{{}}", "template: test:1: missing value for command"],
      ["{{.X | 1}}", "non executable command in pipeline stage 2"],
      ['{{template .X}}', 'unexpected ".X" in template clause'],
      ["a\n{{if}}", "template: test:2: missing value for if"],
    ];
    for (const [text, msg] of bad) {
      expect(() => new Template("test").parse(text), text).toThrow(TemplateParseError);
      expect(() => new Template("test").parse(text), text).toThrow(msg);
    }
  });

  it("associated templates, lookup, clone and executeTemplate", () => {
    const base = new Template("base").parse('{{define "greet"}}hello {{.}}{{end}}');
    const a = base.clone().parse('{{define "greet"}}hi {{.}}{{end}}');
    expect(base.executeTemplate("greet", "x")).toBe("hello x");
    expect(a.executeTemplate("greet", "x")).toBe("hi x");
    expect(base.new("use").parse('{{template "greet" "y"}}!').execute(null)).toBe("hello y!");
    expect(base.lookup("greet")).toBeDefined();
    expect(base.definedTemplates()).toContain('"greet"');
    expect(() => base.executeTemplate("nope", 1)).toThrow('template: no template "nope" associated with template "base"');
  });

  it("an empty template body does not replace a defined one", () => {
    const t = new Template("t").parse("body");
    t.parse('{{define "x"}}X{{end}}');
    expect(t.execute(null)).toBe("body");
  });
});

describe("printf (Go fmt verbs)", () => {
  const f: [string, unknown[], string][] = [
    ["%s", ["a"], "a"],
    ["%d", [42n], "42"],
    ["%5d|%-5d|%05d", [42n, 42n, -42n], "   42|42   |-0042"],
    ["%+d", [5n], "+5"],
    ["%x %X %o %b %#x", [255n, 255n, 8n, 5n, 255n], "ff FF 10 101 0xff"],
    ["%f", [3.14159], "3.141590"],
    ["%.2f", [3.14159], "3.14"],
    ["%.2f", [0.125], "0.12"],
    ["%.2f", [0.375], "0.38"],
    ["%.0f", [2.5], "2"],
    ["%8.3f|", [3.14159], "   3.142|"],
    ["%e", [123456.789], "1.234568e+05"],
    ["%.2e", [0.000123], "1.23e-04"],
    ["%g", [0.000012345], "1.2345e-05"],
    ["%g", [100000.0], "100000"],
    ["%g", [1e21], "1e+21"],
    ["%.3g", [1234.5678], "1.23e+03"],
    ["%.3g", [1.0], "1"],
    ["%v", [1.5], "1.5"],
    ["%v", [[1n, "a"]], "[1 a]"],
    ["%q", ["a\"b\n"], '"a\\"b\\n"'],
    ["%x", ["hi"], "6869"],
    ["%t", [true], "true"],
    ["%c", [65n], "A"],
    ["%5s|%-5s|", ["ab", "ab"], "   ab|ab   |"],
    ["%.2s", ["abcdef"], "ab"],
    ["%%", [], "%"],
    ["%d", ["x"], "%!d(string=x)"],
    ["%d", [1.5], "%!d(float64=1.5)"],
    ["%s", [1n], "%!s(int=1)"],
    ["%f", [1n], "%!f(int=1)"],
    ["%d", [], "%!d(MISSING)"],
    ["%d", [1n, 2n], "1%!(EXTRA int=2)"],
    ["%s", [null], "%!s(<nil>)"],
    ["%v", [null], "<nil>"],
    ["%f", [Infinity], "+Inf"],
    ["%v", [NaN], "NaN"],
    ["%.1f", [-0.05], "-0.1"],
    ["%*d", [4n, 7n], "   7"],
    ["%T", [1.5], "float64"],
    ["%.2f", [1e22], "10000000000000000000000.00"],
  ];
  for (const [format, args, want] of f) {
    it(`${format} ${args.map(String).join(",")}`, () => expect(sprintf(format, args)).toBe(want));
  }
});
