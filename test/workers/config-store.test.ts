import { describe, it, expect } from "vitest";
import { env, runInDurableObject } from "cloudflare:test";
import { ConfigStore } from "../../workers/config/store.ts";

const cfg = (job: string) => `scrape_configs:\n  - job_name: ${job}\n    static_configs: [{targets: ["127.0.0.1:1"]}]\n`;

describe("ConfigStore", () => {
  it("follows a new PROMETHEUS_CONFIG (a deploy with a new secret); an invalid one keeps the old config", async () => {
    const stub = env.CONFIG.get(env.CONFIG.idFromName("follow-the-secret"));
    await runInDurableObject(stub, async (_instance, state) => {
      // The same object's storage, seen by successive deployments' environments.
      const first = await new ConfigStore(state, { ...env, PROMETHEUS_CONFIG: cfg("a") }).current();
      expect(first).toMatchObject({ text: cfg("a"), lastReloadSuccessful: true });
      const second = await new ConfigStore(state, { ...env, PROMETHEUS_CONFIG: cfg("b") }).current();
      expect(second).toMatchObject({ text: cfg("b"), lastReloadSuccessful: true });
      expect(second.hash).not.toBe(first.hash);
      // Unchanged source: the same state, no reload.
      expect((await new ConfigStore(state, { ...env, PROMETHEUS_CONFIG: cfg("b") }).current()).lastSuccessMs).toBe(second.lastSuccessMs);
      const bad = await new ConfigStore(state, { ...env, PROMETHEUS_CONFIG: "scrape_configs:\n  - job_nam: x\n" }).current();
      expect(bad).toMatchObject({ text: cfg("b"), hash: second.hash, lastReloadSuccessful: false });
      expect(bad.lastError).toMatch(/prometheus\.yml:2: field job_nam not found/);
    });
  });

  it("refuses an invalid config when there is none to keep", async () => {
    const stub = env.CONFIG.get(env.CONFIG.idFromName("nothing-to-keep"));
    await runInDurableObject(stub, async (_instance, state) => {
      await expect(new ConfigStore(state, { ...env, PROMETHEUS_CONFIG: "global: [" }).current()).rejects.toThrow(/prometheus\.yml/);
    });
  });
});
