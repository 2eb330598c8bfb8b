// Values as text for people: JSON laid out so that what is short stays on one line and what is
// long breaks into indented lines; and the values `rhythm inspect` shows (plain JSON, or objects
// tagged `$type` for what JSON cannot say: undefined, functions, handles, cut strings and
// containers, cycles and shared references) written as a person reads them.

const WIDTH = 64;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

type Node = null | boolean | number | string | Node[] | { [key: string]: Node };

/** A JSON value, short parts inline. */
export function layout(value: unknown): string {
  if (value === undefined) return "undefined";
  return write(value as Node, "", false);
}

/** A JSON value on one line (`{ "a": 1, "b": [2, 3] }`). */
export function oneLine(value: unknown): string {
  return value === undefined ? "undefined" : inline(value as Node, false);
}

/** A value of inspect's variables, short parts inline, tags written out. */
export function layoutShown(value: unknown): string {
  return write(value as Node, "", true);
}

function write(v: Node, indent: string, shown: boolean): string {
  const flat = inline(v, shown);
  if (flat.length + indent.length <= WIDTH || v === null || typeof v !== "object") return flat;
  const inner = indent + "  ";
  if (Array.isArray(v)) return `[\n${v.map((x) => inner + write(x, inner, shown)).join(",\n")}\n${indent}]`;
  if (shown && typeof v.$type === "string") {
    if (v.$type === "array") {
      const items = (v.items as Node[]).map((x) => inner + write(x, inner, shown));
      const more = (v.length as number) - items.length;
      if (more > 0) items.push(`${inner}… ${more} more`);
      return `${ref(v)}[\n${items.join(",\n")}\n${indent}]`;
    }
    if (v.$type === "object") {
      const entries = v.entries as Record<string, Node>;
      const lines = Object.entries(entries).map(([k, x]) => `${inner}${key(k, shown)}: ${write(x, inner, shown)}`);
      const more = (v.keys as number) - lines.length;
      if (more > 0) lines.push(`${inner}… ${more} more`);
      return `${ref(v)}{\n${lines.join(",\n")}\n${indent}}`;
    }
    return flat;
  }
  return `{\n${Object.entries(v)
    .map(([k, x]) => `${inner}${key(k, shown)}: ${write(x, inner, shown)}`)
    .join(",\n")}\n${indent}}`;
}

function key(k: string, shown: boolean): string {
  return shown && IDENTIFIER.test(k) ? k : JSON.stringify(k);
}

function ref(v: { [key: string]: Node }): string {
  return typeof v.ref === "number" ? `<ref *${v.ref}> ` : "";
}

function inline(v: Node, shown: boolean): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? String(v);
  if (Array.isArray(v)) return `[${v.map((x) => inline(x, shown)).join(", ")}]`;
  if (shown && typeof v.$type === "string") return tagged(v, shown);
  const parts = Object.entries(v).map(([k, x]) => `${key(k, shown)}: ${inline(x, shown)}`);
  return parts.length === 0 ? "{}" : `{ ${parts.join(", ")} }`;
}

function tagged(v: { [key: string]: Node }, shown: boolean): string {
  switch (v.$type) {
    case "undefined":
      return "undefined";
    case "uninitialized":
      return "<not initialized yet>";
    case "number":
      return String(v.value);
    case "string":
      return `${JSON.stringify(v.text)}… (${(v.length as number) - (v.text as string).length} more characters)`;
    case "function":
      return v.name ? `ƒ ${String(v.name)}()` : "ƒ ()";
    case "namespace":
      return String(v.name);
    case "handle": {
      const name = typeof v.name === "string" ? ` ${JSON.stringify(v.name)}` : "";
      const until = typeof v.until === "string" ? ` until ${v.until}` : "";
      return `<${String(v.kind)}${name}${until} ${String(v.state ?? "")}>`.replace(/ >$/, ">");
    }
    case "circular":
      return `<circular *${String(v.ref)}>`;
    case "shared":
      return `<same as *${String(v.ref)}>`;
    case "array": {
      const items = (v.items as Node[]).map((x) => inline(x, shown));
      const more = (v.length as number) - items.length;
      if (more > 0) items.push(`… ${more} more`);
      return `${ref(v)}[${items.join(", ")}]`;
    }
    case "object": {
      const parts = Object.entries(v.entries as Record<string, Node>).map(([k, x]) => `${key(k, shown)}: ${inline(x, shown)}`);
      const more = (v.keys as number) - parts.length;
      if (more > 0) parts.push(`… ${more} more`);
      return `${ref(v)}{ ${parts.join(", ")} }`;
    }
    default: {
      const parts = Object.entries(v).map(([k, x]) => `${key(k, shown)}: ${inline(x, shown)}`);
      return `{ ${parts.join(", ")} }`;
    }
  }
}
