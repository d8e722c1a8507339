// Same rule files into Debian's `promtool check rules` and Pyrometer's rule
// file validation (what `npm run check-config` runs on each rule file): the
// same accept/reject verdict, and for template errors the same message.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureCommand } from "../support/apt.ts";
import { parseAndValidateRuleFile } from "../../shared/rules/load.ts";

const rule = (body: string) => `groups:\n  - name: g\n    rules:\n${body}`;

// `{{else with}}` (Go 1.23) is left out: Debian's promtool is built with an older Go that rejects it.
const CASES: Record<string, string> = {
  "valid recording and alerting": rule("      - record: job:up:sum\n        expr: sum by (job) (up)\n      - alert: Down\n        expr: up == 0\n        for: 5m\n        labels: {severity: page}\n        annotations: {summary: '{{ $labels.instance }} is {{ $value | humanize }}'}\n"),
  "valid template with query and range": rule("      - alert: A\n        expr: up == 0\n        annotations:\n          d: '{{ range query \"up\" }}{{ .Labels.instance }}{{ end }}{{ with $externalLabels }}{{ . }}{{ end }}'\n"),
  "valid define/template": rule("      - alert: A\n        expr: up == 0\n        annotations:\n          d: '{{ define \"x\" }}X{{ end }}{{ template \"x\" }}'\n"),
  "unknown template function": rule("      - alert: A\n        expr: up == 0\n        labels: {sev: '{{ nope }}'}\n"),
  "stray brace": rule("      - alert: A\n        expr: up == 0\n        annotations: {s: '{{ humanize }'}\n"),
  "template: stray end": rule("      - alert: A\n        expr: up == 0\n        annotations:\n          s: \"{{ end }}\"\n"),
  "template: stray else": rule("      - alert: A\n        expr: up == 0\n        annotations:\n          s: \"x{{ else }}y\"\n"),
  "template: range without pipeline": rule("      - alert: A\n        expr: up == 0\n        annotations:\n          s: \"{{ range }}{{ end }}\"\n"),
  "template: assign undeclared": rule("      - alert: A\n        expr: up == 0\n        annotations:\n          s: \"{{ $x = 1 }}\"\n"),
  "template: template without name": rule("      - alert: A\n        expr: up == 0\n        annotations:\n          s: \"{{ template }}\"\n"),
  "template: unclosed paren": rule("      - alert: A\n        expr: up == 0\n        annotations:\n          s: \"{{ (1 }}\"\n"),
  "template: unterminated string": rule("      - alert: A\n        expr: up == 0\n        annotations:\n          s: \"{{ \"abc }}\"\n"),
  "template: number in pipeline stage": rule("      - alert: A\n        expr: up == 0\n        annotations:\n          s: \"{{ 1 | 2 }}\"\n"),
  "template: empty pipeline stage": rule("      - alert: A\n        expr: up == 0\n        annotations:\n          s: \"{{ $value | }}\"\n"),
  "template: break outside range": rule("      - alert: A\n        expr: up == 0\n        annotations:\n          s: \"{{ break }}\"\n"),
  "template: bad number": rule("      - alert: A\n        expr: up == 0\n        annotations:\n          s: \"{{ 1x }}\"\n"),
  "template: else if chain ok": rule("      - alert: A\n        expr: up == 0\n        annotations:\n          s: \"{{ if eq 1 2 }}a{{ else if eq 1 1 }}b{{ else }}c{{ end }}\"\n"),
  "template: unclosed comment": rule("      - alert: A\n        expr: up == 0\n        annotations:\n          s: \"{{/* x }}\"\n"),
  "template: field on number": rule("      - alert: A\n        expr: up == 0\n        annotations:\n          s: \"{{ 1.Foo }}\"\n"),
  "template: double declare ok": rule("      - alert: A\n        expr: up == 0\n        annotations:\n          s: \"{{ $a := 1 }}{{ $a := 2 }}{{ $a }}\"\n"),
  "unclosed action": rule("      - alert: A\n        expr: up == 0\n        annotations: {s: '{{ $value '}\n"),
  "undefined variable": rule("      - alert: A\n        expr: up == 0\n        annotations: {s: '{{ $nope }}'}\n"),
  "missing end": rule("      - alert: A\n        expr: up == 0\n        annotations: {s: '{{ if true }}x'}\n"),
  "bad expression": rule("      - record: x\n        expr: sum(\n"),
  "record and alert": rule("      - record: x\n        alert: y\n        expr: up\n"),
  "annotations on recording rule": rule("      - record: x\n        expr: up\n        annotations: {a: b}\n"),
  "invalid record name": rule("      - record: 'bad name'\n        expr: up\n"),
  "invalid label name": rule("      - alert: A\n        expr: up\n        labels: {'bad-name': x}\n"),
  "duplicate group": "groups:\n  - name: g\n    rules: []\n  - name: g\n    rules: []\n",
  "empty group name": "groups:\n  - name: ''\n    rules: []\n",
  "for on recording rule": rule("      - record: x\n        expr: up\n        for: 1m\n"),
  "unknown field": rule("      - record: x\n        expr: up\n        bogus: 1\n"),
};

describe("rule file validation matches promtool check rules", () => {
  const promtool = ensureCommand("promtool", "prometheus");
  const dir = mkdtempSync(join(tmpdir(), "pyrometer-check-rules-"));
  for (const [name, text] of Object.entries(CASES)) {
    it(name, () => {
      const f = join(dir, `${name.replace(/\W+/g, "_")}.yml`);
      writeFileSync(f, text);
      const r = spawnSync(promtool, ["check", "rules", f], { encoding: "utf8" });
      let ours: string | undefined;
      try {
        parseAndValidateRuleFile(text, f);
      } catch (e) {
        ours = (e as Error).message;
      }
      expect(ours === undefined, `promtool: ${r.stdout}${r.stderr}\nours: ${ours}`).toBe(r.status === 0);
      // Template errors: promtool's message, which we prefix with file:line.
      const tmplErr = /(label|annotation) "[^"]+": template: .*/.exec(r.stderr + r.stdout);
      if (tmplErr) expect(ours).toContain(tmplErr[0]);
    });
  }
});

describe("npm run check-config checks rule templates", () => {
  it("fails on a rule file whose annotation template does not parse", () => {
    const dir = mkdtempSync(join(tmpdir(), "pyrometer-check-config-rules-"));
    writeFileSync(join(dir, "prometheus.yml"), "rule_files: ['r.yml']\n");
    writeFileSync(join(dir, "r.yml"), rule("      - alert: A\n        expr: up == 0\n        annotations: {s: '{{ humanize }'}\n"));
    const script = join(import.meta.dirname, "../../scripts/check-config.ts");
    const r = spawnSync(process.execPath, [script, join(dir, "prometheus.yml")], { encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`  FAILED:\n${join(dir, "r.yml")}:6: group "g", rule 1, "A": annotation "s": template: __alert_A:1: unexpected "}" in operand`);
  });
});
