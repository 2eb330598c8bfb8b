// `rhythm fork <id>`: a new execution with a copy of a paused (or failed) workflow's saved state
// and version, to try a fix on it without touching the original (docs/operations.md).

import { parseCommandArgs, positionalArgs, type Command } from "../command.js";
import { DATABASE_HELP, DATABASE_OPTIONS, printJson, withRhythm } from "../engine-client.js";

const help = `Usage: rhythm fork <id> [--by NAME] [options]

Starts a new execution of the same workflow and version from a copy of <id>'s saved state (a
suspended run, or a failed one: its last saved state). The fork has its own id
(Context.executionId) and waits on its own things: a task or child the original awaits that has
completed gives the fork its result; any other is started again as a new execution for the fork;
timers keep their fire times; signal waits wait again (signals buffered for the original are not
copied). The original is not changed; both logs say who forked what.

Options:
  --by NAME            who asks, for the logs (default: the OS user)
${DATABASE_HELP}

--json prints { id, forkedFrom, started: [{ handle, kind, name }], copied: [{ handle, kind, name,
from }], timers, signalWaits }.

Exit codes: 0 forked; 1 no such execution, a task, running now, or no saved state; 2 usage error.`;

export const forkCommand: Command = {
  summary: "copy a paused or failed workflow into a new execution",
  help,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, { ...DATABASE_OPTIONS, by: { type: "string" } });
    const [id] = positionalArgs(positionals, ["id"]);
    return withRhythm("fork", values, async (rhythm) => {
      const fork = await rhythm.fork(id, { by: values.by });
      if (values.json) printJson(fork);
      else {
        const lines = [`forked ${id}`, `as     ${fork.id}`];
        for (const s of fork.started) lines.push(`  started again for the fork: ${s.kind} "${s.name}" (handle ${s.handle})`);
        for (const c of fork.copied) lines.push(`  result copied: ${c.kind} "${c.name}" ${c.from} (handle ${c.handle})`);
        if (fork.timers > 0) lines.push(`  timers: ${fork.timers} (same fire times)`);
        if (fork.signalWaits > 0) lines.push(`  signal waits: ${fork.signalWaits} (buffered signals not copied)`);
        process.stdout.write(lines.join("\n") + "\n");
      }
      return 0;
    });
  },
};
