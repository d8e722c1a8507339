/**
 * @module
 * Go's text/template: a Template (with its associated templates from
 * `define`/`block`), a caller-supplied function map, the missingkey option,
 * and the executor with Go's error messages
 * (`template: NAME:LINE:COL: executing "NAME" at <NODE>: …`).
 */
import { BUILTINS, truth } from "./builtins.ts";
import type { Builtin } from "./builtins.ts";
import { formatValue, goTypeName, isMap, sortedEntries, MAP_ZERO } from "./fmt.ts";
import { nodeString, parseTemplate } from "./parse.ts";
import type { ArgNode, BranchNode, CommandNode, ListNode, Node, PipeNode } from "./parse.ts";

// Functions may take and return any template value.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TemplateFunc = (...args: any[]) => unknown;
export type FuncMap = Record<string, TemplateFunc>;

const VARIADIC: unique symbol = Symbol("template.variadic");
const PARAM_TYPES: unique symbol = Symbol("template.paramTypes");

/** A Go parameter type the executor checks: "string", or "any" (interface{}). */
export type ParamType = "string" | "any";

/**
 * Declares a function's parameter types, so a wrong argument fails as Go's
 * does (`expected string; found 1`, `wrong type for value; expected string; got float64`).
 */
export function typed<F extends TemplateFunc>(types: ParamType[], fn: F): F {
  Object.defineProperty(fn, PARAM_TYPES, { value: types });
  return fn;
}

/**
 * Marks a function as variadic: it takes at least `fn.length` arguments.
 * Unmarked functions take exactly `fn.length` arguments, as Go checks.
 */
export function variadic<F extends TemplateFunc>(fn: F): F {
  Object.defineProperty(fn, VARIADIC, { value: true });
  return fn;
}

export type MissingKey = "default" | "invalid" | "zero" | "error";

export class TemplateExecError extends Error {
  override name = "TemplateExecError";
}

/**
 * Thrown by a function to stop execution without Go's "error calling" wrapping;
 * it reaches the caller of execute() unchanged (e.g. to fetch data and retry).
 */
export class TemplateAbort extends Error {
  override name = "TemplateAbort";
}

interface Common {
  templates: Map<string, Template>;
  funcs: Map<string, TemplateFunc>;
}

export class Template {
  readonly name: string;
  /** The parsed body; undefined until parsed. */
  tree: ListNode | undefined;
  private common: Common;
  private missingKey: MissingKey = "default";
  /** Name and text of the parse this template came from, for error positions. */
  private parseName: string;
  private source = "";

  constructor(name: string, common?: Common) {
    this.name = name;
    this.parseName = name;
    this.common = common ?? { templates: new Map(), funcs: new Map() };
  }

  /** A new template associated with this one (shares definitions and functions). */
  new(name: string): Template {
    const t = new Template(name, this.common);
    t.missingKey = this.missingKey;
    return t;
  }

  /** Adds functions; must come before parse, as in Go. */
  funcs(map: FuncMap): this {
    for (const [k, v] of Object.entries(map)) this.common.funcs.set(k, v);
    return this;
  }

  /** Go's Option: "missingkey=default|invalid|zero|error". */
  option(...opts: string[]): this {
    for (const o of opts) {
      const m = /^missingkey=(default|invalid|zero|error)$/.exec(o);
      if (m === null) throw new Error(o.startsWith("missingkey=") ? `unrecognized option: ${o}` : `unrecognized option: ${o}`);
      this.missingKey = m[1] as MissingKey;
    }
    return this;
  }

  /** Parses text as this template's body; {{define}}d templates join the set. */
  parse(text: string): this {
    const res = parseTemplate(this.name, text, (n) => BUILTINS.has(n) || this.common.funcs.has(n));
    // As Go's associate: an empty (spaces/comments only) tree never replaces an existing one.
    const adopt = (t: Template, tree: ListNode): void => {
      if (isEmptyTree(tree) && t.tree !== undefined) return;
      t.tree = tree;
      t.source = text;
      t.parseName = this.name;
      this.common.templates.set(t.name, t);
    };
    adopt(this, res.root);
    for (const [name, tree] of res.defined) adopt(name === this.name ? this : (this.common.templates.get(name) ?? this.new(name)), tree);
    this.common.templates.set(this.name, this);
    return this;
  }

