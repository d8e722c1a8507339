/**
 * @module
 * The parser of Go's text/template (text/template/parse): actions, pipelines,
 * control structures and `define`/`block` definitions, with Go's parse error
 * messages (`template: NAME:LINE: …`).
 */
import { lex } from "./lex.ts";
import type { Token } from "./lex.ts";

export interface Pos {
  pos: number;
  line: number;
}

export type Node =
  | ({ kind: "list"; nodes: Node[] } & Pos)
  | ({ kind: "text"; text: string } & Pos)
  | ({ kind: "comment"; text: string } & Pos)
  | ({ kind: "action"; pipe: PipeNode } & Pos)
  | ({ kind: "if" | "with" | "range"; pipe: PipeNode; list: ListNode; elseList: ListNode | undefined } & Pos)
  | ({ kind: "template"; name: string; pipe: PipeNode | undefined } & Pos)
  | ({ kind: "break" | "continue" } & Pos);

export type ListNode = Extract<Node, { kind: "list" }>;
export type BranchNode = Extract<Node, { kind: "if" | "with" | "range" }>;

export interface PipeNode extends Pos {
  kind: "pipe";
  isAssign: boolean;
  decl: string[];
  cmds: CommandNode[];
}

export interface CommandNode extends Pos {
  kind: "command";
  args: ArgNode[];
}

export type ArgNode =
  | ({ kind: "field"; idents: string[] } & Pos)
  | ({ kind: "variable"; idents: string[] } & Pos)
  | ({ kind: "chain"; node: ArgNode; fields: string[] } & Pos)
  | ({ kind: "identifier"; name: string } & Pos)
  | ({ kind: "dot" } & Pos)
  | ({ kind: "nil" } & Pos)
  | ({ kind: "bool"; value: boolean } & Pos)
  | ({ kind: "number"; text: string; value: number | bigint } & Pos)
  | ({ kind: "string"; quoted: string; value: string } & Pos)
  | PipeNode;

export class TemplateParseError extends Error {
  override name = "TemplateParseError";
}

export interface ParseResult {
  /** The body outside definitions; undefined when it is only spaces/definitions. */
  root: ListNode;
  /** Templates from {{define}} and {{block}}. */
  defined: Map<string, ListNode>;
}

/** Parses `text` for the template `name`; `hasFunction` tells which identifiers are functions. */
export function parseTemplate(name: string, text: string, hasFunction: (name: string) => boolean): ParseResult {
  return new Parser(name, text, hasFunction).parse();
}

function describe(t: Token): string {
  switch (t.type) {
    case "eof":
      return "EOF";
    case "error":
      return t.value;
    case "keyword":
      return `<${t.value}>`;
    default:
      return t.value.length > 10 ? `${JSON.stringify(t.value.slice(0, 10))}...` : JSON.stringify(t.value);
  }
}

class Parser {
  private tokens: Token[];
  private i = 0;
  private vars: string[] = ["$"];
  private rangeDepth = 0;
  private defined = new Map<string, ListNode>();
  private name: string;
  private hasFunction: (name: string) => boolean;

  constructor(name: string, text: string, hasFunction: (name: string) => boolean) {
    this.name = name;
    this.hasFunction = hasFunction;
    this.tokens = lex(text);
  }

  private error(msg: string, line = this.current().line): never {
    throw new TemplateParseError(`template: ${this.name}:${line}: ${msg}`);
  }

  private current(): Token {
    return this.tokens[Math.max(0, Math.min(this.i - 1, this.tokens.length - 1))]!;
  }

  private next(): Token {
    const t = this.tokens[this.i] ?? this.tokens[this.tokens.length - 1]!;
    if (this.i < this.tokens.length) this.i++;
    if (t.type === "error") this.error(t.value, t.line);
    return t;
  }

  private backup(n = 1): void {
    this.i -= n;
  }

  private peek(): Token {
    const t = this.next();
    this.backup();
    return t;
  }

  private nextNonSpace(): Token {
    let t = this.next();
    while (t.type === "space") t = this.next();
    return t;
  }

