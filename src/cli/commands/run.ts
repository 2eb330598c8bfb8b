// `rhythm run <file.flow>`: runs a workflow in memory with mocked tasks and virtual time
// (SPEC §5). `--json` prints { status, output, error, taskCalls }; exit 0 completed, 1 failed or
// suspended, 2 usage or load error.

import { existsSync, readFileSync } from "node:fs";
import { FlowLoadError } from "../../lang/index.js";
import { runFlowFile, mocksProblem, type TaskMock } from "../../testing/index.js";
import { UsageError, parseCommandArgs, parseCountOption, parseJsonOption, type Command } from "../command.js";
import { formatResult } from "../format-run.js";
import { RUN_TIMEOUT_OPTIONS, runTimeoutFlag } from "../flow-control-options.js";
import { runTimeoutMs } from "../../client/flow-control-checks.js";

const help = `Usage: rhythm run <file.flow> [options]

Runs a workflow in memory: no database, mocked tasks, virtual time (timers fire as soon as
nothing else can progress). Child workflows are loaded from <name>.flow next to the file.

Options:
  --inputs JSON            workflow inputs (a JSON object; default {})
  --tasks FILE             task mocks: { "task": { "returns": X } | { "fails": { "message": "…" } }
                           | { "echo": true } | [ one per call, the last repeats ] }
  --signal NAME=JSON       buffer a signal for the workflow before it starts (repeatable, in order)
  --max-instructions N     instructions per activation (default 1000000)
  --max-state-bytes N      saved state size limit in bytes (default 2097152)
  --max-call-depth N       nested calls (default 1000)
  --max-payload-bytes N    largest task input, child input or output, in bytes of JSON (default 1048576)
  --max-activation-ms N    wall-clock time one activation may compute (default 10000)
  --max-activation-bytes N bytes of values one activation may make (default 268435456)
  --max-log-line-chars N   characters of one log line; longer ones are cut and marked (default 16384)
  --max-log-lines N        log lines per activation; further ones are dropped and counted (default 1000)
  --max-run-log-lines N    log lines per execution over all its activations (default 10000)
  --max-activation-log-chars N  characters of log per activation; further lines dropped (default 1048576)
  --inspect                when the workflow ends suspended (or fails after a pause), show where it
                           stopped: each stack's line and the variables in scope with their values
                           (as rhythm inspect shows a stored run); with --json, as "inspection"
  --run-timeout D          the run fails with a Timeout D of virtual time after it starts (SPEC §9)
  --json                   print { "status", "output", "error", "taskCalls" } as one JSON document
  -h, --help               show this help

Exit codes: 0 completed; 1 failed, or suspended forever (waiting for something nobody sends);
2 usage error or a file that does not load (file:line:col message on stderr).`;

export const runCommand: Command = {
  summary: "run a workflow in memory with mocked tasks and virtual time",
  help,
  async run(args) {
    const parsed = parseCommandArgs(args, {
      inputs: { type: "string" },
      tasks: { type: "string" },
      signal: { type: "string", multiple: true },
      "max-instructions": { type: "string" },
      "max-state-bytes": { type: "string" },
      "max-call-depth": { type: "string" },
      "max-payload-bytes": { type: "string" },
      "max-activation-ms": { type: "string" },
      "max-activation-bytes": { type: "string" },
      "max-log-line-chars": { type: "string" },
      "max-log-lines": { type: "string" },
      "max-run-log-lines": { type: "string" },
      "max-activation-log-chars": { type: "string" },
      json: { type: "boolean" },
      inspect: { type: "boolean" },
      ...RUN_TIMEOUT_OPTIONS,
    });
    const { values, positionals } = parsed;
    if (positionals.length !== 1) throw new UsageError("expected exactly one .flow file");
    const file = positionals[0];
    if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
    const inputs = values.inputs === undefined ? {} : parseJsonOption(values.inputs, "--inputs");
    if (typeof inputs !== "object" || inputs === null || Array.isArray(inputs))
      throw new UsageError("--inputs must be a JSON object");
    let tasks: Record<string, TaskMock> | undefined;
    if (values.tasks !== undefined) {
      if (!existsSync(values.tasks)) throw new UsageError(`no such mocks file: ${values.tasks}`);
      const data = parseJsonOption(readFileSync(values.tasks, "utf8"), `--tasks ${values.tasks}`);
      const problem = mocksProblem(data);
      if (problem) throw new UsageError(`--tasks ${values.tasks}: ${problem}`);
      tasks = data as Record<string, TaskMock>;
    }
    const signals = (values.signal ?? []).map((s): [string, unknown] => {
      const eq = s.indexOf("=");
      if (eq <= 0) throw new UsageError(`--signal must be NAME=JSON, got "${s}"`);
      return [s.slice(0, eq), parseJsonOption(s.slice(eq + 1), `--signal ${s.slice(0, eq)}`)];
    });
    const limits = {
      maxInstructions: parseCountOption(values["max-instructions"], "--max-instructions"),
      maxStateBytes: parseCountOption(values["max-state-bytes"], "--max-state-bytes"),
      maxCallDepth: parseCountOption(values["max-call-depth"], "--max-call-depth"),
      maxPayloadBytes: parseCountOption(values["max-payload-bytes"], "--max-payload-bytes"),
      maxActivationMs: parseCountOption(values["max-activation-ms"], "--max-activation-ms"),
      maxActivationBytes: parseCountOption(values["max-activation-bytes"], "--max-activation-bytes"),
      maxLogLineChars: parseCountOption(values["max-log-line-chars"], "--max-log-line-chars"),
      maxLogLines: parseCountOption(values["max-log-lines"], "--max-log-lines"),
      maxRunLogLines: parseCountOption(values["max-run-log-lines"], "--max-run-log-lines"),
      maxActivationLogChars: parseCountOption(values["max-activation-log-chars"], "--max-activation-log-chars"),
    };
    for (const k of Object.keys(limits) as (keyof typeof limits)[]) if (limits[k] === undefined) delete limits[k];
    let result;
    try {
      const timeout = runTimeoutFlag(values);
      const timeoutMs = timeout === undefined ? undefined : (runTimeoutMs(timeout, "--run-timeout") ?? undefined);
      result = await runFlowFile(file, { inputs, tasks, signals, limits, inspect: values.inspect, timeoutMs });
    } catch (e) {
      if (e instanceof FlowLoadError) {
        process.stderr.write(e.errors.map((x) => x.format()).join("\n") + "\n");
        return 2;
      }
      throw e;
    }
    if (values.json) {
      const { status, output, error, taskCalls, inspection } = result;
      const extra = inspection
        ? { inspection: { named: inspection.named, stack: inspection.stack, awaiting: inspection.awaiting } }
        : {};
      process.stdout.write(JSON.stringify({ status, output, error, taskCalls, ...extra }) + "\n");
      for (const l of result.logs) process.stderr.write(`[${l.workflow}:${l.line}] ${l.message}\n`);
    } else process.stdout.write(formatResult(file, result) + "\n");
    return result.status === "completed" ? 0 : 1;
  },
};
