// What a mistyped command line gets: the command's own message, with the nearest option when one
// is close ("unknown option --inptus; did you mean --inputs?"), and --help texts that say what
// really happens. No database: every case is refused before anything connects.

import assert from "node:assert/strict";
import { after, test } from "node:test";
import { rhythm, tempFolder } from "./cli-process.js";

const project = tempFolder({ "main.flow": "return 1\n" });
after(() => project.remove());

test("an unknown option is named, with the nearest known one when it is close", () => {
  const cases: [string[], string][] = [
    [["start", "onboard_user", "--inptus", "{}"], "rhythm start: unknown option --inptus; did you mean --inputs?"],
    [["task", "send", "--retires", "2"], "rhythm task: unknown option --retires; did you mean --retries?"],
    [["list", "--stauts", "failed"], "rhythm list: unknown option --stauts; did you mean --status?"],
    [["worker", "--concurency", "2"], "rhythm worker: unknown option --concurency; did you mean --concurrency?"],
    [["get", "x", "--hlep"], "rhythm get: unknown option --hlep; did you mean --help?"],
    [["run", "main.flow", "--frobnicate"], "rhythm run: unknown option --frobnicate"],
    [["list", "-x"], "rhythm list: unknown option -x"],
    [["start", "onboard_user", "--inputs"], "rhythm start: --inputs needs a value"],
    [["start", "onboard_user", "--wait=yes"], "rhythm start: --wait takes no value"],
  ];
  for (const [args, message] of cases) {
    const r = rhythm(args, project.dir);
    assert.equal(r.code, 2, args.join(" "));
    assert.equal(r.stderr, `${message}\n(see rhythm ${args[0]} --help)\n`, args.join(" "));
    assert.equal(r.stdout, "");
  }
});

test("task --help says a worker's registered options apply to tasks queued from the command line", () => {
  const help = rhythm(["task", "--help"], project.dir).stdout;
  assert.doesNotMatch(help, /do not reach/);
  assert.match(
    help,
    /--retries N +retries after the first attempt \(default: the options the worker registered\n +the task with, else 3\)/,
  );
});
