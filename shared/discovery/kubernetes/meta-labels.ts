/**
 * @module
 * Label helpers shared by every role: the `__meta_kubernetes_` prefix,
 * Prometheus's label-name sanitizing, and an object's name, labels and
 * annotations as meta labels (with their `…present_` companions).
 */
import type { ObjectMeta } from "./objects.ts";

export const META = "__meta_kubernetes_";
export const NAMESPACE_LABEL = META + "namespace";
const PRESENT = "true";

/** Prometheus's strutil.SanitizeLabelName: every character outside [a-zA-Z0-9_] becomes `_`. */
export function sanitizeLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, "_");
}

/** Labels and annotations of an object as `<prefix>label_…`, `labelpresent_…`, `annotation_…`, `annotationpresent_…`. */
export function addLabelsAndAnnotations(out: Record<string, string>, meta: ObjectMeta, kind: string): void {
  const p = META + kind;
  for (const [k, v] of Object.entries(meta.labels ?? {})) {
    const ln = sanitizeLabelName(k);
    out[`${p}_label_${ln}`] = v;
    out[`${p}_labelpresent_${ln}`] = PRESENT;
  }
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    const ln = sanitizeLabelName(k);
    out[`${p}_annotation_${ln}`] = v;
    out[`${p}_annotationpresent_${ln}`] = PRESENT;
  }
}

/** The object's name plus its labels and annotations (Prometheus's addObjectMetaLabels). */
export function addObjectMetaLabels(out: Record<string, string>, meta: ObjectMeta, kind: string): void {
  out[`${META}${kind}_name`] = meta.name;
  addLabelsAndAnnotations(out, meta, kind);
}
