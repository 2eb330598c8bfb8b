// The budgets of an activation (SPEC §2.2, issue 14): built-ins charged by the work they do,
// wall-clock time, bytes made, log line and line-count caps, and a saved state refused while it
// is written. Each case runs straight and in resume mode (the state through JSON at every
// await), after an await, so the budget applies to a restored activation as well.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { runFlowFile, type RunFileResult } from "../../src/testing/index.js";
import type { Limits } from "../../src/vm/machine.js";

const dir = mkdtempSync(join(tmpdir(), "rhythm-budgets-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let cases = 0;
async function run(source: string, limits: Partial<Limits> = {}, resumeMode = false): Promise<RunFileResult> {
  const file = join(dir, `case${cases++}.flow`);
  writeFileSync(file, source);
  return runFlowFile(file, { limits, resumeMode, tasks: { t: { returns: 1 } } });
}

/** Runs straight and resumed; both must give the same result, which is returned. */
async function both(source: string, limits: Partial<Limits> = {}): Promise<RunFileResult> {
  const straight = await run(source, limits, false);
  const resumed = await run(source, limits, true);
  const view = (r: RunFileResult) => ({
    status: r.status,
    output: r.output,
    error: r.error,
    tasks: r.taskCalls.length,
    logs: r.logs.map((l) => l.message),
  });
  assert.deepEqual(view(resumed), view(straight));
  return straight;
}

function message(r: RunFileResult): string {
  return String((r.error as { message?: unknown } | null)?.message);
}

const AWAIT_FIRST = "await Timer.delay(1)\n";

describe("built-ins are charged by the work they do", () => {
  // each loop runs a few hundred instructions of its own: without the charges all would complete
  const loops: [string, string][] = [
    ["repeat", 'let n = 0; for (let i = 0; i < 100; i++) n += "x".repeat(200000).length; return n'],
    ["padStart", 'let n = 0; for (let i = 0; i < 100; i++) n += "".padStart(200000, "ab").length; return n'],
    ["slice + sort", 'const a = "x".repeat(5000).split(""); for (let i = 0; i < 100; i++) a.slice().sort(); return a.length'],
    [
      "sort by the default order",
      "const a = Array.from({ length: 2000 }, (_, i) => (i * 7919) % 2000); for (let i = 0; i < 100; i++) a.sort(); return a.length",
    ],
    [
      "join",
      'const a = Array.from({ length: 20000 }); let n = 0; for (let i = 0; i < 100; i++) n += a.join("ab").length; return n',
    ],
    [
      "indexOf (array)",
      "const a = Array.from({ length: 20000 }); let n = 0; for (let i = 0; i < 100; i++) n += a.indexOf(1); return n",
    ],
    [
      "includes (string)",
      'const s = "x".repeat(100000); let n = 0; for (let i = 0; i < 100; i++) if (s.includes("y")) n++; return n',
    ],
    [
      "JSON.stringify",
      "const a = Array.from({ length: 2000 }, () => 1); let n = 0; for (let i = 0; i < 100; i++) n += JSON.stringify(a).length; return n",
    ],
    [
      "JSON.parse",
      'const t = "[" + "1,".repeat(10000) + "1]"; let n = 0; for (let i = 0; i < 100; i++) n += JSON.parse(t).length; return n',
    ],
    [
      "Object.keys",
      'const o = Object.fromEntries(Array.from({ length: 500 }, (_, i) => ["k" + i, i])); let n = 0; for (let i = 0; i < 100; i++) n += Object.keys(o).length; return n',
    ],
    [
      "object spread",
      'const o = Object.fromEntries(Array.from({ length: 500 }, (_, i) => ["k" + i, i])); let n = 0; for (let i = 0; i < 100; i++) n += Object.keys({ ...o }).length; return n',
    ],
    [
      "array spread",
      "const a = Array.from({ length: 20000 }); let n = 0; for (let i = 0; i < 100; i++) n += [...a].length; return n",
    ],
    [
      "toUpperCase",
      'const s = "x".repeat(100000); let n = 0; for (let i = 0; i < 100; i++) n += s.toUpperCase().length; return n',
    ],
    [
      "replaceAll",
      'const s = "ab".repeat(5000); let n = 0; for (let i = 0; i < 100; i++) n += s.replaceAll("a", "c").length; return n',
    ],
    [
      "map with a built-in callback",
      "const a = Array.from({ length: 2000 }); let n = 0; for (let i = 0; i < 100; i++) n += a.map(String).length; return n",
    ],
  ];
  const limits = { maxInstructions: 100_000 };
  for (const [name, body] of loops) {
    test(`${name} in a loop runs out of instructions, past any catch`, async () => {
      const r = await both(`${AWAIT_FIRST}try { ${body} } catch (e) { return "caught" }`, limits);
      assert.equal(r.status, "failed", `${name}: ${JSON.stringify(r.output)}`);
      assert.match(message(r), /^instruction limit exceeded/);
      // the same work a few times fits: it is the total that is bounded
      const few = await run(`${AWAIT_FIRST}${body.replace("i < 100", "i < 2")}`, limits);
      assert.equal(few.status, "completed", `${name}: ${message(few)}`);
    });
  }

  test("everyday use stays cheap: building a 100 KB text by appending costs what it appends", async () => {
    const r = await both(`${AWAIT_FIRST}let s = ""; for (let i = 0; i < 10000; i++) s += "line " + i + "\\n"; return s.length`);
    assert.equal(r.status, "completed", message(r));
  });
});

describe("memory and time budgets", () => {
  test("arrays of arrays fail on the memory budget before the process is in danger", async () => {
    const r = await both(
      `${AWAIT_FIRST}try { const a = Array.from({ length: 3000 }, () => Array.from({ length: 2e6 })); return a.length } catch (e) { return "caught" }`,
      {
        maxInstructions: 1e12,
        maxActivationBytes: 40_000_000,
      },
    );
    assert.equal(r.status, "failed");
    assert.match(
      message(r),
      /^activation memory limit exceeded: the workflow made more than 40000000 bytes of values in one activation \(raise it with the maxActivationBytes limit\)$/,
    );
  });

  test("objects made by literals count too", async () => {
    const r = await both(`${AWAIT_FIRST}const a = []; for (let i = 0; i < 1e9; i++) a.push({ i, j: [i, i] }); return a.length`, {
      maxInstructions: 1e12,
      maxActivationBytes: 10_000_000,
    });
    assert.equal(r.status, "failed");
    assert.match(message(r), /^activation memory limit exceeded/);
  });

  test("an activation that computes longer than maxActivationMs fails", async () => {
    const r = await run(
      `${AWAIT_FIRST}try { while (true) {} } catch (e) { return "caught" }`,
      { maxInstructions: 1e15, maxActivationMs: 50 },
      true,
    );
    assert.equal(r.status, "failed");
    assert.match(
      message(r),
      /^activation time limit exceeded: the workflow computed for more than 50 ms without awaiting \(raise it with the maxActivationMs limit\)$/,
    );
  });
});

describe("bounded saving and logging", () => {
  test("a state holding 300 references to one 2 MB string is refused while it is written, and its tasks are not started", async () => {
    const r = await both(
      `const s = "x".repeat(2000000); const refs = Array.from({ length: 300 }).fill(s)
       for (let i = 0; i < 50; i++) Task.run("t")
       await Timer.delay(1)
       return refs.length`,
    );
    assert.equal(r.status, "failed");
    assert.match(
      message(r),
      /^state size limit exceeded: the saved state would be at least \d+ bytes, more than the limit of 2097152/,
    );
    assert.equal(r.taskCalls.length, 0, "a failed activation leaves no effects");
  });

  test("a giant console.log is cut at maxLogLineChars while it is written", async () => {
    const r = await both(
      `${AWAIT_FIRST}console.log(Array.from({ length: 3000 }).fill("x".repeat(2000000))); console.log("a", "y".repeat(50)); return 1`,
      {
        maxLogLineChars: 40,
      },
    );
    assert.equal(r.status, "completed", message(r));
    assert.deepEqual(
      r.logs.map((l) => l.message),
      [
        '["' + "x".repeat(38) + " … [cut: log line too long]",
        "a yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy … [cut: log line too long]",
      ],
    );
  });

  test("a runtime line (an unhandled error) is cut with its full length", async () => {
    const r = await both(`${AWAIT_FIRST}const f = async () => { throw "e".repeat(100) }; f(); return 1`, { maxLogLineChars: 60 });
    assert.equal(r.status, "completed");
    assert.match(r.logs[0]!.message, /^unhandled error in a concurrent function: e+ … \[cut: 142 characters\]$/);
  });

  test("lines past maxLogLines in one activation are dropped and counted", async () => {
    const r = await both(
      `${AWAIT_FIRST}for (let i = 0; i < 1500; i++) console.log(i); await Timer.delay(1); console.log("next"); return 1`,
    );
    assert.equal(r.status, "completed");
    const lines = r.logs.map((l) => l.message);
    assert.equal(lines.length, 1002);
    assert.equal(lines[999], "999");
    assert.equal(lines[1000], "500 log lines dropped: more than 1000 lines in one activation (the maxLogLines limit)");
    assert.equal(lines[1001], "next", "the next activation logs again");
  });

  test("maxActivationLogChars bounds what one activation logs in all", async () => {
    const r = await both(
      `${AWAIT_FIRST}for (let i = 0; i < 10; i++) console.log("z".repeat(30)); await Timer.delay(1); console.log("next"); return 1`,
      {
        maxActivationLogChars: 100,
      },
    );
    assert.deepEqual(
      r.logs.map((l) => l.message),
      [
        ...Array.from({ length: 4 }, () => "z".repeat(30)),
        "6 log lines dropped: more than 100 characters in one activation (the maxActivationLogChars limit)",
        "next",
      ],
    );
  });

  test("maxRunLogLines counts over activations (kept in the saved state)", async () => {
    const r = await both(
      `for (let i = 0; i < 3; i++) { console.log("a" + i); await Timer.delay(1) }\nconsole.log("b"); console.log("c"); return 1`,
      {
        maxRunLogLines: 4,
      },
    );
    assert.deepEqual(
      r.logs.map((l) => l.message),
      ["a0", "a1", "a2", "b", "1 log line dropped: more than 4 lines in this execution (the maxRunLogLines limit)"],
    );
  });
});

test("an array hole made by a JSON.parse reviver is the same hole after an await", async () => {
  const r = await both(
    `const a = JSON.parse("[1,2,3]", (k, v) => (v === 2 ? undefined : v))
     await Timer.delay(1)
     return [a.length, Object.hasOwn(a, 1), Object.keys(a), a.map((x) => x * 10), a.indexOf(undefined), a.includes(undefined)]`,
  );
  assert.equal(r.status, "completed", message(r));
  assert.deepEqual(r.output, [3, false, ["0", "2"], [10, null, 30], -1, true]);
});
