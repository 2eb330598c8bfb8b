// `rhythm check` as SPEC §5 describes it, through the built CLI: valid files exit 0, every error
// of every file is reported as `file:line:col message` with exit 1, `--json`, a missing path
// exits 2, and the default path is ./workflows.

import { test } from "node:test";
import assert from "node:assert/strict";
import { jsonDocument, rhythm, tempFolder, type CliResult } from "./cli-process.js";

function check(files: Record<string, string>, args: string[]): CliResult {
  const t = tempFolder(files);
  try {
    return rhythm(["check", ...args], t.dir);
  } finally {
    t.remove();
  }
}

const VALID = {
  "flows/a.flow": 'const r = await Task.run("t", Inputs)\nreturn r\n',
  "flows/b.flow": 'async function main() {\n  await Timer.delay("1h")\n  return 1\n}\n',
};

// Two files with several errors each, one of them in a subfolder; plus a good file and a non-.flow
// file that must be ignored.
const BROKEN = {
  "flows/a.flow": "var x = 1\nconst y = new Foo()\n",
  "flows/good.flow": "return 1\n",
  "flows/notes.txt": "var is fine here: not a .flow file\n",
  "flows/sub/b.flow": 'let z = this\nclass A {}\nz = eval("1")\n',
};

const BROKEN_LINES = [
  "flows/a.flow:1:1 `var` is not supported; use `let` or `const`",
  "flows/a.flow:2:11 `new` is not supported; use object literals and functions",
  "flows/a.flow:2:15 unknown name `Foo`",
  "flows/sub/b.flow:1:9 `this` is not supported; pass the object as a parameter",
  "flows/sub/b.flow:2:1 `class` is not supported; use object literals and functions",
  "flows/sub/b.flow:3:5 `eval` is not supported; workflows cannot run code from strings",
];

test("valid files exit 0 and print no error lines", () => {
  const r = check(VALID, ["flows"]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, "checked 2 file(s): all load\n");
  const one = check(VALID, ["flows/a.flow"]);
  assert.equal(one.code, 0);
  assert.equal(one.stdout, "");
});

test("a folder with two bad files reports every error of both as file:line:col message on stdout, exit 1", () => {
  const r = check(BROKEN, ["flows"]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, BROKEN_LINES.join("\n") + "\n");
  assert.equal(r.stderr, "checked 3 file(s): 6 error(s) in 2 file(s)\n");
});

test("several paths: files and folders are all checked", () => {
  const r = check({ ...BROKEN, "more/c.flow": "return undefinedThing\n" }, ["flows/sub/b.flow", "more"]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, [...BROKEN_LINES.slice(3), "more/c.flow:1:8 unknown name `undefinedThing`"].join("\n") + "\n");
});

test("a syntax error is reported with its position", () => {
  const r = check({ "flows/s.flow": "let x = 1\nx = (2 +\n" }, ["flows"]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "flows/s.flow:3:1 unexpected end of file\n");
});

test("--json prints {files, errors: [{file, line, column, message}]}", () => {
  const bad = check(BROKEN, ["flows", "--json"]);
  assert.equal(bad.code, 1);
  const doc = jsonDocument(bad.stdout) as { files: number; errors: Record<string, unknown>[] };
  assert.deepEqual(Object.keys(doc), ["files", "errors"]);
  assert.deepEqual(doc, {
    files: 3,
    errors: BROKEN_LINES.map((l) => {
      const m = /^(\S+):(\d+):(\d+) (.*)$/.exec(l)!;
      return { file: m[1], line: Number(m[2]), column: Number(m[3]), message: m[4] };
    }),
  });
  for (const e of doc.errors) assert.deepEqual(Object.keys(e), ["file", "line", "column", "message"]);
  const good = check(VALID, ["flows", "--json"]);
  assert.equal(good.code, 0);
  assert.deepEqual(jsonDocument(good.stdout), { files: 2, errors: [] });
});

test("a missing path is a usage error: exit 2", () => {
  const r = check(VALID, ["flows", "nothere"]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, "rhythm check: no such file or folder: nothere\n(see rhythm check --help)\n");
});

test("the default path is ./workflows of the working directory", () => {
  const good = check({ "workflows/ok.flow": "return 1\n", "other/bad.flow": "var x\n" }, []);
  assert.equal(good.code, 0, good.stdout);
  assert.equal(good.stderr, "checked 1 file(s): all load\n");
  const bad = check({ "workflows/bad.flow": "return this\n" }, []);
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout, "workflows/bad.flow:1:8 `this` is not supported; pass the object as a parameter\n");
  const missing = check({ "other/ok.flow": "return 1\n" }, []);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, "rhythm check: no such file or folder: workflows\n(see rhythm check --help)\n");
});

test("what is known before running is reported too: built-in members, literal arguments, child workflows of the folder", () => {
  const files = {
    "flows/parent.flow":
      'const s = await Workflow.run("shipp")\nawait Signal.when("ok")\nawait Timer.delay("1 h")\nconst t = Date.parse(s)\nreturn Task.rn("x")\n',
    "flows/ship.flow": 'return await Workflow.run("ship")\n',
    "flows/sub/child.flow": 'return await Workflow.run("ship")\n',
  };
  const r = check(files, ["flows"]);
  assert.equal(r.code, 1);
  assert.equal(
    r.stdout,
    [
      'flows/parent.flow:1:30 unknown workflow "shipp": there is no shipp.flow in flows/; did you mean "ship"?',
      'flows/parent.flow:2:14 Signal.when("ok"): options { timeout } are required (use Signal.next to wait without a timeout)',
      'flows/parent.flow:3:19 Timer.delay: the duration must be a duration such as 30 (seconds), "500ms", "10s", "5m", "24h", "7d" or "1h30m", got "1 h"',
      "flows/parent.flow:4:16 unknown member `Date.parse`; `Date` has only `Date.now()`; keep times as epoch milliseconds or ISO strings",
      "flows/parent.flow:5:13 unknown member `Task.rn`; did you mean `Task.run`?",
      'flows/sub/child.flow:1:27 unknown workflow "ship": there is no ship.flow in flows/sub/',
    ].join("\n") + "\n",
  );
  assert.equal(r.stderr, "checked 3 file(s): 6 error(s) in 2 file(s)\n");
  // one file: its folder is still where its children are looked for
  const one = check(files, ["flows/ship.flow"]);
  assert.equal(one.code, 0, one.stdout);
});
