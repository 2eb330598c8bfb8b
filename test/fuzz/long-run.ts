// `npm run fuzz [-- count [seed]]`: a long fuzz session (default 5,000 mutants, random seed).
// Prints the seed first so any failure can be replayed.

import { loadCorpus } from "../support/corpus.js";
import { checkMutant, mutants } from "../support/fuzz.js";

const count = Number(process.argv[2] ?? 5000);
const seed = Number(process.argv[3] ?? Math.floor(Math.random() * 2 ** 31));
console.log(`fuzzing ${count} mutants, seed ${seed}`);
const tally: Record<string, number> = {};
const started = Date.now();
for (const m of mutants(loadCorpus(), count, seed)) {
  const v = await checkMutant(m);
  const key = v.kind === "ran" ? `ran:${v.status}` : "rejected";
  tally[key] = (tally[key] ?? 0) + 1;
}
console.log(JSON.stringify(tally), `in ${((Date.now() - started) / 1000).toFixed(1)} s`);
