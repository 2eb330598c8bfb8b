// A short, seeded fuzz run for CI: mutated corpus programs must load with located errors or run
// normally (same result straight and resumed). `npm run fuzz` runs long, random-seeded sessions.

import assert from "node:assert/strict";
import { test } from "node:test";
import { loadCorpus } from "./support/corpus.js";
import { checkMutant, mutants } from "./support/fuzz.js";

test("300 mutated programs: clean errors or normal runs, never a crash or a hang", async () => {
  const verdicts = { rejected: 0, ran: 0 };
  for (const m of mutants(loadCorpus(), 300, 20261125)) verdicts[(await checkMutant(m)).kind]++;
  // Both paths must really be exercised, or the test proves nothing.
  assert.ok(verdicts.rejected > 30, `only ${verdicts.rejected} mutants were rejected`);
  assert.ok(verdicts.ran > 30, `only ${verdicts.ran} mutants ran`);
});
