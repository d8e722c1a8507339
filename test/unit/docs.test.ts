/** The docs stay true to the code in what a test can check. */
import { describe, it, expect } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { SECRET_SETTINGS } from "../../scripts/lib/settings.ts";

const root = resolve(import.meta.dirname, "../..");
const docs = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const text = (f: string) => readFileSync(join(root, f), "utf8");

describe("docs", () => {
  it("name no absolute path of a particular machine", () => {
    for (const f of docs) expect(text(f), f).not.toMatch(/(^|[\s`(])\/(work|home|Users|root)\//m);
  });

  it("have no section twice (a stale copy next to the new one)", () => {
    for (const f of docs) {
      const headings = text(f).split("\n").filter((l) => /^#{1,4} /.test(l));
      expect(headings.filter((h, i) => headings.indexOf(h) !== i), f).toEqual([]);
    }
  });

  it("README documents every secret npm start takes from the environment, and workers/env.ts declares it", () => {
    const readme = text("README.md");
    const env = text("workers/env.ts");
    for (const k of SECRET_SETTINGS) {
      expect(readme, k).toContain(`| \`${k}\` |`);
      expect(env, k).toContain(`${k}?: string;`);
    }
  });

  it("README says how long npm test takes", () => {
    expect(text("README.md")).toMatch(/`npm test` takes about \d+–\d+ minutes/);
  });
});
