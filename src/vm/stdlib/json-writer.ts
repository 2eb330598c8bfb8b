// The JSON text writer shared by JSON.stringify and console.log's formatting. It walks the value
// with an explicit stack instead of host recursion, so a 10,000-deep structure built by a .flow
// loop can never overflow the host stack in the middle of the interpreter. What differs between
// its users (toJSON and replacers, how leaves print, what a cycle does) comes in as hooks.

import { Handle, isFlowObject, newObject, type FlowObject, type Value } from "../values.js";
import { guardStringLength, type SizeLimit } from "./size-guard.js";
import { costString, type Spender } from "./cost.js";

/** What the writer asks its user. */
export interface JsonWriterHooks {
  /** The value to write for `holder[key]` (JSON.stringify applies toJSON and the replacer here). */
  resolve(holder: Value, key: string, value: Value): Value;
  /** "array" or "object" for values written as containers; undefined for leaves. */
  containerKind(value: Value): "array" | "object" | undefined;
  /** The keys to write for an object container, in order. */
  keys(value: Value): readonly string[];
  /** Text of a leaf, or undefined to leave it out (it becomes `null` inside arrays). */
  leaf(value: Value): string | undefined;
  /** Text for a container met again while it is still being written, or throws. */
  circular(cycle: CycleInfo): string;
  /** Indentation unit ("" for compact output). */
  gap: string;
  /** Size limit of the output text (none when undefined). */
  limit?: SizeLimit;
  /** Where the work is charged: values visited, text written (none when undefined). */
  spender?: Spender;
  /**
   * Stop once the text is longer than this and give back what was written so far (console.log's
   * line cap): the result is then longer than `truncateAt` and ends mid-value.
   */
  truncateAt?: number;
}

/** Thrown inside the writer when the text passed `truncateAt`. */
class Truncated {}

/** Charges to do, gathered so that a large value costs a handful of spend calls. */
const FLUSH_CHARS = 65_536;
const FLUSH_VISITS = 1024;

/** Where a cycle was found: the containers on the path and the key that closes the circle. */
export interface CycleInfo {
  /** The path, starting at the container that is met again and ending with the current holder. */
  path: { value: Value; isArray: boolean; enteredKey: string }[];
  closingKey: string;
}

interface Frame {
  value: Value;
  isArray: boolean;
  keys: readonly string[];
  length: number;
  index: number;
  parts: string[];
  size: number;
  /** Key of this container in its parent. */
  enteredKey: string;
  /** Indentation of this container's members. */
  indent: string;
}

const OPENED = Symbol("opened");

/** Reads a member the way JSON.stringify's Get would, for our value model only. */
function member(container: Value, key: string): Value {
  if (Array.isArray(container)) return container[Number(key)];
  if (isFlowObject(container)) return container[key];
  return undefined; // handles and namespaces have no data properties a program can see
}

