/**
 * @module
 * Light and dark themes: the palette (lib/palette.ts) becomes CSS variables
 * on <html>; the choice follows the system until the user picks one.
 */
import { themes } from "./lib/palette.ts";
import type { Palette } from "./lib/palette.ts";

const KEY = "pyrometer.theme";
export type ThemeName = keyof typeof themes;

export function currentTheme(): ThemeName {
  const saved = localStorage.getItem(KEY);
  if (saved === "light" || saved === "dark") return saved;
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export function palette(): Palette {
  return themes[currentTheme()];
}

const listeners = new Set<() => void>();
export function onThemeChange(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

export function applyTheme(name: ThemeName = currentTheme()): void {
  const p = themes[name];
  const root = document.documentElement;
  root.dataset.theme = name;
  root.style.colorScheme = name;
  for (const [k, v] of Object.entries(p)) {
    if (typeof v === "string") root.style.setProperty(`--${k}`, v);
  }
  for (const [k, v] of Object.entries(p.code)) root.style.setProperty(`--code-${k}`, v);
}

export function toggleTheme(): void {
  const next = currentTheme() === "dark" ? "light" : "dark";
  localStorage.setItem(KEY, next);
  applyTheme(next);
  for (const f of listeners) f();
}
