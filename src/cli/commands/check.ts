// `rhythm check [paths…]`: validates .flow files (default ./workflows). Prints one
// `file:line:col message` line per error; exit 0 when all load, 1 when any does not, 2 on usage.

import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { folderCheckOptions } from "../../client/flow-folder.js";
import { compileFlow } from "../../compiler/index.js";
import { checkFlow, FlowLoadError, type CheckOptions, type FlowSyntaxError } from "../../lang/index.js";
import { UsageError, type Command } from "../command.js";

const help = `Usage: rhythm check [paths…] [--json]

Validates every .flow file in the given files and folders (default: ./workflows), reporting
every error as file:line:col message. Nothing is run. Besides the language, it checks what is
known before running: members of the built-ins (Task.rn), literal arguments they refuse
(Timer.delay("1 h"), Signal.when without its timeout), and that a literal Workflow.run("x")
has an x.flow in the file's folder, as deploy and workers do.

Options:
  --json       print { "files": N, "errors": [{ "file", "line", "column", "message" }] }
  -h, --help   show this help

Exit codes: 0 every file loads; 1 some file has errors; 2 usage error (e.g. a missing path).`;

function flowFiles(path: string): string[] {
  if (!existsSync(path)) throw new UsageError(`no such file or folder: ${path}`);
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? flowFiles(join(path, e.name)) : e.name.endsWith(".flow") ? [join(path, e.name)] : []));
}

/** What a worker loading the file would report: the checker's problems, then the compiler's. */
function problems(source: string, file: string, checks: CheckOptions): FlowSyntaxError[] {
  const found = checkFlow(source, file, checks);
  if (found.length > 0) return found;
  try {
    compileFlow(source, file, checks); // a file can be too deeply nested for the compiler alone
    return [];
  } catch (e) {
    if (e instanceof FlowLoadError) return e.errors;
    throw e;
  }
}

export const checkCommand: Command = {
  summary: "validate .flow files and report every error as file:line:col",
  help,
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({ args, allowPositionals: true, options: { json: { type: "boolean" } } });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const paths = parsed.positionals.length > 0 ? parsed.positionals : ["workflows"];
    const files = paths.flatMap(flowFiles);
    // each file's Workflow.run names are looked up among the .flow files of its own folder
    const folders = new Map<string, CheckOptions>();
    const checksFor = (file: string): CheckOptions => {
      const dir = dirname(file);
      let checks = folders.get(dir);
      if (!checks) folders.set(dir, (checks = folderCheckOptions(dir)));
      return checks;
    };
    const errors = files.flatMap((f) => problems(readFileSync(f, "utf8"), f, checksFor(f)));
    if (parsed.values.json) {
      const list = errors.map((e) => ({ file: e.file, line: e.line, column: e.column, message: e.message }));
      process.stdout.write(JSON.stringify({ files: files.length, errors: list }) + "\n");
    } else {
      for (const e of errors) process.stdout.write(e.format() + "\n");
      const bad = new Set(errors.map((e) => e.file)).size;
      process.stderr.write(
        errors.length === 0
          ? `checked ${files.length} file(s): all load\n`
          : `checked ${files.length} file(s): ${errors.length} error(s) in ${bad} file(s)\n`,
      );
    }
    return errors.length === 0 ? 0 : 1;
  },
};