  private peekNonSpace(): Token {
    const start = this.i;
    const t = this.nextNonSpace();
    this.i = start;
    return t;
  }

  private expect(type: Token["type"], context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }

  private unexpected(t: Token, context: string): never {
    if (t.type === "error") this.error(t.value, t.line);
    this.error(`unexpected ${describe(t)} in ${context}`, t.line);
  }

  parse(): ParseResult {
    const root: ListNode = { kind: "list", nodes: [], pos: 0, line: 1 };
    for (;;) {
      const t = this.peek();
      if (t.type === "eof") break;
      if (t.type === "left") {
        const save = this.i;
        this.next();
        const k = this.nextNonSpace();
        if (k.type === "keyword" && k.value === "define") {
          this.parseDefinition();
          continue;
        }
        this.i = save;
      }
      const n = this.textOrAction();
      if (n.kind === "end" || n.kind === "else") this.error(`unexpected {{${n.kind}}}`, n.line);
      root.nodes.push(n as Node);
    }
    return { root, defined: this.defined };
  }

  private parseDefinition(): void {
    const nameTok = this.nextNonSpace();
    if (nameTok.type !== "string" && nameTok.type !== "rawString") this.unexpected(nameTok, "define clause");
    const name = unquote(nameTok.value, nameTok.line, (m) => this.error(m, nameTok.line));
    this.expect("right", "define clause");
    const savedVars = this.vars;
    this.vars = ["$"];
    const [list, end] = this.itemList();
    this.vars = savedVars;
    if (end.kind !== "end") this.error(`unexpected {{${end.kind}}} in define clause`, end.line);
    this.addDefinition(name, list, nameTok.line);
  }

  private addDefinition(name: string, list: ListNode, line: number): void {
    const existing = this.defined.get(name);
    // Go lets an empty definition be replaced and replaces an empty one silently.
    if (existing !== undefined && !isEmpty(existing) && !isEmpty(list)) this.error(`template: multiple definition of template "${name}"`, line);
    if (existing === undefined || isEmpty(existing)) this.defined.set(name, list);
  }

  /** Items up to {{end}} or {{else}}; returns the list and that delimiter. */
  private itemList(): [ListNode, { kind: "end" | "else"; line: number; pos: number }] {
    const list: ListNode = { kind: "list", nodes: [], pos: this.peekNonSpace().pos, line: this.peekNonSpace().line };
    for (;;) {
      const t = this.peekNonSpace();
      if (t.type === "eof") this.error("unexpected EOF", t.line);
      const n = this.textOrAction();
      if (n.kind === "end" || n.kind === "else") return [list, n];
      list.nodes.push(n as Node);
    }
  }

  private textOrAction(): Node | { kind: "end" | "else"; line: number; pos: number } {
    const t = this.nextNonSpace();
    switch (t.type) {
      case "text":
        return { kind: "text", text: t.value, pos: t.pos, line: t.line };
      case "comment":
        return { kind: "comment", text: t.value, pos: t.pos, line: t.line };
      case "left":
        return this.action();
      default:
        this.unexpected(t, "input");
    }
  }

  private action(): Node | { kind: "end" | "else"; line: number; pos: number } {
    const t = this.nextNonSpace();
    if (t.type === "keyword") {
      switch (t.value) {
        case "block":
          return this.blockControl(t);
        case "break":
        case "continue": {
          if (this.rangeDepth === 0) this.error(`{{${t.value}}} outside {{range}}`, t.line);
          this.expect("right", t.value);
          return { kind: t.value, pos: t.pos, line: t.line };
        }
        case "else": {
          const p = this.peekNonSpace();
          // "else if"/"else with": leave the keyword for the enclosing control.
          if (p.type === "keyword" && (p.value === "if" || p.value === "with")) return { kind: "else", pos: t.pos, line: t.line };
          this.expect("right", "else");
          return { kind: "else", pos: t.pos, line: t.line };
        }
        case "end":
          this.expect("right", "end");
          return { kind: "end", pos: t.pos, line: t.line };
        case "if":
        case "range":
        case "with":
          return this.control(t.value, t);
        case "template":
          return this.templateControl(t);
        case "define":
          this.error("unexpected <define> in command", t.line);
      }
    }
    this.backup();
    const start = this.peek();
    return { kind: "action", pipe: this.pipeline("command", "right"), pos: start.pos, line: start.line };
  }

