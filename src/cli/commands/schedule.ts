// `rhythm schedule set|list|pause|resume|trigger|delete`: schedules (docs/schedules.md).

import type { Schedule } from "../../client/schedules.js";
import { UsageError, parseCommandArgs, parseIntegerOption, parseJsonOption, positionalArgs, type Command } from "../command.js";
import { DATABASE_HELP, DATABASE_OPTIONS, printJson, withRhythm } from "../engine-client.js";
import { alignTable } from "../format-execution.js";

const help = `Usage: rhythm schedule <action> [name] [options]

Actions:
  set <name> --cron EXPR (--workflow W | --task T) [--inputs JSON] [--timezone TZ]
             [--overlap skip|allow|cancel-previous] [--catchup none|latest|all] [--queue Q] [--priority N]
                       create or replace a schedule; prints it with its next fire time
  list                 every schedule with its next fire time
  pause <name>         no tick fires until resumed
  resume <name>        ticks fire again from now on
  trigger <name>       start its workflow or task now, once; prints the execution id
  delete <name>        delete the schedule (executions it started stay)

CRON has 5 fields (minute hour day month weekday) or 6 (seconds first), read in --timezone
(an IANA name, default UTC). --overlap: what a tick does while the previous execution runs
(default skip). --catchup: ticks missed while no worker ran (default latest; all: at most 100).

Options:
${DATABASE_HELP}

--json prints the schedule (list: a JSON array; trigger: { "id": … }).

Exit codes: 0 done; 1 no such schedule (or workflow); 2 usage error or invalid schedule.`;

const SET_OPTIONS = {
  ...DATABASE_OPTIONS,
  cron: { type: "string" },
  workflow: { type: "string" },
  task: { type: "string" },
  inputs: { type: "string" },
  timezone: { type: "string" },
  overlap: { type: "string" },
  catchup: { type: "string" },
  queue: { type: "string" },
  priority: { type: "string" },
} as const;

export const scheduleCommand: Command = {
  summary: "create, list, pause, resume, trigger or delete cron schedules",
  help,
  async run(args) {
    const [action, ...rest] = args;
    const { values, positionals } = parseCommandArgs(rest, action === "set" ? SET_OPTIONS : DATABASE_OPTIONS);
    if (action === "list") {
      positionalArgs(positionals, []);
      return withRhythm("schedule", values, async (rhythm) => {
        const list = await rhythm.schedules();
        if (values.json) printJson(list);
        else process.stdout.write(formatSchedules(list) + "\n");
        return 0;
      });
    }
    if (!["set", "pause", "resume", "trigger", "delete"].includes(action ?? ""))
      throw new UsageError(action === undefined ? "expected an action" : `unknown action "${action}"`);
    const [name] = positionalArgs(positionals, ["name"]);
    return withRhythm("schedule", values, async (rhythm) => {
      if (action === "trigger") {
        const id = await rhythm.triggerSchedule(name);
        if (values.json) printJson({ id });
        else process.stdout.write(id + "\n");
        return 0;
      }
      if (action === "delete") {
        await rhythm.unschedule(name);
        if (values.json) printJson({ deleted: name });
        else process.stdout.write(`deleted schedule ${name}\n`);
        return 0;
      }
      let s: Schedule;
      if (action === "pause") s = await rhythm.pauseSchedule(name);
      else if (action === "resume") s = await rhythm.resumeSchedule(name);
      else {
        const v = values as Partial<Record<keyof typeof SET_OPTIONS, string>>;
        if (v.cron === undefined) throw new UsageError("--cron is required");
        if ((v.workflow === undefined) === (v.task === undefined)) throw new UsageError("give --workflow or --task (one)");
        s = await rhythm.schedule(name, {
          cron: v.cron,
          timezone: v.timezone,
          workflow: v.workflow,
          task: v.task,
          inputs: v.inputs === undefined ? undefined : parseJsonOption(v.inputs, "--inputs"),
          overlap: v.overlap as Schedule["overlap"] | undefined,
          catchup: v.catchup as Schedule["catchup"] | undefined,
          queue: v.queue,
          priority: parseIntegerOption(v.priority, "--priority"),
        });
      }
      if (values.json) printJson(s);
      else process.stdout.write(formatSchedules([s]) + "\n");
      return 0;
    });
  },
};

function formatSchedules(list: Schedule[]): string {
  if (list.length === 0) return "no schedules";
  const header = ["NAME", "CRON", "TIMEZONE", "STARTS", "OVERLAP", "CATCHUP", "NEXT FIRE", "LAST FIRE"];
  const rows = list.map((s) => [
    s.name,
    s.cron,
    s.timezone,
    s.workflow !== undefined ? `workflow ${s.workflow}` : `task ${s.task}`,
    s.overlap,
    s.catchup,
    s.paused ? "paused" : (s.nextFireAt ?? "never"),
    s.lastFireAt ?? "-",
  ]);
  const errors = list.filter((s) => s.lastError).map((s) => `${s.name}: ${s.lastError}`);
  return [alignTable(header, rows), ...(errors.length > 0 ? ["", ...errors] : [])].join("\n");
}
