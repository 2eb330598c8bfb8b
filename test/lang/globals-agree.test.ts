// The validator's list of globals and the interpreter's must be the same set: a name the
// validator accepts but the machine lacks would fail mid-run, which SPEC §2.1 forbids.

import { it } from "node:test";
import assert from "node:assert/strict";
import { FLOW_GLOBALS } from "../../src/lang/index.js";
import { GLOBAL_NAMES } from "../../src/vm/globals.js";

it("validator and interpreter know the same global names", () => {
  assert.deepEqual([...FLOW_GLOBALS].sort(), [...GLOBAL_NAMES].sort());
});
