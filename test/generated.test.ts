// Random valid programs (seeded): handle-free ones must agree with Node and with themselves in
// resume mode; ones with tasks, timers and concurrency must give the same result straight and in
// resume mode. `npm run fuzz` covers mutated programs; this covers deep, valid ones.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { checkFlow } from "../src/lang/index.js";
import { runFlowFile, type RunFileResult } from "../src/testing/index.js";
import { seededRandom } from "../src/testing/random.js";
import { runAsJavaScript } from "./support/js-oracle.js";
import { generateProgram } from "./support/program-generator.js";

const dir = mkdtempSync(join(tmpdir(), "rhythm-generated-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const COUNT = Number(process.env.RHYTHM_GENERATED ?? 150);

function comparable(r: RunFileResult) {
  return { status: r.status, output: r.output, error: r.error, logs: r.logs.map((l) => l.message) };
}

async function runBoth(source: string, i: number) {
  const file = join(dir, `p${i}.flow`);
  writeFileSync(file, source);
  const errors = checkFlow(source, file);
  assert.deepEqual(
    errors.map((e) => e.format()),
    [],
    `generated program does not load:\n${source}`,
  );
  const options = { tasks: { echo: { echo: true as const } }, limits: { maxInstructions: 2_000_000 } };
  const straight = await runFlowFile(file, { ...options, resumeMode: false });
  const resumed = await runFlowFile(file, { ...options, resumeMode: true });
  assert.deepEqual(comparable(resumed), comparable(straight), `resume mode differs for:\n${source}`);
  return { file, straight };
}

test(`${COUNT} generated handle-free programs agree with Node, straight and resumed`, async () => {
  const rand = seededRandom(7);
  let failed = 0;
  for (let i = 0; i < COUNT; i++) {
    const source = generateProgram(rand, { pure: true });
    const { file, straight } = await runBoth(source, i);
    const node = await runAsJavaScript(source, file, {});
    assert.equal(
      straight.status,
      node.status,
      `status for:\n${source}\nours: ${JSON.stringify(straight.error)} node: ${JSON.stringify(node.error)}`,
    );
    if (node.status === "completed") assert.deepEqual(straight.output, node.output, `output for:\n${source}`);
    else {
      failed++;
      assert.equal((straight.error as { message: string }).message, node.error!.message, `error for:\n${source}`);
    }
  }
  assert.ok(failed < COUNT, "every program failed: the generator proves nothing");
});

test(`${COUNT} generated programs with tasks, timers and concurrency give the same result straight and resumed`, async () => {
  const rand = seededRandom(11);
  const statuses = new Set<string>();
  for (let i = 0; i < COUNT; i++) {
    const { straight } = await runBoth(generateProgram(rand, { pure: false }), 1000 + i);
    statuses.add(straight.status);
  }
  assert.ok(statuses.has("completed"), "no generated program completed");
});
