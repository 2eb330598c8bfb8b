// A readable listing of compiled code, for debugging the compiler and for `docs/architecture.md`.

import { debugScope, outerOf, scopeAtPc, scopeCount } from "./debug-table.js";
import { operandCount, opNames } from "./opcodes.js";
import { displayName, positionAt, runnableProgram, type Program } from "./program.js";

export function disassemble(stored: Program): string {
  const program = runnableProgram(stored);
  const out: string[] = [];
  program.functions.forEach((fn, index) => {
    out.push(`fn ${index} ${displayName(fn)}${fn.isAsync ? " (async)" : ""} locals=${fn.locals}`);
    const table = fn.debug;
    if (table) {
      const outer = outerOf(table);
      if (outer.fn >= 0) out.push(`  made in fn ${outer.fn} scope ${outer.scope}`);
      for (let i = 0; i < scopeCount(table); i++) {
        const s = debugScope(table, i);
        const names = s.bindings.map(
          (b) => `${b.name}:${b.kind}@${b.register !== undefined ? `r${b.register}` : `env[${b.slot}]`}`,
        );
        out.push(`  scope ${i} (lines ${s.firstLine}-${s.lastLine}, in ${s.parent}): ${names.join(" ")}`);
      }
    }
    let pc = 0;
    let lastLine = -1;
    let lastScope = -1;
    while (pc < fn.code.length) {
      const op = fn.code[pc];
      const n = operandCount[op] ?? 0;
      const operands = fn.code.slice(pc + 1, pc + 1 + n);
      const { line } = positionAt(fn, pc);
      const lineText = line !== lastLine ? String(line).padStart(4) : "   |";
      lastLine = line;
      const name = opNames[op] ?? `?${op}`;
      const note =
        name === "Const" || name === "LoadGlobal" || name === "GetProp" || name === "SetProp" || name === "GetMethod"
          ? `  ; ${JSON.stringify(fn.constants[operands[0]])}`
          : "";
      const scope = table ? scopeAtPc(table, pc) : -1;
      const scopeNote = scope !== lastScope ? `  ; scope ${scope}` : "";
      lastScope = scope;
      out.push(`${lineText} ${String(pc).padStart(5)}  ${name.padEnd(20)} ${operands.join(" ")}${note}${scopeNote}`);
      pc += 1 + n;
    }
  });
  return out.join("\n");
}
