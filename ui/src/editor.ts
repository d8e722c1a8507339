/**
 * @module
 * The PromQL editor: CodeMirror 6 with @prometheus-io/codemirror-promql
 * (highlighting, linting, and autocompletion of metric names, label names
 * and values from this server's own API via its PrometheusClient).
 * Shift+Enter (or Ctrl/Cmd+Enter) runs the query. Tab is left to the page
 * (no indent-with-Tab binding), so the editor is not a keyboard trap.
 */
import { EditorState, Prec } from "@codemirror/state";
import { EditorView, keymap, placeholder } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { HighlightStyle, syntaxHighlighting, bracketMatching } from "@codemirror/language";
import { forEachDiagnostic } from "@codemirror/lint";
import { tags } from "@lezer/highlight";
import { PromQLExtension } from "@prometheus-io/codemirror-promql";
import { authFetch } from "./api.ts";

// Colours are CSS variables, so one highlight style serves both themes.
const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: "var(--code-keyword)" },
  { tag: [tags.function(tags.variableName), tags.function(tags.name)], color: "var(--code-function)" },
  { tag: tags.string, color: "var(--code-string)" },
  { tag: tags.number, color: "var(--code-number)" },
  { tag: [tags.labelName, tags.attributeName], color: "var(--code-label)" },
  { tag: tags.comment, color: "var(--code-comment)", fontStyle: "italic" },
  { tag: [tags.operator, tags.compareOperator, tags.arithmeticOperator], color: "var(--code-operator)" },
  { tag: tags.invalid, color: "var(--danger)" },
]);

export interface Diagnostic {
  from: number;
  to: number;
  message: string;
  severity: string;
}

export interface EditorOptions {
  doc: string;
  onRun: () => void;
  onChange: (doc: string) => void;
  onDiagnostics: (d: Diagnostic[]) => void;
}

export function createEditor(parent: HTMLElement, o: EditorOptions): EditorView {
  const promql = new PromQLExtension().setComplete({
    remote: { url: location.origin, fetchFn: authFetch, httpMethod: "GET", cache: { initialMetricList: [] } },
  });
  const run = () => {
    o.onRun();
    return true;
  };
  let lastDiag = "";
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: o.doc,
      extensions: [
        Prec.highest(keymap.of([{ key: "Shift-Enter", run }, { key: "Mod-Enter", run }])),
        history(),
        closeBrackets(),
        bracketMatching(),
        autocompletion(),
        keymap.of([...closeBracketsKeymap, ...completionKeymap, ...historyKeymap, ...defaultKeymap]),
        syntaxHighlighting(highlight),
        placeholder("Expression (press Shift+Enter to run)"),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ "aria-label": "PromQL expression" }),
        promql.asExtension(),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) o.onChange(u.state.doc.toString());
          const diags: Diagnostic[] = [];
          forEachDiagnostic(u.state, (d, from, to) => diags.push({ from, to, message: d.message, severity: d.severity }));
          const key = JSON.stringify(diags);
          if (key !== lastDiag) {
            lastDiag = key;
            o.onDiagnostics(diags);
          }
        }),
      ],
    }),
  });
}

/** `line:col` (1-based) of an offset, for messages under the editor. */
export function position(doc: string, offset: number): string {
  const before = doc.slice(0, offset).split("\n");
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}
