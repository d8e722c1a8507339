/**
 * @module
 * Debian's chromium, driven by playwright-core (which downloads no browser),
 * headless with a fresh profile and no background network traffic.
 */
import { chromium } from "playwright-core";
import type { BrowserContext, Page } from "playwright-core";
import { ensureCommand } from "./apt.ts";

export const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Launches chromium with `profileDir` as its fresh --user-data-dir; page errors are collected in `errors`. */
export async function launchChromium(profileDir: string, errors: string[] = []): Promise<{ ctx: BrowserContext; page: Page }> {
  const executablePath = ensureCommand("chromium", "chromium");
  const ctx = await chromium.launchPersistentContext(profileDir, {
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 800 },
    colorScheme: "light",
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  page.on("pageerror", (e) => errors.push(e.message));
  return { ctx, page };
}