  private control(kind: "if" | "range" | "with", t: Token): BranchNode {
    const varsLen = this.vars.length;
    const pipe = this.pipeline(kind, "right");
    if (kind === "range") this.rangeDepth++;
    let [list, next] = this.itemList();
    if (kind === "range") this.rangeDepth--;
    let elseList: ListNode | undefined;
    if (next.kind === "else") {
      const p = this.peekNonSpace();
      if ((kind === "if" && p.type === "keyword" && p.value === "if") || (kind === "with" && p.type === "keyword" && p.value === "with")) {
        const k = this.nextNonSpace();
        // {{if a}}…{{else if b}}…{{end}} is {{if a}}…{{else}}{{if b}}…{{end}}{{end}}: one {{end}}.
        elseList = { kind: "list", nodes: [this.control(kind, k)], pos: next.pos, line: next.line };
      } else {
        [elseList, next] = this.itemList();
        if (next.kind !== "end") this.error(`expected end; found {{else}}`, next.line);
      }
    }
    this.vars.length = varsLen;
    void list;
    return { kind, pipe, list, elseList, pos: t.pos, line: t.line };
  }

  private templateControl(t: Token): Node {
    const nameTok = this.nextNonSpace();
    if (nameTok.type !== "string" && nameTok.type !== "rawString") this.unexpected(nameTok, "template clause");
    const name = unquote(nameTok.value, nameTok.line, (m) => this.error(m, nameTok.line));
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().type !== "right") {
      this.backup();
      pipe = this.pipeline("template clause", "right");
    }
    return { kind: "template", name, pipe, pos: t.pos, line: t.line };
  }

  private blockControl(t: Token): Node {
    const nameTok = this.nextNonSpace();
    if (nameTok.type !== "string" && nameTok.type !== "rawString") this.unexpected(nameTok, "block clause");
    const name = unquote(nameTok.value, nameTok.line, (m) => this.error(m, nameTok.line));
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().type !== "right") {
      this.backup();
      pipe = this.pipeline("block clause", "right");
    }
    const savedVars = this.vars;
    const savedRange = this.rangeDepth;
    this.vars = ["$"];
    this.rangeDepth = 0;
    const [list, end] = this.itemList();
    this.vars = savedVars;
    this.rangeDepth = savedRange;
    if (end.kind !== "end") this.error(`unexpected {{else}} in block clause`, end.line);
    this.addDefinition(name, list, nameTok.line);
    return { kind: "template", name, pipe, pos: t.pos, line: t.line };
  }

  private pipeline(context: string, end: "right" | "rightParen"): PipeNode {
    const start = this.peekNonSpace();
    const pipe: PipeNode = { kind: "pipe", isAssign: false, decl: [], cmds: [], pos: start.pos, line: start.line };
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== "variable") break;
      const save = this.i;
      this.nextNonSpace();
      const n = this.peekNonSpace();
      if (n.type === "assign" || n.type === "declare") {
        pipe.isAssign = n.type === "assign";
        this.nextNonSpace();
        // Assigning an undeclared variable parses; execution reports it (as Go does).
        pipe.decl.push(v.value);
        this.vars.push(v.value);
        break;
      }
      if (n.type === "comma") {
        this.nextNonSpace();
        pipe.decl.push(v.value);
        this.vars.push(v.value);
        if (context === "range" && pipe.decl.length < 2) {
          const p = this.peekNonSpace();
          if (p.type === "variable" || p.type === "right" || p.type === "rightParen") continue decls;
          this.error("range can only initialize variables", p.line);
        }
        this.error(`too many declarations in ${context}`, n.line);
      }
      this.i = save;
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        if (pipe.cmds.length === 0) this.error(`missing value for ${context}`, t.line);
        for (let i = 1; i < pipe.cmds.length; i++) {
          const k = pipe.cmds[i]!.args[0]!.kind;
          if (k === "bool" || k === "dot" || k === "nil" || k === "number" || k === "string") {
            this.error(`non executable command in pipeline stage ${i + 1}`, t.line);
          }
        }
        return pipe;
      }
      switch (t.type) {
        case "bool":
        case "char":
        case "dot":
        case "field":
        case "identifier":
        case "number":
        case "nil":
        case "rawString":
        case "string":
        case "variable":
        case "leftParen":
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private command(): CommandNode {
    const start = this.peekNonSpace();
    const cmd: CommandNode = { kind: "command", args: [], pos: start.pos, line: start.line };
    for (;;) {
      this.peekNonSpace();
      while (this.peek().type === "space") this.next();
      const operand = this.operand();
      if (operand !== undefined) cmd.args.push(operand);
      const t = this.next();
      if (t.type === "space") continue;
      if (t.type === "right" || t.type === "rightParen") this.backup();
      else if (t.type !== "pipe") this.unexpected(t, "operand");
      break;
    }
    if (cmd.args.length === 0) this.error("empty command");
    return cmd;
  }

  private operand(): ArgNode | undefined {
    const node = this.term();
    if (node === undefined) return undefined;
    if (this.peek().type !== "field") return node;
    // Go positions a chained operand at its first trailing field.
    const at = { pos: this.peek().pos, line: this.peek().line };
    const fields: string[] = [];
    while (this.peek().type === "field") fields.push(this.next().value.slice(1));
    switch (node.kind) {
      case "field":
        return { ...node, idents: [...node.idents, ...fields], ...at };
      case "variable":
        return { ...node, idents: [...node.idents, ...fields], ...at };
      case "bool":
      case "string":
      case "number":
      case "nil":
      case "dot":
        this.error(`unexpected . after term ${JSON.stringify(nodeString(node))}`, node.line);
      default:
        return { kind: "chain", node, fields, ...at };
    }
  }

  private term(): ArgNode | undefined {
    const t = this.nextNonSpace();
    const at = { pos: t.pos, line: t.line };
    switch (t.type) {
      case "identifier":
        if (!this.hasFunction(t.value)) this.error(`function "${t.value}" not defined`, t.line);
        return { kind: "identifier", name: t.value, ...at };
      case "dot":
        return { kind: "dot", ...at };
      case "nil":
        return { kind: "nil", ...at };
      case "variable": {
        const parts = t.value.split(".");
        if (!this.vars.includes(parts[0]!)) this.error(`undefined variable "${parts[0]}"`, t.line);
        return { kind: "variable", idents: [t.value], ...at };
      }
      case "field":
        return { kind: "field", idents: [t.value.slice(1)], ...at };
      case "bool":
        return { kind: "bool", value: t.value === "true", ...at };
      case "char":
      case "number":
        return { kind: "number", text: t.value, value: parseNumber(t, (m) => this.error(m, t.line)), ...at };
      case "leftParen":
        return this.pipeline("parenthesized pipeline", "rightParen");
      case "string":
      case "rawString":
        return { kind: "string", quoted: t.value, value: unquote(t.value, t.line, (m) => this.error(m, t.line)), ...at };
    }
    this.backup();
    return undefined;
  }
}

