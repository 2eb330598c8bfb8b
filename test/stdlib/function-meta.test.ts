// The `name` and `length` of every built-in function: the table in function-meta.ts must give
// what the host's own function of the same id gives (Math.max.length is 2, [].slice.length 2 …),
// and the built-ins JavaScript has no counterpart for report the shape a JS function would.

import assert from "node:assert/strict";
import { test } from "node:test";
import "../../src/vm/host-natives.js";
import { nativeLength, nativeName } from "../../src/vm/stdlib/function-meta.js";
import { natives } from "../../src/vm/stdlib/index.js";
import { namespacesWithMembers, staticMember, staticMemberNames } from "../../src/vm/stdlib/members.js";
import { NativeFunction } from "../../src/vm/values.js";

/** Every built-in function id: the pure natives, plus everything handed out as a static member. */
function allNativeIds(): Set<string> {
  const ids = new Set(natives.keys());
  for (const ns of namespacesWithMembers()) {
    for (const key of staticMemberNames(ns)) {
      const member = staticMember(ns, key);
      if (member instanceof NativeFunction) ids.add(member.id);
    }
  }
  return ids;
}

/** The host's function at a path such as "Array.prototype.map", if it has one. */
function hostFunction(id: string): ((...args: unknown[]) => unknown) | undefined {
  let value: unknown = globalThis;
  for (const part of id.split(".")) {
    if (value === null || value === undefined) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return typeof value === "function" ? (value as (...args: unknown[]) => unknown) : undefined;
}

const WITHOUT_HOST_COUNTERPART: Record<string, [name: string, length: number]> = {
  "Task.run": ["run", 1],
  "Workflow.run": ["run", 1],
  "Timer.delay": ["delay", 1],
  "Timer.until": ["until", 1],
  "Signal.next": ["next", 1],
  "Signal.when": ["when", 2],
};

test("every built-in has the host's name and length", () => {
  const ids = allNativeIds();
  assert.ok(ids.size > 140, `only ${ids.size} built-ins found`);
  const mismatches: string[] = [];
  for (const id of ids) {
    const host = hostFunction(id);
    const expected = host ? [host.name, host.length] : WITHOUT_HOST_COUNTERPART[id];
    assert.ok(expected, `${id} has no host counterpart: add it to WITHOUT_HOST_COUNTERPART`);
    const ours = [nativeName(id), nativeLength(id)];
    if (ours[0] !== expected[0] || ours[1] !== expected[1]) mismatches.push(`${id}: ${ours.join("/")} ≠ ${expected.join("/")}`);
  }
  assert.deepEqual(mismatches, []);
});

test("the namespaces that are functions in JavaScript have its name and length", () => {
  for (const id of ["Array", "Promise", "Date"]) {
    const host = hostFunction(id)!;
    assert.deepEqual([nativeName(id), nativeLength(id)], [host.name, host.length], id);
  }
});
