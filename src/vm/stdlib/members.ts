// The static members of every namespace and callable global (`Math.max`, `Number.isInteger`,
// `Task.run`), by the id of the value that holds them. The standard library and the interpreter's
// host natives each register theirs here, so property reads and `Object.hasOwn` see one table
// without importing the modules that fill it.

import type { Value } from "../values.js";

const tables: Record<string, Record<string, Value>> = Object.create(null);

/** Adds members to the namespace or function `id`. */
export function registerMembers(id: string, members: Record<string, Value>): void {
  Object.assign((tables[id] ??= Object.create(null) as Record<string, Value>), members);
}

/** Whether `id` has a static member `key` (an own property in JavaScript). */
export function hasStaticMember(id: string, key: string): boolean {
  const table = tables[id];
  return table !== undefined && Object.hasOwn(table, key);
}

/** The static member `key` of `id`, or undefined. */
export function staticMember(id: string, key: string): Value {
  const table = tables[id];
  return table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

/** The names of `id`'s static members, in registration order. */
export function staticMemberNames(id: string): string[] {
  const table = tables[id];
  return table === undefined ? [] : Object.keys(table);
}

/** Every id that has static members registered. */
export function namespacesWithMembers(): string[] {
  return Object.keys(tables);
}
