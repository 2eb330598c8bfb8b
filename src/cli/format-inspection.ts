// How `rhythm inspect` and `rhythm run --inspect` show a paused workflow to a person: each stack
// (the main body first) with its frames, the line of each with a caret under the column, the
// variables in scope as one line of text each, then what the run awaits. Values are text here:
// a string holding markup is quoted like any other string, never interpreted.

import type { AwaitedHandle, Inspection } from "../vm/inspect-state.js";
import { handleText, showText } from "../vm/show-value.js";

const NO_NAMES =
  "(this version was compiled before Rhythm kept variable names: variables are shown by where they live, a register or a closure slot)";

export function formatInspection(inspection: Pick<Inspection, "named" | "stack" | "awaiting">): string {
  const out: string[] = [];
  if (!inspection.named) out.push(NO_NAMES, "");
  let fiber = -1;
  for (const frame of inspection.stack) {
    if (frame.fiber !== fiber) {
      if (fiber !== -1) out.push("");
      fiber = frame.fiber;
      const title = fiber === 0 ? "main body" : `concurrent stack ${fiber}`;
      out.push(frame.awaits ? `${title}, waiting on ${frame.awaits}` : title);
    } else out.push("  called from");
    out.push(`  ${frame.function}  line ${frame.line}:${frame.column}`);
    if (frame.source !== undefined) out.push(...sourceLines(frame.line, frame.column, frame.source));
    const names = Object.keys(frame.variables);
    if (names.length === 0) out.push("    (no variables)");
    const width = Math.max(0, ...names.map((n) => n.length));
    for (const n of names) out.push(`    ${n.padEnd(width)} = ${showText(frame.variables[n])}`);
  }
  if (inspection.stack.length === 0) out.push("(no live stack)");
  if (inspection.awaiting.length > 0) {
    out.push("", "awaiting");
    const texts = inspection.awaiting.map(awaitedText);
    const width = Math.max(...texts.map((t) => t.length));
    inspection.awaiting.forEach((a, i) => {
      out.push(`  ${texts[i].padEnd(width)}  ${a.id ? `id ${a.id}  ` : ""}handle ${a.handle}`);
    });
  }
  return out.join("\n");
}

/** `task "charge"`, `timer until 2026-01-01T00:00:10.000Z`, `signal "approve" until …`. */
function awaitedText(a: AwaitedHandle): string {
  return handleText({ ...a, state: "" }).trimEnd();
}

/** The source line, without its indentation, and a caret under the column. */
function sourceLines(line: number, column: number, text: string): string[] {
  const shown = text.replace(/\t/g, " ");
  const indent = shown.length - shown.trimStart().length;
  const gutter = `    ${String(line).padStart(4)} | `;
  const caret = " ".repeat(Math.max(0, column - 1 - indent));
  return [gutter + shown.trim(), `${" ".repeat(gutter.length - 2)}| ${caret}^`];
}
