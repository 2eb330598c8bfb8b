// The validator's list of globals and the globals the machine really provides must be the same
// set: a name the validator accepts but the machine lacks would fail mid-run (SPEC §2.1 forbids it).

import { it } from "node:test";
import assert from "node:assert/strict";
import { FLOW_GLOBALS } from "../../src/lang/index.js";
import { globalsFor } from "../../src/vm/globals.js";
import { newObject } from "../../src/vm/values.js";

it("validator and interpreter know the same global names", () => {
  assert.deepEqual([...FLOW_GLOBALS].sort(), Object.keys(globalsFor(newObject(), newObject())).sort());
});
