// `rhythm workers`: the workers running now, as their rows in the database say (each writes its
// row every 10 s and deletes it when it stops): the queues each serves and the tasks it registers.
// With it, a queued task nobody runs is explained (`rhythm get` says the same, per execution).

import { parseCommandArgs, positionalArgs, type Command } from "../command.js";
import { DATABASE_HELP, DATABASE_OPTIONS, note, printJson, withRhythm } from "../engine-client.js";
import { alignTable } from "../format-execution.js";

const help = `Usage: rhythm workers [options]

Lists the workers running now (any process, any machine using this database): id, the queues it
serves, the tasks it registers, when it started and when it last checked in (every 10 s; one
silent for 30 s is taken for gone).

Options:
${DATABASE_HELP}

--json prints a JSON array: { id, queues, tasks, startedAt, seenAt }.

Exit codes: 0 listed (even when none runs); 1 the database failed; 2 usage error.`;

export const workersCommand: Command = {
  summary: "list the running workers (queues served, tasks registered)",
  help,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, DATABASE_OPTIONS);
    positionalArgs(positionals, []);
    return withRhythm("workers", values, async (rhythm) => {
      const workers = await rhythm.workers();
      if (values.json) printJson(workers);
      else if (workers.length === 0) note("workers", "no worker is running");
      else {
        const rows = workers.map((w) => [w.id, w.queues.join(","), w.startedAt, w.seenAt, w.tasks.join(",") || "-"]);
        process.stdout.write(alignTable(["ID", "QUEUES", "STARTED", "SEEN", "TASKS"], rows) + "\n");
      }
      return 0;
    });
  },
};
