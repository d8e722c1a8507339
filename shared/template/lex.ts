/**
 * @module
 * The lexer of Go's text/template: text outside actions, and the tokens of
 * `{{ … }}` actions (trim markers, comments, fields, variables, literals).
 * Spaces inside actions are tokens because they separate arguments
 * (`.A .B` is two arguments, `.A.B` one field chain).
 */

export type TokenType =
  | "text"
  | "left"
  | "right"
  | "comment"
  | "space"
  | "identifier"
  | "keyword"
  | "field"
  | "variable"
  | "string"
  | "rawString"
  | "char"
  | "number"
  | "bool"
  | "nil"
  | "dot"
  | "pipe"
  | "leftParen"
  | "rightParen"
  | "declare"
  | "assign"
  | "comma"
  | "punct"
  | "eof"
  | "error";

export interface Token {
  type: TokenType;
  value: string;
  /** Byte offset (UTF-16 code unit offset here) in the template text. */
  pos: number;
  line: number;
}

const KEYWORDS = new Set(["block", "break", "continue", "define", "else", "end", "if", "range", "nil", "template", "with"]);

const LEFT = "{{";
const RIGHT = "}}";
const LEFT_COMMENT = "/*";
const RIGHT_COMMENT = "*/";

function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\r" || c === "\n";
}

function isAlnum(c: string): boolean {
  return c === "_" || /^[\p{L}\p{Nd}]$/u.test(c);
}

