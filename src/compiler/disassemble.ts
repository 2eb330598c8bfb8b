// A readable listing of compiled code, for debugging the compiler and for `docs/architecture.md`.

import { operandCount, opNames } from "./opcodes.js";
import { displayName, positionAt, runnableProgram, type Program } from "./program.js";

export function disassemble(stored: Program): string {
  const program = runnableProgram(stored);
  const out: string[] = [];
  program.functions.forEach((fn, index) => {
    out.push(`fn ${index} ${displayName(fn)}${fn.isAsync ? " (async)" : ""} locals=${fn.locals}`);
    let pc = 0;
    let lastLine = -1;
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
      out.push(`${lineText} ${String(pc).padStart(5)}  ${name.padEnd(20)} ${operands.join(" ")}${note}`);
      pc += 1 + n;
    }
  });
  return out.join("\n");
}
