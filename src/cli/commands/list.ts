// `rhythm list`: executions, newest first, filtered by status, name, queue or kind, a page at a
// time (--after the last id of the previous page). A table for people, a JSON array with --json.

import { isExecutionId } from "../../shared/ids.js";
import { EXECUTION_STATUSES as STATUSES, isExecutionKind, isExecutionStatus } from "../../shared/statuses.js";
import { UsageError, parseCommandArgs, parseCountOption, positionalArgs, type Command } from "../command.js";
import { DATABASE_HELP, DATABASE_OPTIONS, note, printJson, withRhythm } from "../engine-client.js";
import { formatTable } from "../format-execution.js";

const DEFAULT_LIMIT = 20;

const help = `Usage: rhythm list [--status S] [--name N] [--queue Q] [--kind K] [--parent ID] [--limit K] [--after ID] [options]

Lists executions, newest first.

Options:
  --status S           one of ${STATUSES.join(", ")}
  --name N             workflow or task name
  --queue Q            queue name
  --kind K             workflow or task
  --parent ID          the tasks and child workflows the workflow ID started
  --limit K            at most K executions (default ${DEFAULT_LIMIT})
  --after ID           the page after the execution ID (the last one of the previous page)
${DATABASE_HELP}

--json prints a JSON array of executions.

Exit codes: 0 listed (even when none match); 1 the database failed; 2 usage error.`;

export const listCommand: Command = {
  summary: "list executions (filters, pages, a table or JSON)",
  help,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      ...DATABASE_OPTIONS,
      status: { type: "string" },
      name: { type: "string" },
      queue: { type: "string" },
      kind: { type: "string" },
      limit: { type: "string" },
      after: { type: "string" },
      parent: { type: "string" },
    });
    positionalArgs(positionals, []);
    const status = values.status;
    if (status !== undefined && !isExecutionStatus(status))
      throw new UsageError(`--status must be one of ${STATUSES.join(", ")}, got "${status}"`);
    const kind = values.kind;
    if (kind !== undefined && !isExecutionKind(kind)) throw new UsageError(`--kind must be workflow or task, got "${kind}"`);
    if (values.after !== undefined && !isExecutionId(values.after))
      throw new UsageError(`--after must be an execution id, got "${values.after}"`);
    if (values.parent !== undefined && !isExecutionId(values.parent))
      throw new UsageError(`--parent must be an execution id, got "${values.parent}"`);
    const limit = parseCountOption(values.limit, "--limit") ?? DEFAULT_LIMIT;
    return withRhythm("list", values, async (rhythm) => {
      const list = await rhythm.list({
        status,
        name: values.name,
        queue: values.queue,
        kind,
        parentId: values.parent,
        limit,
        after: values.after,
      });
      if (values.json) printJson(list);
      else if (list.length === 0) note("list", "no executions match");
      else {
        process.stdout.write(formatTable(list) + "\n");
        if (list.length === limit) note("list", `showing ${limit}; next page: --after ${list[list.length - 1].id}`);
      }
      return 0;
    });
  },
};
