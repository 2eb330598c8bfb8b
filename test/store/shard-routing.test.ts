// The statements docs/scale.md says route to one run's shard on Citus do: each distributed table
// they touch is filtered by the distribution key, root_id (read from the SQL text). Every
// statement of the engine is classified in the catalogue (a new one fails here until it is), and
// docs/scale.md lists each with the catalogue's placement.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { statementsFor } from "../../src/store/queries/index.js";
import { CATALOGUE, DISTRIBUTED, REFERENCE, tableUses, unrouted } from "./shard-catalogue.js";

const SCHEMA = "rhythm";
const statements: Record<string, string> = statementsFor(SCHEMA);
const routed = Object.entries(CATALOGUE).filter(([, e]) => e.placement === "single" || e.placement === "per-root");

describe("statements and shards (docs/scale.md)", () => {
  test("every statement of the engine is classified, and nothing else", () => {
    const names = Object.keys(statements).sort();
    assert.deepEqual(
      names.filter((n) => !(n in CATALOGUE)),
      [],
      "classify these in test/store/shard-catalogue.ts",
    );
    assert.deepEqual(
      Object.keys(CATALOGUE).filter((n) => !(n in statements)),
      [],
      "no longer statements",
    );
  });

  test("single-shard and per-root statements filter every distributed table by root_id", () => {
    assert.ok(routed.length >= 6);
    for (const [name] of routed) {
      const uses = tableUses(statements[name], SCHEMA).filter((u) => (DISTRIBUTED as readonly string[]).includes(u.table));
      assert.ok(uses.length > 0, `${name} touches a distributed table`);
      assert.deepEqual(unrouted(statements[name], SCHEMA), [], `${name} reaches every shard`);
      // the router planner routes on the key compared to a value it knows before it plans
      if (CATALOGUE[name].placement === "single")
        assert.match(statements[name], /(?<![\w.])root_id = \$\d/, `${name} compares root_id to a parameter`);
    }
  });

  test("reference statements touch no distributed table; every table is placed", () => {
    const placed = new Set<string>([...DISTRIBUTED, ...REFERENCE]);
    for (const [name, sql] of Object.entries(statements)) {
      for (const u of tableUses(sql, SCHEMA))
        assert.ok(placed.has(u.table), `${name}: table ${u.table} is neither distributed nor reference`);
      if (CATALOGUE[name]?.placement === "reference")
        assert.deepEqual(
          tableUses(sql, SCHEMA).filter((u) => (DISTRIBUTED as readonly string[]).includes(u.table)),
          [],
          `${name} is not reference-only`,
        );
    }
  });

  test("a hot multi-shard statement says what would route it", () => {
    for (const [name, e] of Object.entries(CATALOGUE))
      if (e.hot && e.placement === "multi") assert.ok(e.fix && e.fix.length > 0, `${name} has no fix`);
  });

  test("the check catches a statement that names no root", () => {
    const q = (s: string) => s.replaceAll(":SCHEMA", `"${SCHEMA}"`);
    assert.deepEqual(unrouted(q("update :SCHEMA.executions set status = 'queued' where id = $1"), SCHEMA), [
      "executions not filtered by root_id",
    ]);
    assert.deepEqual(unrouted(q("update :SCHEMA.executions set root_id = $2 where id = $1"), SCHEMA), [
      "executions not filtered by root_id",
    ]);
    assert.deepEqual(
      unrouted(
        q("select 1 from :SCHEMA.timers t join :SCHEMA.executions e on e.id = t.execution_id where t.root_id = $1"),
        SCHEMA,
      ),
      ["executions e not filtered by root_id"],
    );
    assert.deepEqual(unrouted(q("insert into :SCHEMA.inbox (execution_id, handle) values ($1, $2)"), SCHEMA), [
      "insert into inbox without root_id",
    ]);
    assert.deepEqual(unrouted(q("delete from :SCHEMA.timers where root_id = $2 and execution_id = $1"), SCHEMA), []);
  });

  test("docs/scale.md lists every statement with its placement", () => {
    const doc = readFileSync(new URL("../../../docs/scale.md", import.meta.url), "utf8");
    const rows = new Map<string, string>();
    for (const m of doc.matchAll(/^\|\s*`(\w+)`\s*\|([^\n]*)$/gm)) rows.set(m[1], m[2]);
    for (const [name, e] of Object.entries(CATALOGUE)) {
      const row = rows.get(name);
      assert.ok(row !== undefined, `docs/scale.md has no row for ${name}`);
      const cells = row.split("|").map((c) => c.trim());
      assert.ok(cells.includes(e.placement), `docs/scale.md says ${name} is not ${e.placement}: ${row}`);
    }
  });
});