  lookup(name: string): Template | undefined {
    return this.common.templates.get(name);
  }

  templates(): Template[] {
    return [...this.common.templates.values()];
  }

  /** A copy whose later definitions do not affect this one. */
  clone(): Template {
    const common: Common = { templates: new Map(), funcs: new Map(this.common.funcs) };
    for (const [name, t] of this.common.templates) {
      const c = new Template(name, common);
      c.tree = t.tree;
      c.source = t.source;
      c.parseName = t.parseName;
      c.missingKey = t.missingKey;
      common.templates.set(name, c);
    }
    const self = common.templates.get(this.name);
    if (self !== undefined) return self;
    const c = new Template(this.name, common);
    c.missingKey = this.missingKey;
    return c;
  }

  /** Go's DefinedTemplates: `; defined templates are: "a", "b"` or "". */
  definedTemplates(): string {
    const names = [...this.common.templates.entries()].filter(([, t]) => t.tree !== undefined).map(([n]) => JSON.stringify(n));
    return names.length === 0 ? "" : `; defined templates are: ${names.join(", ")}`;
  }

  execute(data: unknown): string {
    const out: string[] = [];
    const state = new State(this, out);
    if (this.tree === undefined) state.fail(`${JSON.stringify(this.name)} is an incomplete or empty template`);
    state.vars.push({ name: "$", value: data });
    state.walk(data, this.tree!);
    return out.join("");
  }

  executeTemplate(name: string, data: unknown): string {
    const t = this.lookup(name);
    if (t === undefined) throw new TemplateExecError(`template: no template ${JSON.stringify(name)} associated with template ${JSON.stringify(this.name)}`);
    return t.execute(data);
  }

  /** @internal */
  location(pos: number, line: number): string {
    const before = this.source.slice(0, pos);
    const col = pos - (before.lastIndexOf("\n") + 1);
    return `${this.parseName}:${line}:${col}`;
  }

  /** @internal */
  findFunction(name: string): { fn: TemplateFunc; builtin: Builtin | undefined } | undefined {
    const user = this.common.funcs.get(name);
    if (user !== undefined) return { fn: user, builtin: undefined };
    const b = BUILTINS.get(name);
    return b === undefined ? undefined : { fn: b.fn, builtin: b };
  }

  /** @internal */
  get missing(): MissingKey {
    return this.missingKey;
  }
}

function isEmptyTree(list: ListNode): boolean {
  return list.nodes.every((n) => (n.kind === "text" && n.text.trim() === "") || n.kind === "comment");
}

const MISSING: unique symbol = Symbol("missing");
type Final = unknown | typeof MISSING;
const BREAK = { control: "break" };
const CONTINUE = { control: "continue" };
const MAX_DEPTH = 1000;

interface Variable {
  name: string;
  value: unknown;
}

class State {
  vars: Variable[] = [];
  /** The node being evaluated, for error context (printed only when an error happens). */
  private node: Node | ArgNode | CommandNode | undefined;
  private depth = 0;
  private tmpl: Template;
  private out: string[];

  constructor(tmpl: Template, out: string[]) {
    this.tmpl = tmpl;
    this.out = out;
  }

  fail(msg: string): never {
    if (this.node === undefined) throw new TemplateExecError(`template: ${this.tmpl.name}: ${msg}`);
    const ctx = nodeString(this.node);
    throw new TemplateExecError(`template: ${this.tmpl.location(this.node.pos, this.node.line)}: executing ${JSON.stringify(this.tmpl.name)} at <${ctx}>: ${msg}`);
  }

