/**
 * @module
 * The objects discovery knows, per resource: replaced by a list, changed by
 * watch events. Namespaced objects are keyed `namespace/name`, cluster-scoped
 * ones by name, as client-go's MetaNamespaceKeyFunc does.
 */
import type { KubeObject } from "./objects.ts";
import type { ObjectCache, Resource } from "./roles.ts";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

function key(namespace: string | undefined, name: string): string {
  return namespace === undefined || namespace === "" ? name : `${namespace}/${name}`;
}

export class ObjectStore implements ObjectCache {
  readonly #objects = new Map<Resource, Map<string, KubeObject>>();

  #of(resource: Resource): Map<string, KubeObject> {
    let m = this.#objects.get(resource);
    if (m === undefined) this.#objects.set(resource, (m = new Map()));
    return m;
  }

  /** Replaces what a list returned: every object of `resource` in `namespace` (all namespaces when undefined). */
  replace(resource: Resource, namespace: string | undefined, items: KubeObject[]): void {
    const m = this.#of(resource);
    for (const [k, o] of m) if (namespace === undefined || o.metadata.namespace === namespace) m.delete(k);
    for (const o of items) m.set(key(o.metadata.namespace, o.metadata.name), o);
  }

  /** Applies one watch event; bookmarks and errors change no object. */
  apply(resource: Resource, ev: WatchEvent): void {
    const m = this.#of(resource);
    const k = key(ev.object.metadata.namespace, ev.object.metadata.name);
    if (ev.type === "ADDED" || ev.type === "MODIFIED") m.set(k, ev.object);
    else if (ev.type === "DELETED") m.delete(k);
  }

  get<T extends KubeObject>(resource: Resource, namespace: string | undefined, name: string): T | undefined {
    return this.#objects.get(resource)?.get(key(namespace, name)) as T | undefined;
  }

  list<T extends KubeObject>(resource: Resource): T[] {
    return [...(this.#objects.get(resource)?.values() ?? [])] as T[];
  }
}
