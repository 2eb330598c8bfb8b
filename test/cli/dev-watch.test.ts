// `rhythm dev` watches what it runs, driven as a real process: a changed .flow is deployed as a
// new version (new runs use it, a running one keeps its own), a .flow that stops loading prints
// its errors and the previous version stays, a changed tasks module — or a file it imports — is
// reloaded in place, and one that stops loading leaves the worker with the tasks it had; and it
// says what the workflows do (started, suspended where, completed, failed where, console lines).
// On the embedded database, started with RHYTHM_DATABASE_URL set to nothing (which counts as unset).

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { background, until } from "./background.js";
import { jsonDocument, rhythm, tempFolder, type CliResult } from "./cli-process.js";

const flow = (version: number) => `const answer = await Signal.next("go");
const shouted = await Task.run("shout", { text: Inputs.name });
return { version: ${version}, shouted, answer };
`;

const project = tempFolder({
  "package.json": '{ "type": "module" }\n',
  "workflows/greet.flow": flow(1),
  "workflows/oops.flow": 'console.log("about to fail");\nconst x = null;\nreturn x.y;\n',
  "lib.ts": 'export const suffix: string = "!";\n',
  "tasks.ts": `import { suffix } from "./lib.js";
export default { shout: async (inputs: { text: string }) => inputs.text.toUpperCase() + suffix };
`,
});
after(() => project.remove());

const write = (path: string, text: string) => writeFileSync(join(project.dir, path), text);

