// The signal names a workflow waits on, read from its tree at compile time and stored with the
// program: literal names of Signal.next/when, and whether any name is computed.

import assert from "node:assert/strict";
import { test } from "node:test";
import { compileFlow } from "../../src/compiler/index.js";

const signals = (source: string) => compileFlow(source, "t.flow").program.signals;

test("literal names of Signal.next and Signal.when, sorted and once each, wherever they are", () => {
  assert.deepEqual(
    signals(`
      const a = await Signal.next("approve");
      async function later() { return await Signal.when('reject', { timeout: "1d" }); }
      const b = await Promise.race([Signal.next(\`cancel\`), later(), Signal.next("approve")]);
      const c = await Signal["next"]("bracket");
      return [a, b, c];
    `),
    { names: ["approve", "bracket", "cancel", "reject"], computed: false },
  );
});

test("a workflow that waits on no signal has none", () => {
  assert.deepEqual(signals(`return await Task.run("x");`), { names: [], computed: false });
});

test("a computed name, or Signal used another way, makes the set open", () => {
  const cases = [
    `const kind = Inputs.kind; return await Signal.next(kind + "-done");`,
    `return await Signal.next(\`\${Inputs.kind}-done\`);`,
    `const wait = Signal.next; return await wait("x");`,
    `const S = Signal; return await S.next("x");`,
    `return await Signal[Inputs.how]("x");`,
  ];
  for (const source of cases) assert.equal(signals(source)?.computed, true, source);
  assert.deepEqual(signals(`const n = await Signal.next("a"); return await Signal.next(n);`), { names: ["a"], computed: true });
});
