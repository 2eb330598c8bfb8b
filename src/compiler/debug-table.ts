// The debug table: which named bindings each function's code can see at each pc, and where each
// one lives (a register of the frame, or a slot of an environment), so that a saved state can be
// read back as named variables (`rhythm inspect`). The compiler records it as it enters and
// leaves scopes; the reader (vm/inspect-state.ts) decodes it. Only data: it never changes how a
// program runs, so programs compiled before it existed run the same and are shown by slot.

import type { Binding, BindingKind, Scope } from "../lang/index.js";
import type { FunctionInfo } from "./program.js";

/**
 * One function's table, kept compact because it is stored with every workflow version (JSON
 * keys would cost more than the table itself):
 * - `table[0]` = `[outerFunction, outerScope, pc, scope, pc, scope, …]`: where the function was
 *   created (the enclosing function and its innermost scope instance there, -1 -1 for the
 *   workflow body), so the variables it captured can be named too; then, pc ascending, the
 *   innermost scope instance from each pc on (-1: none of this function's).
 * - `table[1 + i]` = `[parent, firstLine, lastLine, kinds, name₀, place₀, name₁, place₁, …]`:
 *   scope instance i. `parent` is the enclosing instance in the same function (-1: none,
 *   continue with the outer function's); the lines are the source lines the scope spans;
 *   `kinds` has one letter per binding (see {@link KIND_LETTERS}); a place is a register index
 *   (≥ 0) or `-1 - slot` for a slot of the scope's own environment (captured bindings).
 *
 * A scope that declares nothing is left out; a block compiled more than once (a `finally` is
 * copied to every exit that crosses it) has one instance per copy, each with its own registers.
 * A scope "has an environment" when one of its places is a slot: the frame's environment chain
 * then has one link for it, innermost first, continuing into the closure's captured chain.
 */
export type DebugTable = (string | number)[][];

/** One letter per binding kind in a scope's `kinds`. */
export const KIND_LETTERS: Record<BindingKind, string> = {
  let: "l",
  const: "c",
  function: "f",
  param: "p",
  catch: "k",
  self: "s",
  other: "o",
};

const LETTER_KINDS = new Map(Object.entries(KIND_LETTERS).map(([k, l]) => [l, k as BindingKind]));

/** A named binding where a scope instance keeps it. */
export interface DebugBinding {
  name: string;
  kind: BindingKind;
  /** Register index in the frame, when not captured. */
  register?: number;
  /** Slot in the scope's environment, when captured. */
  slot?: number;
}

export interface DebugScope {
  parent: number;
  firstLine: number;
  lastLine: number;
  bindings: DebugBinding[];
  /** Whether the scope has an environment (some binding lives in a slot). */
  hasEnv: boolean;
}

/** Decodes scope instance `index` of a function's table. */
export function debugScope(table: DebugTable, index: number): DebugScope {
  const raw = table[1 + index];
  const kinds = raw[3] as string;
  const bindings: DebugBinding[] = [];
  let hasEnv = false;
  for (let i = 4, b = 0; i + 1 < raw.length; i += 2, b++) {
    const place = raw[i + 1] as number;
    const kind = LETTER_KINDS.get(kinds[b]) ?? "other";
    if (place >= 0) bindings.push({ name: raw[i] as string, kind, register: place });
    else {
      hasEnv = true;
      bindings.push({ name: raw[i] as string, kind, slot: -1 - place });
    }
  }
  return { parent: raw[0] as number, firstLine: raw[1] as number, lastLine: raw[2] as number, bindings, hasEnv };
}

/** Where the function was created: the enclosing function and its scope instance there (-1 -1: at the top). */
export function outerOf(table: DebugTable): { fn: number; scope: number } {
  return { fn: table[0][0] as number, scope: table[0][1] as number };
}

/** The number of scope instances in a function's table. */
export function scopeCount(table: DebugTable): number {
  return table.length - 1;
}

/** The innermost scope instance at `pc` (-1 when none of the function's own). */
export function scopeAtPc(table: DebugTable, pc: number): number {
  const a = table[0] as number[];
  let lo = 1;
  let hi = a.length / 2 - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid * 2] <= pc) {
      best = a[mid * 2 + 1];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/**
 * Records a function's table while it is compiled. The compiler calls `enter` after a scope's
 * environment is pushed (before its hoisted functions are made) and `exit` before it is popped.
 */
export class DebugRecorder {
  private readonly scopes: (string | number)[][] = [];
  private readonly at: number[] = [];
  /** The innermost instance now, and what `exit` restores. */
  current = -1;
  private readonly entered: { scope: Scope; previous: number; instance: number | undefined }[] = [];
  /** Each lexical scope's instance being compiled now. */
  private readonly instances = new Map<Scope, number>();

  /** `places` gives each binding's register, or its slot in the scope's environment. */
  enter(scope: Scope, places: Map<Binding, number>, pc: number): void {
    const previous = this.current;
    const prior = this.instances.get(scope);
    if (scope.bindings.size > 0) {
      let parent = -1;
      for (let s = scope.parent; s && s.fn === scope.fn; s = s.parent) {
        const i = this.instances.get(s);
        if (i !== undefined) {
          parent = i;
          break;
        }
      }
      const node = scope.node;
      const entry: (string | number)[] = [parent, node.loc!.start.line, node.loc!.end.line, ""];
      let kinds = "";
      for (const b of scope.bindings.values()) {
        const place = places.get(b)!;
        kinds += KIND_LETTERS[b.kind];
        entry.push(b.name, b.captured ? -1 - place : place);
      }
      entry[3] = kinds;
      const index = this.scopes.length;
      this.scopes.push(entry);
      this.instances.set(scope, index);
      this.current = index;
      this.mark(pc);
    }
    this.entered.push({ scope, previous, instance: prior });
  }

  exit(pc: number): void {
    const e = this.entered.pop()!;
    if (e.instance === undefined) this.instances.delete(e.scope);
    else this.instances.set(e.scope, e.instance);
    if (this.current !== e.previous) {
      this.current = e.previous;
      this.mark(pc);
    }
  }

  private mark(pc: number): void {
    const a = this.at;
    if (a.length > 0 && a[a.length - 2] === pc) a.length -= 2;
    if (a.length > 0 && a[a.length - 1] === this.current) return;
    if (a.length === 0 && this.current === -1) return;
    a.push(pc, this.current);
  }

  /** The table; `outer` is where the function was made (null: the workflow body). */
  table(outer: [number, number] | null): DebugTable {
    return [[...(outer ?? [-1, -1]), ...this.at], ...this.scopes];
  }
}

/** Whether two compilations of a function produced the same code (so one's table fits the other). */
export function sameCode(a: FunctionInfo, b: FunctionInfo): boolean {
  return (
    a.locals === b.locals &&
    a.code.length === b.code.length &&
    a.code.every((x, i) => x === b.code[i]) &&
    a.constants.length === b.constants.length &&
    a.constants.every((x, i) => x === b.constants[i])
  );
}