function isEmpty(list: ListNode): boolean {
  return list.nodes.every((n) => (n.kind === "text" && n.text.trim() === "") || n.kind === "comment");
}

function parseNumber(t: Token, fail: (m: string) => never): number | bigint {
  if (t.type === "char") {
    const s = unquote(`"${t.value.slice(1, -1).replace(/"/g, '\\"')}"`, t.line, fail);
    const cp = s.codePointAt(0);
    if (cp === undefined || [...s].length !== 1) fail(`malformed character constant: ${t.value}`);
    return BigInt(cp);
  }
  const text = t.value.replace(/_/g, "");
  const neg = text.startsWith("-");
  const body = text.replace(/^[+-]/, "");
  const isHex = /^0[xX]/.test(body);
  const isFloat = isHex ? /[pP]/.test(body) : /[.eE]/.test(body);
  if (!isFloat) {
    let v: bigint;
    try {
      if (/^0[oO]/.test(body)) v = BigInt("0o" + body.slice(2));
      else if (/^0[0-7]+$/.test(body)) v = BigInt("0o" + body.slice(1));
      else v = BigInt(body);
    } catch {
      fail(`illegal number syntax: ${JSON.stringify(t.value)}`);
    }
    v = neg ? -v : v;
    if (v > 9223372036854775807n || v < -9223372036854775808n) return Number(v);
    return v;
  }
  const f = isHex ? parseHexFloat(body) : Number(body);
  if (Number.isNaN(f)) fail(`illegal number syntax: ${JSON.stringify(t.value)}`);
  return neg ? -f : f;
}

