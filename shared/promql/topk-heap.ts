/**
 * @module
 * topk/bottomk selection with Prometheus's tie behaviour. Prometheus keeps
 * up to k samples in a binary heap (Go's container/heap) whose root is the
 * weakest kept sample, replaces the root only with a strictly better sample,
 * and finally sorts the heap with `sort.Sort(sort.Reverse(heap))`. Which of
 * several equal values survive, and in which order they come out, follows
 * from the input order and those mechanics, so they are reproduced here
 * step by step: push = append + sift up, replacing the root = pop it, then
 * push, Less(i, j) true when value i is NaN.
 */

/** Less of Prometheus's heaps: NaN is "smallest" (the first to be replaced) for both. */
function less(op: "topk" | "bottomk", a: number, b: number): boolean {
  if (a !== a) return true;
  return op === "topk" ? a < b : a > b;
}

/** Prometheus's replacement test: strictly larger (topk) / smaller (bottomk) than the root, or a number over a NaN root. */
function better(op: "topk" | "bottomk", root: number, v: number): boolean {
  if (op === "topk" ? root < v : root > v) return true;
  return root !== root && v === v;
}

function up<T>(h: T[], vals: number[], op: "topk" | "bottomk", j: number): void {
  for (;;) {
    const i = (j - 1) >> 1;
    if (j <= 0 || !less(op, vals[j]!, vals[i]!)) break;
    swap(h, vals, i, j);
    j = i;
  }
}

function down<T>(h: T[], vals: number[], op: "topk" | "bottomk", i0: number, n: number): boolean {
  let i = i0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < n && less(op, vals[j2]!, vals[j1]!)) j = j2;
    if (!less(op, vals[j]!, vals[i]!)) break;
    swap(h, vals, i, j);
    i = j;
  }
  return i > i0;
}

function swap<T>(h: T[], vals: number[], i: number, j: number): void {
  const t = h[i]!;
  h[i] = h[j]!;
  h[j] = t;
  const v = vals[i]!;
  vals[i] = vals[j]!;
  vals[j] = v;
}

/**
 * Selects up to k of `items` (with values `valueOf`) in input order as
 * Prometheus's topk/bottomk do, returned in Prometheus's output order.
 */
export function heapSelect<T>(op: "topk" | "bottomk", items: readonly T[], valueOf: (x: T) => number, k: number): T[] {
  const h: T[] = [];
  const vals: number[] = [];
  for (const it of items) {
    const v = valueOf(it);
    if (h.length < k) {
      h.push(it);
      vals.push(v);
      up(h, vals, op, h.length - 1);
    } else if (better(op, vals[0]!, v)) {
      // The root leaves as heap.Pop takes it (last element to the root, sift
      // down), and the new sample enters as heap.Push puts it (append, sift
      // up). Measured against Prometheus 2.42 (test/e2e/topk-ties.test.ts):
      // overwriting the root and sifting it down keeps other ties.
      const last = h.length - 1;
      swap(h, vals, 0, last);
      down(h, vals, op, 0, last);
      h[last] = it;
      vals[last] = v;
      up(h, vals, op, last);
    }
  }
  reverseSort(h, vals, op);
  return h;
}

/**
 * sort.Sort(sort.Reverse(heap)): Go sorts up to 12 elements by insertion
 * sort, which this reproduces exactly (Less of the reverse is Less(j, i)).
 * Longer heaps use pdqsort in Go; a stable sort stands in for it here, so
 * among more than 12 kept samples equal values may come out in another order
 * (the same samples are kept).
 */
function reverseSort<T>(h: T[], vals: number[], op: "topk" | "bottomk"): void {
  const n = h.length;
  if (n <= 12) {
    for (let i = 1; i < n; i++) for (let j = i; j > 0 && less(op, vals[j - 1]!, vals[j]!); j--) swap(h, vals, j, j - 1);
    return;
  }
  const idx = h.map((_, i) => i);
  const nan = (i: number) => vals[i]! !== vals[i]!;
  idx.sort((a, b) => (nan(a) && nan(b) ? 0 : less(op, vals[b]!, vals[a]!) ? -1 : less(op, vals[a]!, vals[b]!) ? 1 : 0));
  const hs = idx.map((i) => h[i]!);
  const vs = idx.map((i) => vals[i]!);
  for (let i = 0; i < n; i++) {
    h[i] = hs[i]!;
    vals[i] = vs[i]!;
  }
}
