import { readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { ensureUiBuilt } from "./scripts/build-ui.ts";

// wrangler.toml serves ui/dist as assets: build it once here, before any project starts a Worker.
ensureUiBuilt();

// Three projects: pure modules in Node, Worker code inside workerd, and
// end-to-end tests that start the real Worker with `wrangler dev`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["shared/**/*.test.ts", "test/unit/**/*.test.ts"],
          exclude: ["**/*.case.test.ts"],
          environment: "node",
          testTimeout: 60_000,
        },
      },
      {
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                TEST_MIGRATIONS: await readD1Migrations("./migrations"),
                SCRAPE_AUTOSTART: "false",
                ALERTMANAGER_CONFIG: readFileSync("./test/workers/alertmanager.yml", "utf8"),
              },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          setupFiles: ["./test/workers/apply-migrations.ts"],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