function parseHexFloat(s: string): number {
  const m = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(s);
  if (m === null) return NaN;
  const frac = m[2] ?? "";
  const mant = parseInt((m[1] ?? "") + frac || "0", 16);
  return mant * 2 ** (Number(m[3]) - 4 * frac.length);
}

/** Go's strconv.Unquote for "…", `…` and the body of '…'. */
export function unquote(q: string, _line: number, fail: (m: string) => never): string {
  if (q.startsWith("`")) return q.slice(1, -1).replace(/\r/g, "");
  const s = q.slice(1, -1);
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = s[++i];
    const simple: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\", '"': '"', "'": "'" };
    if (e !== undefined && e in simple) {
      out += simple[e];
      continue;
    }
    const hexLen = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
    if (hexLen > 0) {
      const h = s.slice(i + 1, i + 1 + hexLen);
      if (!/^[0-9a-fA-F]+$/.test(h) || h.length !== hexLen) fail(`invalid syntax`);
      const v = parseInt(h, 16);
      out += e === "x" ? String.fromCharCode(v) : String.fromCodePoint(v);
      i += hexLen;
      continue;
    }
    if (e !== undefined && e >= "0" && e <= "7") {
      const o = s.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(o)) fail("invalid syntax");
      out += String.fromCharCode(parseInt(o, 8));
      i += 2;
      continue;
    }
    fail("invalid syntax");
  }
  return out;
}

/** A node as Go prints it in error contexts. */
export function nodeString(n: ArgNode | CommandNode | Node): string {
  switch (n.kind) {
    case "field":
      return n.idents.map((i) => "." + i).join("");
    case "variable":
      return n.idents.join(".");
    case "chain": {
      const inner = n.node.kind === "pipe" ? `(${nodeString(n.node)})` : nodeString(n.node);
      return inner + n.fields.map((f) => "." + f).join("");
    }
    case "identifier":
      return n.name;
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "bool":
      return String(n.value);
    case "number":
      return n.text;
    case "string":
      return n.quoted;
    case "pipe": {
      const decl = n.decl.length > 0 ? `${n.decl.join(", ")} ${n.isAssign ? "=" : ":="} ` : "";
      return decl + n.cmds.map(nodeString).join(" | ");
    }
    case "command":
      return n.args.map((a) => (a.kind === "pipe" ? `(${nodeString(a)})` : nodeString(a))).join(" ");
    case "action":
      return `{{${nodeString(n.pipe)}}}`;
    case "template":
      return n.pipe === undefined ? `{{template ${JSON.stringify(n.name)}}}` : `{{template ${JSON.stringify(n.name)} ${nodeString(n.pipe)}}}`;
    case "if":
    case "with":
    case "range":
      return `{{${n.kind} ${nodeString(n.pipe)}}}`;
    case "text":
      return n.text;
    case "comment":
      return `{{${n.text}}}`;
    case "list":
      return n.nodes.map(nodeString).join("");
    case "break":
    case "continue":
      return `{{${n.kind}}}`;
  }
}
