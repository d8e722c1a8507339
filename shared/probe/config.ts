/**
 * @module
 * blackbox.yml: `modules:` by name, each with `prober`, `timeout` and one
 * section per prober kind, decoded strictly (unknown fields, wrong types,
 * bad regexes are `file:line` errors). What Workers cannot do is refused
 * with a message saying why, rather than ignored.
 */
import { YamlFile, YamlStruct, mapPairs } from "../config/yaml-reader.ts";
import { PROBERS, UNSUPPORTED_PROBERS } from "./registry.ts";

export interface ProbeModule {
  name: string;
  prober: string;
  /** 0: the scrape's timeout decides (as blackbox_exporter). */
  timeoutMs: number;
  /** Parsed section per prober kind (blackbox_exporter fills every section with defaults). */
  sections: Readonly<Record<string, unknown>>;
  /** The module's YAML as written, for debug output. */
  source: string;
}

export interface BlackboxConfig {
  modules: ReadonlyMap<string, ProbeModule>;
}

const MODULE_FIELDS = ["prober", "timeout", ...Object.keys(PROBERS), ...Object.keys(UNSUPPORTED_PROBERS)];

export function parseBlackboxConfig(text: string, filename: string): BlackboxConfig {
  const file = new YamlFile(text, filename);
  const root = new YamlStruct(file, file.root, "config.Config", ["modules"]);
  const modules = new Map<string, ProbeModule>();
  for (const [key, node] of mapPairs(file, root.value("modules"), "map[string]config.Module")) {
    const s = new YamlStruct(file, node, "config.Module", MODULE_FIELDS, file.line(key.node));
    const prober = s.string("prober");
    const why = UNSUPPORTED_PROBERS[prober];
    if (why !== undefined) throw s.error("prober", `prober "${prober}" is not supported on Cloudflare Workers: ${why}`);
    if (PROBERS[prober] === undefined) {
      throw s.error("prober", `unknown prober "${prober}" (module ${key.text}); known: ${Object.keys(PROBERS).join(", ")}`);
    }
    for (const [section, reason] of Object.entries(UNSUPPORTED_PROBERS)) {
      if (s.has(section)) throw s.error(section, `${section} is not supported on Cloudflare Workers: ${reason}`);
    }
    const sections: Record<string, unknown> = {};
    for (const [name, kind] of Object.entries(PROBERS)) {
      sections[name] = kind.parse(s.struct(name, kind.typeName, kind.fields), s.has(name));
    }
    const range = node?.range;
    modules.set(key.text, {
      name: key.text,
      prober,
      timeoutMs: s.duration("timeout", 0),
      sections,
      source: range ? dedent(text.slice(text.lastIndexOf("\n", range[0]) + 1, range[1])) : "",
    });
  }
  return { modules };
}

/** The module's lines without their common indentation. */
function dedent(block: string): string {
  const lines = block.replace(/\s+$/, "").split("\n");
  const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join("\n") + "\n";
}
