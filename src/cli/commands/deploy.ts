// `rhythm deploy`: stores every .flow version of a folder without running a worker. All or
// nothing: when any file does not load, its errors are printed and nothing is stored (exit 2).

import { join } from "node:path";
import { UsageError, parseCommandArgs, positionalArgs, type Command } from "../command.js";
import { DATABASE_HELP, DATABASE_OPTIONS, note, printJson, withRhythm } from "../engine-client.js";
import { shortVersion } from "../format-execution.js";
import { workflowsFolder } from "../workflows-folder.js";

const help = `Usage: rhythm deploy [--workflows DIR] [options]

Stores every .flow file of the folder (default ./workflows) under its name and the sha256 of
its source. New executions use the newest version; running ones keep theirs.

Options:
  --workflows DIR      folder of .flow files (default ./workflows)
${DATABASE_HELP}

--json prints { "workflows": [{ "name", "version", "file" }] }.

Exit codes: 0 stored; 1 the database failed; 2 usage error, or a file that does not load
(file:line:col message on stderr, and nothing is stored).`;

export const deployCommand: Command = {
  summary: "store every .flow version of a folder in the database",
  help,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, { ...DATABASE_OPTIONS, workflows: { type: "string" } });
    positionalArgs(positionals, []);
    const { dir, exists } = workflowsFolder(values.workflows);
    if (!exists) throw new UsageError(`no ./${dir} folder here: give --workflows DIR`);
    const stored = await withRhythm("deploy", values, async (rhythm) => {
      const deployed = await rhythm.deploy(dir);
      // suspended runs of older versions, and how many could move (a dry run of rhythm upgrade)
      for (const { name } of deployed) {
        const runs = await rhythm.upgradeAll(name, { dryRun: true, limit: 1000 });
        if (runs.length === 0) continue;
        const movable = runs.filter((r) => r.movable).length;
        note(
          "deploy",
          `${name}: ${movable} of ${runs.length}${runs.length === 1000 ? "+" : ""} suspended run(s) of older versions could move ` +
            `(rhythm upgrade --workflow ${name} --all [--dry-run])`,
        );
      }
      return deployed;
    });
    const list = stored.map((f) => ({ ...f, file: join(dir, `${f.name}.flow`) }));
    if (values.json) printJson({ workflows: list });
    else {
      const width = Math.max(0, ...list.map((f) => f.name.length));
      for (const f of list) process.stdout.write(`${f.name.padEnd(width)}  ${shortVersion(f.version)}  ${f.file}\n`);
      note("deploy", `${list.length} workflow(s) stored from ${dir}`);
    }
    return 0;
  },
};
