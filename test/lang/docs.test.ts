// Keeps docs/errors-validation.md true: every ```js example there is run through the checker and
// must give exactly the `// line:col message` lines written under it, and every message of the
// table in src/lang/messages.ts must appear in some example. Examples are checked as `rhythm
// check` checks a file of a `workflows/` folder holding ship.flow and charge.flow.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { msg } from "../../src/lang/messages.js";
import { problems } from "./problems.js";

// Tests run from dist/test/lang; the page stays in the source tree.
const PAGE = readFileSync(new URL("../../../docs/errors-validation.md", import.meta.url), "utf8");

interface Example {
  source: string;
  expected: string[];
}

function examples(page: string): Example[] {
  const out: Example[] = [];
  const lines = page.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})js$/.exec(lines[i]);
    if (!open) continue;
    const body: string[] = [];
    for (i++; lines[i] !== open[1]; i++) body.push(lines[i]);
    let split = body.length;
    while (split > 0 && /^\/\/ \d+:\d+ /.test(body[split - 1])) split--;
    out.push({
      source: body.slice(0, split).join("\n"),
      expected: body.slice(split).map((l) => l.slice(3)),
    });
  }
  return out;
}

// Messages no short example can produce: a guard for syntax future acorn versions may add, the
// stack-depth guard, and the "did you mean" fragment (covered inside `unknownName`).
const NOT_IN_EXAMPLES = new Set(["otherSyntax", "tooDeep", "didYouMean"]);

const FOLDER = { folder: "workflows/", names: new Set(["ship", "charge"]) };

describe("docs/errors-validation.md", () => {
  const all = examples(PAGE);

  it("has examples", () => assert.ok(all.length > 40, `only ${all.length}`));

  for (const { source, expected } of all) {
    it(source.split("\n")[0], () => assert.deepEqual(problems(source, FOLDER), expected));
  }

  it("shows every message of the table", () => {
    const shown = all.flatMap((e) => e.expected.map((l) => l.replace(/^\d+:\d+ /, "")));
    const SENTINEL = "\u0000";
    for (const [key, build] of Object.entries(msg)) {
      if (NOT_IN_EXAMPLES.has(key)) continue;
      const builder = build as (...args: unknown[]) => string;
      const variants = [builder(...Array<string>(builder.length).fill(SENTINEL))];
      if (key === "method") variants.push(builder(SENTINEL, false));
      // the examples check a folder, not a deploy (whose message also says nothing is stored)
      if (key === "unknownWorkflow") variants.splice(0, 1, builder(SENTINEL, SENTINEL, false, SENTINEL));
      for (const text of variants) {
        const pattern = text
          .split(SENTINEL)
          .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
          .join(".+");
        const re = new RegExp(`^${pattern}$`);
        assert.ok(
          shown.some((s) => re.test(s)),
          `no example shows the "${key}" message: ${text.replaceAll(SENTINEL, "…")}`,
        );
      }
    }
  });
});
