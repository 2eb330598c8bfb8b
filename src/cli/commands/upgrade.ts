// `rhythm upgrade <id> [--to VERSION|latest] [--dry-run]` and `rhythm upgrade --workflow NAME
// --all [--dry-run]`: suspended runs moved onto another version when the await they are paused at
// has one counterpart there (docs/operations.md); per run, the mapping or the exact reason.

import type { RunUpgrade } from "../../client/upgrade.js";
import { parseCommandArgs, UsageError, type Command } from "../command.js";
import { DATABASE_HELP, DATABASE_OPTIONS, printJson, withRhythm } from "../engine-client.js";

const help = `Usage: rhythm upgrade <id> [--to VERSION|latest] [--dry-run] [options]
       rhythm upgrade --workflow NAME --all [--to VERSION|latest] [--dry-run] [options]

Moves suspended runs onto another version of their workflow (default: the newest deployed). A run
moves only when it is paused, alone (no concurrent async calls), at an await of the workflow's
top-level code that has exactly one counterpart in the new source — the same awaited expression,
used the same way (const x = await …, x = await …, await …;), inside the same loops, try blocks,
switches and labels — and its variables map by name (a variable the new version declares before
that await is refused: the run never ran it). Anything else keeps its version, with the reason.
--dry-run prints, per run, where it would continue and which variables carry over, or why not.

Options:
  --to VERSION         a version's sha256 (or its first 6+ hex digits), or latest (default)
  --dry-run            only say what would happen
  --workflow NAME      with --all: every suspended run of NAME on another version
  --all                see --workflow
  --by NAME            who asks, for the log (default: the OS user)
${DATABASE_HELP}

--json prints a list of { id, from, to, moved, movable, at, continuesAt, kept, added, dropped,
reason }.

Exit codes: 0 every run moved (or, with --dry-run, could move); 1 some could not; 2 usage error.`;

export const upgradeCommand: Command = {
  summary: "move paused workflows onto a new version",
  help,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      ...DATABASE_OPTIONS,
      to: { type: "string" },
      "dry-run": { type: "boolean" },
      workflow: { type: "string" },
      all: { type: "boolean" },
      by: { type: "string" },
    });
    const all = values.all === true;
    if (all !== (values.workflow !== undefined)) throw new UsageError("--all and --workflow NAME go together");
    if (all ? positionals.length !== 0 : positionals.length !== 1)
      throw new UsageError(all ? "no <id> with --all" : "expected one <id> (or --workflow NAME --all)");
    const options = { to: values.to ?? "latest", dryRun: values["dry-run"] === true, by: values.by };
    return withRhythm("upgrade", values, async (rhythm) => {
      const results = all ? await rhythm.upgradeAll(values.workflow!, options) : [await rhythm.upgrade(positionals[0], options)];
      if (values.json) printJson(results);
      else
        process.stdout.write(
          (results.length === 0 ? "no suspended run of another version\n" : results.map(describe).join("\n")) + "\n",
        );
      return results.every((r) => r.movable) ? 0 : 1;
    });
  },
};

function describe(r: RunUpgrade): string {
  const short = (v: string | null) => (v ? v.slice(0, 12) : "?");
  if (!r.movable) return `${r.id}  stays on ${short(r.from)}: ${r.reason}`;
  const head = `${r.id}  ${r.moved ? "moved" : "can move"} ${short(r.from)} → ${short(r.to)}: line ${r.at!.line} → line ${r.continuesAt!.line}`;
  const vars = [`  variables kept: ${r.kept!.join(", ") || "none"}`];
  if (r.added!.length > 0) vars.push(`  not declared yet there: ${r.added!.join(", ")}`);
  if (r.dropped!.length > 0) vars.push(`  dropped: ${r.dropped!.join(", ")}`);
  return [head, ...vars].join("\n");
}
