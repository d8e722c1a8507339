/**
 * @module
 * The grouping key in a push URL: `/metrics/job/<JOB>{/<LABEL>/<VALUE>}`.
 * Segments are percent-decoded; a name suffixed `@base64` marks its value as
 * base64url (padding optional, a lone `=` encodes the empty value); a name
 * starting `U__` is a UTF-8 name in Prometheus's value-encoding escape.
 * Error messages follow the Pushgateway's.
 */
import type { Label, Labels } from "../labels/labels.ts";
import { isLegacyLabelName } from "../labels/labels.ts";
import { ApiError } from "../api/errors.ts";

export interface GroupingKey {
  job: string;
  /** Sorted by name, including `job`. Unlike ordinary Labels it may hold empty values, which the Pushgateway keeps. */
  labels: Labels;
}

const BASE64_SUFFIX = "@base64";
const PREFIX = "/metrics/";

/** Parses the path of a push or delete request. Throws ApiError (400) when it is not a valid grouping key. */
export function parseGroupingKeyPath(path: string): GroupingKey {
  if (!path.startsWith(PREFIX)) throw new ApiError("bad_data", `expected a path /metrics/job/<JOB>{/<LABEL>/<VALUE>}, got ${JSON.stringify(path)}`);
  const segs = path.slice(PREFIX.length).split("/");
  if (segs.length > 1 && segs[segs.length - 1] === "") segs.pop(); // a trailing slash
  const head = segs[0];
  if (head !== "job" && head !== "job" + BASE64_SUFFIX) {
    throw new ApiError("bad_data", `expected a path /metrics/job/<JOB>{/<LABEL>/<VALUE>}, got ${JSON.stringify(path)}`);
  }
  let job = segs.length > 1 ? percentDecode(segs[1]!) : "";
  if (head !== "job") {
    try {
      job = decodeBase64Url(job);
    } catch (e) {
      throw new ApiError("bad_data", `invalid base64 encoding in job name ${JSON.stringify(job)}: ${(e as Error).message}`);
    }
  }
  if (job === "") throw new ApiError("bad_data", "job name is required");

  const rest = segs.slice(2);
  if (rest.length % 2 !== 0) throw new ApiError("bad_data", `odd number of components in label string ${JSON.stringify("/" + rest.join("/"))}`);
  const labels: Label[] = [{ name: "job", value: job }];
  for (let i = 0; i < rest.length; i += 2) {
    const rawName = percentDecode(rest[i]!);
    const rawValue = percentDecode(rest[i + 1]!);
    const b64 = rawName.endsWith(BASE64_SUFFIX);
    const trimmed = b64 ? rawName.slice(0, -BASE64_SUFFIX.length) : rawName;
    const name = unescapeName(trimmed);
    const valid = name === trimmed ? isLegacyLabelName(name) : name !== "";
    if (!valid || name.startsWith("__")) throw new ApiError("bad_data", `improper label name ${JSON.stringify(trimmed)}`);
    let value = rawValue;
    if (b64) {
      try {
        value = decodeBase64Url(rawValue);
      } catch (e) {
        throw new ApiError("bad_data", `invalid base64 encoding for label ${name}=${JSON.stringify(rawValue)}: ${(e as Error).message}`);
      }
    } else if (value === "") {
      throw new ApiError("bad_data", `empty value for label ${JSON.stringify(name)} in the path: encode it as ${trimmed}${BASE64_SUFFIX}/=`);
    }
    if (labels.some((l) => l.name === name)) throw new ApiError("bad_data", `label ${JSON.stringify(name)} appears more than once in the grouping key`);
    labels.push({ name, value });
  }
  labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { job, labels };
}

function percentDecode(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    throw new ApiError("bad_data", `invalid percent-encoding in path segment ${JSON.stringify(seg)}`);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** RFC 4648 §5 (URL and filename safe) with optional `=` padding, as the Pushgateway decodes it. */
export function decodeBase64Url(s: string): string {
  const body = s.replace(/=+$/, "");
  const bad = body.search(/[^A-Za-z0-9_-]/);
  if (bad >= 0) throw new Error(`illegal base64 data at input byte ${bad}`);
  if (body.length % 4 === 1) throw new Error(`illegal base64 data at input byte ${body.length - 1}`);
  const bin = atob(body.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new Error("decoded value is not valid UTF-8");
  }
}

/** base64url without padding, except `=` for the empty string so the path keeps a segment. */
export function encodeBase64Url(s: string): string {
  if (s === "") return "=";
  let bin = "";
  for (const b of new TextEncoder().encode(s)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Prometheus's value-encoding unescape: `U__` then `__` for `_` and `_<hex>_`
 * for any code point. Returns the input unchanged when it is not a valid escape.
 */
export function unescapeName(name: string): string {
  if (!name.startsWith("U__") || name.length === 3) return name;
  let out = "";
  const s = name.slice(3);
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "_") {
      if (s[i + 1] === "_") {
        out += "_";
        i++;
        continue;
      }
      const end = s.indexOf("_", i + 1);
      if (end < 0) return name;
      const hex = s.slice(i + 1, end);
      if (!/^[0-9a-fA-F]+$/.test(hex)) return name;
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return name;
      out += String.fromCodePoint(cp);
      i = end;
    } else if (/[a-zA-Z0-9:]/.test(c)) {
      out += c;
    } else {
      return name;
    }
  }
  return out;
}

/** The path for a grouping key, base64-encoding values that need it; the inverse of parseGroupingKeyPath. */
export function groupingKeyPath(key: GroupingKey): string {
  const seg = (name: string, value: string) =>
    value === "" || value.includes("/") ? `${name}${BASE64_SUFFIX}/${encodeBase64Url(value)}` : `${name}/${encodeURIComponent(value)}`;
  let path = "/metrics/" + seg("job", key.job);
  for (const l of key.labels) if (l.name !== "job") path += "/" + seg(l.name, l.value);
  return path;
}