function cli(...args: string[]): CliResult {
  const r = rhythm(args, project.dir);
  assert.equal(r.code, 0, `rhythm ${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
  return r;
}

const execution = (id: string) =>
  jsonDocument(cli("get", id, "--json").stdout) as { status: string; version: string; output: unknown };

test("rhythm dev redeploys changed workflows, reloads a changed tasks module, and says what workflows do", async () => {
  const dev = background(["dev", "--tasks", "tasks.ts"], project.dir, { RHYTHM_DATABASE_URL: "" });
  await dev.waitFor(/embedded PGlite \(\.\/\.rhythm\/data\) served at postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres;/, 60_000);
  await dev.waitFor(/serving queue\(s\) default with tasks shout\n/, 30_000);
  await dev.waitFor(/watching workflows\/\*\.flow and tasks\.ts \(with the files it imports\)/);

  // a run of version 1, suspended on its signal
  const first = cli("start", "greet", "--inputs", '{"name":"ada"}').stdout.trim();
  await until("the first run to suspend", () => execution(first).status === "suspended");
  const v1 = execution(first).version;

  // a new version: deployed, new runs use it
  let mark = dev.stderr().length;
  write("workflows/greet.flow", flow(2));
  const [, v2short, was] = await dev.waitFor(
    /workflow greet ([0-9a-f]{12}) deployed \(was ([0-9a-f]{12})\): new runs use it, running ones keep theirs\n/,
    20_000,
    mark,
  );
  assert.equal(was, v1.slice(0, 12));
  const second = cli("start", "greet", "--inputs", '{"name":"bo"}').stdout.trim();
  await until("the second run to suspend", () => execution(second).status === "suspended");
  assert.equal(execution(second).version.slice(0, 12), v2short);

  // a file that no longer loads: its errors, and version 2 stays
  mark = dev.stderr().length;
  write("workflows/greet.flow", "var x = 1;\n" + flow(3));
  await dev.waitFor(/^workflows\/greet\.flow:1:1 `var` is not supported; use `let` or `const`\n/m, 20_000, mark);
  await dev.waitFor(/nothing deployed: workflows has errors; the previous versions stay in use\n/, 20_000, mark);
  const third = cli("start", "greet", "--inputs", '{"name":"cy"}').stdout.trim();
  assert.equal(execution(third).version.slice(0, 12), v2short);

  // each run finishes on its own version
  cli("signal", first, "go");
  cli("signal", second, "go");
  await until("both runs to finish", () => execution(first).status === "completed" && execution(second).status === "completed");
  assert.deepEqual(execution(first).output, { version: 1, shouted: "ADA!", answer: null });
  assert.deepEqual(execution(second).output, { version: 2, shouted: "BO!", answer: null });

  // what the workflows did, as they did it
  const said = (id: string) =>
    dev
      .stderr()
      .split("\n")
      .filter((l) => l.includes(` ${id} `))
      .filter((l) => !l.includes(" task shout "));
  await dev.waitFor(new RegExp(`workflow greet ${first} completed`));
  assert.deepEqual(said(first), [
    `rhythm dev: workflow greet ${first} started (version ${v1.slice(0, 12)})`,
    `rhythm dev: workflow greet ${first} suspended: waiting on signal "go" at workflows/greet.flow:1:16 (in main)`,
    `rhythm dev: workflow greet ${first} suspended: waiting on task "shout" at workflows/greet.flow:2:17 (in main)`,
    `rhythm dev: workflow greet ${first} completed: {"version":1,"shouted":"ADA!","answer":null}`,
  ]);
  const oops = cli("start", "oops").stdout.trim();
  await dev.waitFor(new RegExp(`workflow oops ${oops} failed`));
  const [started, log, failed] = said(oops);
  assert.match(started, /started \(version [0-9a-f]{12}\)$/);
  assert.equal(log, `rhythm dev: workflow oops ${oops} console.log at workflows/oops.flow:1: about to fail`);
  assert.match(
    failed,
    new RegExp(`^rhythm dev: workflow oops ${oops} failed: TypeError: .* at workflows/oops\\.flow:3:\\d+ \\(main\\)$`),
  );

  // a file the tasks module imports changes: the module is loaded afresh, the worker restarted
  mark = dev.stderr().length;
  write("lib.ts", 'export const suffix: string = "?";\n');
  await dev.waitFor(/tasks\.ts changed: restarting the worker with its tasks \(running tasks finish first\)\n/, 20_000, mark);
  await dev.waitFor(/serving queue\(s\) default with tasks shout\n/, 20_000, mark);
  const shout = (text: string) =>
    (
      jsonDocument(cli("task", "shout", "--inputs", JSON.stringify({ text }), "--wait", "--timeout", "20", "--json").stdout) as {
        output: unknown;
      }
    ).output;
  assert.equal(shout("hey"), "HEY?");

  // a module that does not load: said, and the worker keeps its tasks
  mark = dev.stderr().length;
  write("tasks.ts", "export default { shout: async (inputs) => { return inputs.text. };\n");
  await dev.waitFor(
    /rhythm dev: tasks module tasks\.ts did not load: [^]*?\nrhythm dev: the worker keeps the tasks it has\n/,
    20_000,
    mark,
  );
  assert.equal(shout("still"), "STILL?");

  // fixed, with a new task
  mark = dev.stderr().length;
  write(
    "tasks.ts",
    `import { suffix } from "./lib.js";
export default {
  shout: async (inputs: { text: string }) => inputs.text.toUpperCase() + suffix,
  whisper: async (inputs: { text: string }) => inputs.text.toLowerCase(),
};
`,
  );
  await dev.waitFor(/serving queue\(s\) default with tasks shout, whisper\n/, 20_000, mark);
  const whisper = jsonDocument(
    cli("task", "whisper", "--inputs", '{"text":"QUIET"}', "--wait", "--timeout", "20", "--json").stdout,
  ) as {
    output: unknown;
  };
  assert.equal(whisper.output, "quiet");

  assert.equal(await dev.stop("SIGTERM"), 0);
  assert.match(dev.stderr(), /rhythm dev: stopped\n$/);
});

test("--no-worker serves the database without a worker, and refuses worker options", () => {
  const r = rhythm(["dev", "--no-worker", "--tasks", "tasks.ts"], project.dir);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "rhythm dev: --tasks runs a worker: it does not go with --no-worker\n(see rhythm dev --help)\n");
});
