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

const CASES: Record<string, string> = {
  "valid recording and alerting": rule("      - record: job:up:sum\n        expr: sum by (job) (up)\n      - alert: Down\n        expr: up == 0\n        for: 5m\n        labels: {severity: page}\n        annotations: {summary: '{{ $labels.instance }} is {{ $value | humanize }}'}\n"),
  "valid template with query and range": rule("      - alert: A\n        expr: up == 0\n        annotations:\n          d: '{{ range query \"up\" }}{{ .Labels.instance }}{{ end }}{{ with $externalLabels }}{{ . }}{{ end }}'\n"),
  "valid define/template": rule("      - alert: A\n        expr: up == 0\n        annotations:\n          d: '{{ define \"x\" }}X{{ end }}{{ template \"x\" }}'\n"),
  "unknown template function": rule("      - alert: A\n        expr: up == 0\n        labels: {sev: '{{ nope }}'}\n"),
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
