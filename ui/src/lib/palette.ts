/**
 * @module
 * The UI's two colour themes, the one source of its colours (applied as CSS
 * variables), and the WCAG 2 contrast maths the unit test checks them with.
 */

export interface Palette {
  bg: string;
  surface: string;
  fg: string;
  muted: string;
  border: string;
  accent: string;
  /** Text on an accent-coloured button. */
  onAccent: string;
  ok: string;
  warn: string;
  danger: string;
  /** Syntax colours in the PromQL editor. */
  code: { keyword: string; function: string; string: string; number: string; label: string; comment: string; operator: string };
  /** Graph series colours (non-text graphics: WCAG asks 3:1 against the background). */
  series: string[];
}

export const themes: Record<"light" | "dark", Palette> = {
  light: {
    bg: "#ffffff",
    surface: "#f3f4f6",
    fg: "#1f2328",
    muted: "#57606a",
    border: "#7d8590",
    accent: "#0b5cad",
    onAccent: "#ffffff",
    ok: "#116329",
    warn: "#8a4600",
    danger: "#b3261e",
    code: { keyword: "#8a2be2", function: "#0b5cad", string: "#0a6b38", number: "#9a3412", label: "#7c3aed", comment: "#57606a", operator: "#b3261e" },
    series: ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#c2185b", "#7f7f7f", "#8a7d00", "#0e7c86", "#c25400"],
  },
  dark: {
    bg: "#0d1117",
    surface: "#161b22",
    fg: "#e6edf3",
    muted: "#9da7b3",
    border: "#6e7681",
    accent: "#58a6ff",
    onAccent: "#0d1117",
    ok: "#3fb950",
    warn: "#d29922",
    danger: "#ff7b72",
    code: { keyword: "#d2a8ff", function: "#79c0ff", string: "#a5d6ff", number: "#ffa657", label: "#7ee787", comment: "#9da7b3", operator: "#ff7b72" },
    series: ["#58a6ff", "#ff7b72", "#3fb950", "#d2a8ff", "#ffa657", "#f778ba", "#a5d6ff", "#e3b341", "#56d4dd", "#c9d1d9"],
  },
};

function channel(c: number): number {
  const s = c / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

/** WCAG relative luminance of `#rrggbb`. */
export function luminance(hex: string): number {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  const [r, g, b] = [m[1]!, m[2]!, m[3]!].map((x) => channel(parseInt(x, 16)));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** WCAG contrast ratio between two colours, 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** Every (foreground, background, minimum ratio, what) pair the UI draws. */
export function contrastPairs(p: Palette): [string, string, number, string][] {
  const text: [string, string][] = [["fg", p.fg], ["muted", p.muted], ["accent", p.accent], ["ok", p.ok], ["warn", p.warn], ["danger", p.danger]];
  const pairs: [string, string, number, string][] = [];
  for (const bg of [["bg", p.bg], ["surface", p.surface]] as const) {
    for (const [name, c] of text) pairs.push([c, bg[1], 4.5, `${name} on ${bg[0]}`]);
    for (const [name, c] of Object.entries(p.code)) pairs.push([c, bg[1], 4.5, `code.${name} on ${bg[0]}`]);
    pairs.push([p.border, bg[1], 3, `border on ${bg[0]}`]);
  }
  pairs.push([p.onAccent, p.accent, 4.5, "onAccent on accent"]);
  p.series.forEach((c, i) => pairs.push([c, p.bg, 3, `series[${i}] on bg`]));
  return pairs;
}
