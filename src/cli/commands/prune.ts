// `rhythm prune --older-than D [--status S] [--dry-run]`: deletes old finished executions at once
// (retention, docs/engine.md), in small batches; prints how many.

import { UsageError, parseCommandArgs, positionalArgs, type Command } from "../command.js";
import { DATABASE_HELP, DATABASE_OPTIONS, printJson, withRhythm } from "../engine-client.js";

const STATUSES = ["completed", "failed", "cancelled"] as const;

const help = `Usage: rhythm prune --older-than D [--status S] [--dry-run] [options]

Deletes executions that finished more than D ago ("30d", "12h", "90m", seconds), with their
logs, timers and signals. Kept whatever their age: a child whose parent still runs, and an
execution whose children still run.

Options:
  --older-than D       required: the age
  --status S           only completed, failed or cancelled executions (default: all three)
  --dry-run            count them, delete nothing
${DATABASE_HELP}

--json prints { "deleted": N, "byStatus": { … }, "dryRun": bool }.

Exit codes: 0 done; 1 the database failed; 2 usage error.`;

export const pruneCommand: Command = {
  summary: "delete finished executions older than an age",
  help,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      ...DATABASE_OPTIONS,
      "older-than": { type: "string" },
      status: { type: "string" },
      "dry-run": { type: "boolean" },
    });
    positionalArgs(positionals, []);
    const olderThan = values["older-than"];
    if (olderThan === undefined) throw new UsageError("--older-than is required");
    const status = values.status;
    if (status !== undefined && !(STATUSES as readonly string[]).includes(status))
      throw new UsageError(`--status must be one of ${STATUSES.join(", ")}, got "${status}"`);
    const dryRun = values["dry-run"] === true;
    return withRhythm("prune", values, async (rhythm) => {
      // a bare number is seconds, as everywhere durations are given
      const age = /^\d+(\.\d+)?$/.test(olderThan) ? Number(olderThan) : olderThan;
      const r = await rhythm.prune({ olderThan: age, status: status as (typeof STATUSES)[number] | undefined, dryRun });
      if (values.json) printJson({ ...r, dryRun });
      else {
        const parts = Object.entries(r.byStatus).map(([s, n]) => `${n} ${s}`);
        process.stdout.write(`${dryRun ? "would delete" : "deleted"} ${r.deleted} executions (${parts.join(", ")})\n`);
      }
      return 0;
    });
  },
};