  private at(n: Node | ArgNode | CommandNode): void {
    this.node = n;
  }

  private mark(): number {
    return this.vars.length;
  }

  private pop(mark: number): void {
    this.vars.length = mark;
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.fail(`undefined variable: ${name}`);
  }

  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    this.fail(`undefined variable: ${name}`);
  }

  walk(dot: unknown, node: Node): void {
    switch (node.kind) {
      case "action": {
        const v = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, v);
        return;
      }
      case "comment":
        return;
      case "text":
        this.out.push(node.text);
        return;
      case "list":
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case "if":
      case "with": {
        const mark = this.mark();
        const v = this.evalPipeline(dot, node.pipe);
        if (truth(v)) this.walk(node.kind === "with" ? v : dot, node.list);
        else if (node.elseList !== undefined) this.walk(dot, node.elseList);
        this.pop(mark);
        return;
      }
      case "range":
        return this.walkRange(dot, node as BranchNode);
      case "template":
        return this.walkTemplate(dot, node as Extract<Node, { kind: "template" }>);
      case "break":
        throw BREAK;
      case "continue":
        throw CONTINUE;
    }
  }

  private walkRange(dot: unknown, r: BranchNode): void {
    this.at(r);
    const mark = this.mark();
    const val = this.evalPipeline(dot, r.pipe);
    const one = (index: unknown, elem: unknown): boolean => {
      if (r.pipe.decl.length > 0) {
        if (r.pipe.isAssign) {
          if (r.pipe.decl.length > 1) {
            this.setVar(r.pipe.decl[0]!, index);
            this.setVar(r.pipe.decl[1]!, elem);
          } else this.setVar(r.pipe.decl[0]!, elem);
        } else {
          this.vars[this.vars.length - 1]!.value = elem;
          if (r.pipe.decl.length > 1) this.vars[this.vars.length - 2]!.value = index;
        }
      }
      const inner = this.mark();
      try {
        this.walk(elem, r.list);
      } catch (e) {
        if (e === BREAK) return false;
        if (e !== CONTINUE) throw e;
      } finally {
        this.pop(inner);
      }
      return true;
    };
    let ran = false;
    if (Array.isArray(val)) {
      for (let i = 0; i < val.length; i++) {
        ran = true;
        if (!one(BigInt(i), val[i])) break;
      }
    } else if (isMap(val)) {
      for (const [k, v] of sortedEntries(val)) {
        ran = true;
        if (!one(k, v)) break;
      }
    } else if (typeof val === "bigint") {
      if (r.pipe.decl.length > 1) this.fail(`can't use ${val} to iterate over more than one variable`);
      for (let i = 0n; i < val; i++) {
        ran = true;
        if (!one(i, i)) break;
      }
    } else if (val !== undefined && val !== null) {
      if (typeof val === "object" && Symbol.iterator in val) {
        let i = 0n;
        for (const e of val as Iterable<unknown>) {
          ran = true;
          if (!one(i++, e)) break;
        }
      } else {
        this.fail(`range can't iterate over ${formatValue(val)}`);
      }
    }
    if (!ran && r.elseList !== undefined) this.walk(dot, r.elseList);
    this.pop(mark);
  }

  private walkTemplate(dot: unknown, t: Extract<Node, { kind: "template" }>): void {
    this.at(t);
    const tmpl = this.tmpl.lookup(t.name);
    if (tmpl === undefined || tmpl.tree === undefined) this.fail(`template ${JSON.stringify(t.name)} not defined`);
    if (this.depth >= MAX_DEPTH) this.fail(`exceeded maximum template depth (${MAX_DEPTH})`);
    const newDot = t.pipe === undefined ? undefined : this.evalPipeline(dot, t.pipe);
    const s = new State(tmpl, this.out);
    s.depth = this.depth + 1;
    s.vars = [{ name: "$", value: newDot }];
    s.walk(newDot, tmpl.tree);
  }

  private printValue(n: Node, v: unknown): void {
    this.at(n);
    if (v === undefined) {
      this.out.push("<no value>");
      return;
    }
    if (typeof v === "function") this.fail(`can't print ${nodeString(n)} of type ${goTypeName(v)}`);
    this.out.push(formatValue(v));
  }

  private evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.at(pipe);
    let value: unknown = undefined;
    let final: Final = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, final);
      final = value;
    }
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVar(name, value);
      else this.vars.push({ name, value });
    }
    return value;
  }

  private notAFunction(args: ArgNode[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.fail(`can't give argument to non-function ${nodeString(args[0]!)}`);
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0]!;
    switch (first.kind) {
      case "field":
        this.at(first);
        return this.evalFieldChain(dot, dot, first, first.idents, cmd.args, final);
      case "chain":
        return this.evalChain(dot, first, cmd.args, final);
      case "identifier":
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case "pipe":
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case "variable":
        return this.evalVariable(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case "bool":
        return first.value;
      case "dot":
        return dot;
      case "nil":
        this.fail("nil is not a command");
      // eslint-disable-next-line no-fallthrough
      case "number":
      case "string":
        return first.value;
    }
  }

  private evalChain(dot: unknown, chain: Extract<ArgNode, { kind: "chain" }>, args: ArgNode[], final: Final): unknown {
    this.at(chain);
    if (chain.node.kind === "nil") this.fail(`indirection through explicit nil in ${nodeString(chain)}`);
    const receiver = this.evalArg(dot, chain.node);
    return this.evalFieldChain(dot, receiver, chain, chain.fields, args, final);
  }

  private evalVariable(dot: unknown, v: Extract<ArgNode, { kind: "variable" }>, args: ArgNode[], final: Final): unknown {
    this.at(v);
    const value = this.varValue(v.idents[0]!);
    if (v.idents.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.idents.slice(1), args, final);
  }

  private evalFieldChain(dot: unknown, receiver: unknown, node: ArgNode, idents: string[], args: ArgNode[], final: Final): unknown {
    const n = idents.length;
    for (let i = 0; i < n - 1; i++) receiver = this.evalField(dot, idents[i]!, node, [], MISSING, receiver);
    return this.evalField(dot, idents[n - 1]!, node, args, final, receiver);
  }

  private evalField(dot: unknown, name: string, node: ArgNode, args: ArgNode[], final: Final, receiver: unknown): unknown {
    if (receiver === undefined || receiver === null) {
      if (this.tmpl.missing === "error") this.fail(`nil data; no entry for key ${JSON.stringify(name)}`);
      return undefined;
    }
    const hasArgs = args.length > 1 || final !== MISSING;
    if (typeof receiver === "object") {
      // Methods are functions on a class's prototype (a struct's, or a named map or slice type's);
      // an own function-valued property is a field (Go's func field). Object's, Array's and Map's own methods are not Go methods.
      // A Map subclass is Go's named map type (Alertmanager's template.KV): its own methods come before keys.
      const namedMap = receiver instanceof Map && Object.getPrototypeOf(receiver) !== Map.prototype && !(name in Map.prototype);
      const inherited = namedMap ||
        (!(receiver instanceof Map) && !Object.hasOwn(receiver, name) && !(name in Object.prototype) && !(Array.isArray(receiver) && name in Array.prototype));
      const member = inherited ? (receiver as Record<string, unknown>)[name] : undefined;
      if (typeof member === "function") return this.evalCall(dot, member as TemplateFunc, undefined, node, name, args, final, receiver);
      if (isMap(receiver)) {
        if (hasArgs) this.fail(`${name} is not a method but has arguments`);
        const has = receiver instanceof Map ? receiver.has(name) : Object.hasOwn(receiver, name);
        if (has) return receiver instanceof Map ? receiver.get(name) : (receiver as Record<string, unknown>)[name];
        switch (this.tmpl.missing) {
          case "zero":
            return MAP_ZERO in receiver ? (receiver as Record<symbol, unknown>)[MAP_ZERO] : null;
          case "error":
            this.fail(`map has no entry for key ${JSON.stringify(name)}`);
          // eslint-disable-next-line no-fallthrough
          default:
            return undefined;
        }
      }
      if (!Array.isArray(receiver) && name in receiver) {
        if (hasArgs) this.fail(`${name} has arguments but cannot be invoked as function`);
        return (receiver as Record<string, unknown>)[name];
      }
    }
    this.fail(`can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  }

  private evalFunction(dot: unknown, node: Extract<ArgNode, { kind: "identifier" }>, cmd: CommandNode | ArgNode, args: ArgNode[], final: Final): unknown {
    this.at(node);
    const f = this.tmpl.findFunction(node.name);
    if (f === undefined) this.fail(`${JSON.stringify(node.name)} is not a defined function`);
    // Go reports a failed call with the whole command as context.
    return this.evalCall(dot, f.fn, f.builtin, node, node.name, args, final, undefined, cmd);
  }

  private evalCall(dot: unknown, fn: TemplateFunc, builtin: Builtin | undefined, node: ArgNode, name: string, allArgs: ArgNode[], final: Final, receiver?: unknown, context: ArgNode | CommandNode = node): unknown {
    const args = allArgs.slice(1);
    const numIn = args.length + (final !== MISSING ? 1 : 0);
    const isVariadic = builtin !== undefined ? builtin.variadic : (fn as { [VARIADIC]?: boolean })[VARIADIC] === true;
    const fixed = builtin !== undefined ? builtin.arity : fn.length;
    if (isVariadic) {
      if (numIn < fixed) this.fail(`wrong number of args for ${name}: want at least ${fixed} got ${args.length}`);
    } else if (numIn !== fixed) {
      this.fail(`wrong number of args for ${name}: want ${fixed} got ${numIn}`);
    }
    // and/or evaluate their arguments lazily and return the deciding one.
    if (builtin !== undefined && (name === "and" || name === "or")) {
      let v: unknown;
      for (const a of args) {
        v = this.evalArg(dot, a);
        if (truth(v) === (name === "or")) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }
    const types = (fn as { [PARAM_TYPES]?: ParamType[] })[PARAM_TYPES];
    const values = args.map((a, i) => {
      const v = this.evalArg(dot, a);
      if (types?.[i] === "string" && typeof v !== "string") {
        this.at(a);
        if (a.kind === "number" || a.kind === "bool" || a.kind === "nil") this.fail(`expected string; found ${nodeString(a)}`);
        this.fail(`wrong type for value; expected string; got ${goTypeName(v)}`);
      }
      return v;
    });
    if (final !== MISSING) {
      if (types?.[values.length] === "string" && typeof final !== "string") this.fail(`wrong type for value; expected string; got ${goTypeName(final)}`);
      values.push(final);
    }
    if (builtin !== undefined && name === "printf" && typeof values[0] !== "string") {
      this.at(node);
      this.fail(`wrong type for value; expected string; got ${goTypeName(values[0])}`);
    }
    try {
      return receiver === undefined ? fn(...values) : fn.apply(receiver, values);
    } catch (e) {
      if (e instanceof TemplateExecError || e instanceof TemplateAbort) throw e;
      this.at(context);
      this.fail(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private evalArg(dot: unknown, n: ArgNode): unknown {
    this.at(n);
    switch (n.kind) {
      case "dot":
        return dot;
      case "nil":
        return null;
      case "field":
        return this.evalFieldChain(dot, dot, n, n.idents, [n], MISSING);
      case "variable":
        return this.evalVariable(dot, n, [n], MISSING);
      case "pipe":
        return this.evalPipeline(dot, n);
      case "identifier":
        return this.evalFunction(dot, n, n, [n], MISSING);
      case "chain":
        return this.evalChain(dot, n, [n], MISSING);
      case "bool":
      case "number":
      case "string":
        return n.value;
    }
  }
}