/** Writes `root` as JSON text; undefined when the root itself is left out. */
export function writeJson(root: Value, hooks: JsonWriterHooks): string | undefined {
  const stack: Frame[] = [];
  const active = new Set<Value>();
  const gap = hooks.gap;
  const truncateAt = hooks.truncateAt ?? Infinity;
  let chars = 0;
  let visits = 0;
  const flush = (): void => {
    // a visit runs the hooks and a few pushes: about an instruction's worth
    hooks.spender?.spend(visits, 0);
    costString(hooks.spender, chars);
    chars = visits = 0;
  };

  const visit = (holder: Value, key: string, raw: Value): string | undefined | typeof OPENED => {
    if (++visits > FLUSH_VISITS) flush();
    const value = hooks.resolve(holder, key, raw);
    const kind = hooks.containerKind(value);
    if (kind === undefined) return hooks.leaf(value);
    if (active.has(value)) return hooks.circular(cycleInfo(stack, value, key));
    const isArray = kind === "array";
    const keys = isArray ? [] : hooks.keys(value);
    const parentIndent = stack.length > 0 ? stack[stack.length - 1]!.indent : "";
    stack.push({
      value,
      isArray,
      keys,
      length: isArray ? (value as Value[]).length : keys.length,
      index: 0,
      parts: [],
      size: 0,
      enteredKey: key,
      indent: parentIndent + gap,
    });
    active.add(value);
    return OPENED;
  };

  // `leaf`: text written here, charged; a closed container's text is charged already (V8 joins
  // it into its parent as a rope, without copying it again)
  const addPart = (f: Frame, key: string, text: string | undefined, leaf: boolean): void => {
    let part: string;
    if (f.isArray) part = text ?? "null";
    else if (text === undefined) return;
    else part = JSON.stringify(key) + (gap === "" ? ":" : ": ") + text;
    f.size += part.length;
    if (leaf) chars += part.length;
    else chars += part.length - text!.length;
    if (chars > FLUSH_CHARS) flush();
    if (f.size > truncateAt) {
      f.parts.push(part);
      throw new Truncated();
    }
    guardStringLength(hooks.limit, f.size);
    f.parts.push(part);
  };

  const close = (f: Frame): string => {
    const [open, end] = f.isArray ? ["[", "]"] : ["{", "}"];
    if (f.parts.length === 0) return open + end;
    if (gap === "") {
      guardStringLength(hooks.limit, f.size + f.parts.length + 1);
      return open + f.parts.join(",") + end;
    }
    const stepback = f.indent.slice(0, f.indent.length - gap.length);
    const separator = ",\n" + f.indent;
    guardStringLength(hooks.limit, f.size + f.parts.length * separator.length + stepback.length + 3);
    return `${open}\n${f.indent}${f.parts.join(separator)}\n${stepback}${end}`;
  };

  const wrapper: FlowObject = newObject();
  wrapper[""] = root;
  try {
    const text = walk();
    flush();
    return text;
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    flush();
    // what was written so far: each open container's members, outermost first
    const last = stack.length - 1;
    return stack
      .map((f, i) => (f.isArray ? "[" : "{") + f.parts.join(",") + (i < last && f.parts.length > 0 ? "," : ""))
      .join("");
  }

  function walk(): string | undefined {
    const first = visit(wrapper, "", root);
    if (first !== OPENED) return first;
    for (;;) {
      const f = stack[stack.length - 1]!;
      if (f.index < f.length) {
        const key = f.isArray ? String(f.index) : f.keys[f.index]!;
        f.index++;
        const text = visit(f.value, key, member(f.value, key));
        if (text !== OPENED) addPart(f, key, text, true);
        continue;
      }
      const text = close(f);
      stack.pop();
      active.delete(f.value);
      if (stack.length === 0) return text;
      addPart(stack[stack.length - 1]!, f.enteredKey, text, false);
    }
  }
}

function cycleInfo(stack: Frame[], repeated: Value, closingKey: string): CycleInfo {
  let start = stack.length - 1;
  while (start > 0 && stack[start]!.value !== repeated) start--;
  return {
    path: stack.slice(start).map((f) => ({ value: f.value, isArray: f.isArray, enteredKey: f.enteredKey })),
    closingKey,
  };
}

/** V8's name for the constructor of a container in the circular-structure message. */
function constructorName(v: Value): string {
  if (Array.isArray(v)) return "Array";
  if (v instanceof Handle) return "Promise";
  return "Object";
}

/** V8's exact "Converting circular structure to JSON" message, path lines included. */
export function circularMessage(cycle: CycleInfo): string {
  const { path, closingKey } = cycle;
  const keyText = (holderIsArray: boolean, key: string): string => (holderIsArray ? `index ${key}` : `property '${key}'`);
  const lines = [
    "Converting circular structure to JSON",
    `    --> starting at object with constructor '${constructorName(path[0]!.value)}'`,
  ];
  const middle: string[] = [];
  for (let i = 1; i < path.length; i++) {
    const step = path[i]!;
    middle.push(
      `    |     ${keyText(path[i - 1]!.isArray, step.enteredKey)} -> object with constructor '${constructorName(step.value)}'`,
    );
  }
  // V8 keeps the first two and the last step of a long path
  if (middle.length > 3) lines.push(middle[0]!, middle[1]!, "    |     ...", middle[middle.length - 1]!);
  else lines.push(...middle);
  lines.push(`    --- ${keyText(path[path.length - 1]!.isArray, closingKey)} closes the circle`);
  return lines.join("\n");
}
