// The README shows real files and real output. A code block under a line naming a file
// (`examples/onboarding/main.ts`:) is that file, byte for byte; a block marked
// `<!-- the output of the command above -->` is what the sh block before it prints when run
// (execution ids aside, and lines of tasks that run concurrently in any order).

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { cliEnv, rhythm, tempFolder } from "./cli/cli-process.js";
import { postgresAvailable, postgresDatabase } from "./support/database.js";

const ROOT = process.cwd();
const OUTPUT_MARK = "<!-- the output of the command above -->";

interface Block {
  lang: string;
  text: string;
  /** The line above the block (blank lines and prettier-ignore comments skipped). */
  label: string;
  line: number;
}

function blocks(markdown: string): Block[] {
  const lines = markdown.split("\n");
  const found: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})(\w*)$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.indexOf(open[1], i + 1);
    assert.ok(end > i, `README line ${i + 1}: the block is not closed`);
    let j = i - 1;
    while (j >= 0 && (lines[j].trim() === "" || /^<!-- prettier-ignore-(start|end) -->$/.test(lines[j]))) j--;
    found.push({ lang: open[2], text: lines.slice(i + 1, end).join("\n") + "\n", label: lines[j] ?? "", line: i + 1 });
    i = end;
  }
  return found;
}

const readme = blocks(readFileSync("README.md", "utf8"));
const hasServer = await postgresAvailable();

/** Shell words of one command, as sh reads the README's (quotes, backslash-newline, comments). */
function shellWords(command: string): string[] {
  const words: string[] = [];
  const re = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(#.*$)|([^\s'"]+)|(\s+)/gm;
  let word: string | null = null;
  for (const m of command.replace(/\\\n/g, " ").matchAll(re)) {
    if (m[3] !== undefined) break;
    if (m[5] !== undefined) {
      if (word !== null) words.push(word);
      word = null;
      continue;
    }
    word = (word ?? "") + (m[1] ?? m[2]?.replace(/\\(.)/g, "$1") ?? m[4]);
  }
  if (word !== null) words.push(word);
  return words;
}

/** Ids differ from run to run; concurrent tasks may start in another order. */
function normalized(output: string): { lines: string[]; tasks: string[] } {
  const lines = output.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<id>").split("\n");
  return { lines: lines.filter((l) => !l.startsWith("  [task] ")), tasks: lines.filter((l) => l.startsWith("  [task] ")).sort() };
}

/** Runs the built onboarding example (what `npm run example` runs after building) in an empty folder. */
function runExample(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const folder = tempFolder();
  // the example reads examples/onboarding/workflows from its working directory, as from the repo's root
  symlinkSync(join(ROOT, "examples"), join(folder.dir, "examples"));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "dist/examples/onboarding/main.js")], {
      cwd: folder.dir,
      env: cliEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      folder.remove();
      resolvePromise({ code, stdout, stderr });
    });
  });
}

describe("the README", () => {
  test("every block under a file's name is that file", () => {
    const files = readme.filter((b) => /^`[^`]+`:$/.test(b.label));
    assert.ok(files.length >= 3, "the README shows the workflow, main.ts and a test file");
    for (const b of files) {
      const path = b.label.slice(1, -2);
      assert.equal(b.text, readFileSync(resolve(ROOT, path), "utf8"), `README line ${b.line} is not ${path}`);
    }
  });

  const outputs = readme.flatMap((b, i) => {
    if (b.label !== OUTPUT_MARK) return [];
    const command = readme.slice(0, i).findLast((c) => c.lang === "sh");
    assert.ok(command, `README line ${b.line}: no command above the output`);
    return [{ output: b, command: command.text.trim() }];
  });

  test("the output blocks are what their commands print", async () => {
    assert.deepEqual(
      outputs.map((o) => shellWords(o.command).slice(0, 2)),
      [
        ["npm", "run"],
        ["npx", "rhythm"],
      ],
    );
    for (const { output, command } of outputs) {
      const words = shellWords(command);
      let printed: string;
      if (command === "npm run example") {
        // the script builds, then runs the example
        assert.match(
          JSON.parse(readFileSync("package.json", "utf8")).scripts.example,
          / && node dist\/examples\/onboarding\/main\.js$/,
        );
        const r = await runExample({});
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stderr, "", "the example prints no warning");
        printed = r.stdout;
      } else {
        const r = rhythm(words.slice(2), ROOT);
        printed = r.stdout;
      }
      const want = normalized(output.text);
      const got = normalized(printed);
      assert.deepEqual(got.lines, want.lines, `README line ${output.line}: the output of ${command}`);
      assert.deepEqual(got.tasks, want.tasks, `README line ${output.line}: the tasks of ${command}`);
    }
  });

  // (only where a server answers: without one there is nothing to connect the example to)
  if (hasServer)
    test("on a Postgres server, the example says so", async () => {
      const db = await postgresDatabase();
      try {
        const r = await runExample({ RHYTHM_DATABASE_URL: db.url! });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.split("\n")[0], `worker started (${db.url})`);
        assert.equal(r.stderr, "", "no warning on Postgres either");
      } finally {
        await db.drop();
      }
    });
});