/** Splits template text into tokens; an "error" token ends the stream. */
export function lex(input: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  let line = 1;
  let parenDepth = 0;

  const emit = (type: TokenType, start: number, value: string, startLine: number): void => {
    out.push({ type, value, pos: start, line: startLine });
  };
  const countLines = (s: string): number => {
    let n = 0;
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) n++;
    return n;
  };

  for (;;) {
    // Text up to the next action.
    const next = input.indexOf(LEFT, pos);
    if (next < 0) {
      if (pos < input.length) emit("text", pos, input.slice(pos), line);
      line += countLines(input.slice(pos));
      emit("eof", input.length, "", line);
      return out;
    }
    let textEnd = next;
    const trimLeft = input.startsWith("-", next + 2) && isSpace(input[next + 3] ?? "");
    if (trimLeft) while (textEnd > pos && isSpace(input[textEnd - 1]!)) textEnd--;
    if (textEnd > pos) emit("text", pos, input.slice(pos, textEnd), line);
    line += countLines(input.slice(pos, next));
    pos = next;
    // Inside an action.
    const actionLine = line;
    let p = next + 2 + (trimLeft ? 2 : 0);
    const afterLeft = p;
    // Comments: {{/* … */}} with optional trim markers around them.
    const q = p;
    if (input.startsWith(LEFT_COMMENT, q)) {
      const end = input.indexOf(RIGHT_COMMENT, q + 2);
      if (end < 0) {
        emit("error", pos, "unclosed comment", actionLine);
        return out;
      }
      const body = input.slice(q, end + 2);
      line += countLines(body);
      let r = end + 2;
      let trimRight = false;
      if (input.startsWith(" -" + RIGHT, r) || input.startsWith("\t-" + RIGHT, r) || input.startsWith("\n-" + RIGHT, r) || input.startsWith("\r-" + RIGHT, r)) {
        trimRight = true;
        r += 2;
      }
      if (!input.startsWith(RIGHT, r)) {
        emit("error", pos, "comment ends before closing delimiter", actionLine);
        return out;
      }
      emit("comment", q, body, actionLine);
      pos = r + 2;
      if (trimRight) {
        while (pos < input.length && isSpace(input[pos]!)) {
          if (input[pos] === "\n") line++;
          pos++;
        }
      }
      continue;
    }
    emit("left", pos, LEFT, actionLine);
    p = afterLeft;
    parenDepth = 0;
    // Tokens until the right delimiter.
    for (;;) {
      const c = input[p];
      if (c === undefined) {
        emit("error", p, "unclosed action", line);
        return out;
      }
      // Right delimiter, possibly with a trim marker " -}}".
      if (isSpace(c)) {
        let e = p;
        while (e < input.length && isSpace(input[e]!)) e++;
        if (input.startsWith("-" + RIGHT, e)) {
          line += countLines(input.slice(p, e));
          emit("right", e, RIGHT, line);
          pos = e + 3;
          while (pos < input.length && isSpace(input[pos]!)) {
            if (input[pos] === "\n") line++;
            pos++;
          }
          break;
        }
        const ws = input.slice(p, e);
        emit("space", p, ws, line);
        line += countLines(ws);
        p = e;
        continue;
      }
      if (input.startsWith(RIGHT, p)) {
        if (parenDepth > 0) {
          emit("error", p, "unclosed left paren", line);
          return out;
        }
        emit("right", p, RIGHT, line);
        pos = p + 2;
        break;
      }
      const start = p;
      if (c === "=") {
        emit("assign", p, "=", line);
        p++;
      } else if (c === ":") {
        if (input[p + 1] !== "=") {
          emit("error", p, "expected :=", line);
          return out;
        }
        emit("declare", p, ":=", line);
        p += 2;
      } else if (c === "|") {
        emit("pipe", p, "|", line);
        p++;
      } else if (c === ",") {
        emit("comma", p, ",", line);
        p++;
      } else if (c === "(") {
        parenDepth++;
        emit("leftParen", p, "(", line);
        p++;
      } else if (c === ")") {
        parenDepth--;
        if (parenDepth < 0) {
          emit("error", p, `unexpected right paren`, line);
          return out;
        }
        emit("rightParen", p, ")", line);
        p++;
      } else if (c === '"') {
        p++;
        for (;;) {
          const d = input[p];
          if (d === undefined || d === "\n") {
            emit("error", start, "unterminated quoted string", line);
            return out;
          }
          if (d === "\\") p += 2;
          else if (d === '"') break;
          else p++;
        }
        p++;
        emit("string", start, input.slice(start, p), line);
      } else if (c === "`") {
        const end = input.indexOf("`", p + 1);
        if (end < 0) {
          emit("error", start, "unterminated raw quoted string", line);
          return out;
        }
        const raw = input.slice(start, end + 1);
        emit("rawString", start, raw, line);
        line += countLines(raw);
        p = end + 1;
      } else if (c === "'") {
        p++;
        for (;;) {
          const d = input[p];
          if (d === undefined || d === "\n") {
            emit("error", start, "unterminated character constant", line);
            return out;
          }
          if (d === "\\") p += 2;
          else if (d === "'") break;
          else p++;
        }
        p++;
        emit("char", start, input.slice(start, p), line);
      } else if (c === "$") {
        p++;
        while (p < input.length && isAlnum(input[p]!)) p++;
        emit("variable", start, input.slice(start, p), line);
      } else if (c === ".") {
        const d = input[p + 1] ?? "";
        if (d >= "0" && d <= "9") {
          p = scanNumber(input, p);
          emit("number", start, input.slice(start, p), line);
        } else {
          p++;
          while (p < input.length && isAlnum(input[p]!)) p++;
          if (p === start + 1) emit("dot", start, ".", line);
          else emit("field", start, input.slice(start, p), line);
        }
      } else if (c === "+" || c === "-" || (c >= "0" && c <= "9")) {
        p = scanNumber(input, p);
        if (p === start || (p < input.length && isAlnum(input[p]!))) {
          emit("error", start, `bad number syntax: "${input.slice(start, p + 1)}"`, line);
          return out;
        }
        emit("number", start, input.slice(start, p), line);
      } else if (isAlnum(c)) {
        while (p < input.length && isAlnum(input[p]!)) p++;
        const word = input.slice(start, p);
        if (KEYWORDS.has(word)) emit(word === "nil" ? "nil" : "keyword", start, word, line);
        else if (word === "true" || word === "false") emit("bool", start, word, line);
        else emit("identifier", start, word, line);
      } else if (c >= "!" && c <= "~") {
        // Go emits other printable ASCII as a character item; the parser then reports it as unexpected.
        emit("punct", p, c, line);
        p++;
      } else {
        emit("error", p, `unrecognized character in action: ${JSON.stringify(c)}`, line);
        return out;
      }
      // Terminator check: after an operand, a space, delimiter, paren, pipe, '.' or ',' must follow.
      if (start !== p) {
        const t = out[out.length - 1]!;
        if (t.type === "field" || t.type === "variable" || t.type === "identifier") {
          const n = input[p] ?? "";
          if (!(n === "" || isSpace(n) || n === "." || n === "," || n === "|" || n === ":" || n === ")" || n === "(" || n === "=" || input.startsWith(RIGHT, p))) {
            emit("error", p, `bad character ${JSON.stringify(n)}`, line);
            return out;
          }
        }
      }
    }
  }
}

function scanNumber(s: string, p: number): number {
  if (s[p] === "+" || s[p] === "-") p++;
  let digits = "0123456789_";
  if (s[p] === "0" && /[xXoObB]/.test(s[p + 1] ?? "")) {
    const k = s[p + 1]!.toLowerCase();
    digits = k === "x" ? "0123456789abcdefABCDEF_" : k === "o" ? "01234567_" : "01_";
    p += 2;
  }
  while (p < s.length && digits.includes(s[p]!)) p++;
  if (s[p] === ".") {
    p++;
    while (p < s.length && digits.includes(s[p]!)) p++;
  }
  if (digits.length === 11 && /[eE]/.test(s[p] ?? "")) {
    p++;
    if (s[p] === "+" || s[p] === "-") p++;
    while (p < s.length && "0123456789_".includes(s[p]!)) p++;
  } else if (digits.length > 11 && /[pP]/.test(s[p] ?? "")) {
    p++;
    if (s[p] === "+" || s[p] === "-") p++;
    while (p < s.length && "0123456789_".includes(s[p]!)) p++;
  }
  return p;
}
