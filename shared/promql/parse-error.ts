/**
 * @module
 * ParseError: a PromQL syntax or type error with its position. The message is
 * rendered like Prometheus's ParseErr: `1:5: parse error: <detail>`, with the
 * line and column (1-based) computed from the byte offset only when rendering.
 */
import type { PosRange } from "./ast.ts";
import { capQuotedRuns } from "../format/cap-text.ts";

export class ParseError extends Error {
  readonly positionRange: PosRange;
  /** The message without the position prefix. */
  readonly detail: string;
  readonly query: string;

  constructor(positionRange: PosRange, detail: string, query: string) {
    // A query of megabytes must not come back whole in its error; 500 keeps Prometheus's messages for any real query.
    detail = capQuotedRuns(detail, 500);
    super(`${formatPosition(query, positionRange.start)}: parse error: ${detail}`);
    this.name = "ParseError";
    this.positionRange = positionRange;
    this.detail = detail;
    this.query = query;
  }
}

/**
 * `line:col` for a UTF-16 offset into the query, both 1-based. Columns count
 * UTF-8 bytes from the start of the line, as Prometheus's do.
 */
export function formatPosition(query: string, offset: number): string {
  if (query === "") return "unknown position";
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, query.length);
  for (let i = 0; i < end; i++) {
    if (query.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  const col = new TextEncoder().encode(query.slice(lineStart, end)).length + 1;
  return `${line}:${col}`;
}
