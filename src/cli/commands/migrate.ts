// `rhythm migrate`: applies the schema's migrations and exits, saying which ones it applied.
// Safe to run from many processes at once (migrations take an advisory lock).

import { chooseDatabase, firstContact, openDriver } from "../../client/connection.js";
import { migrate, migrations } from "../../store/migrate.js";
import { parseCommandArgs, positionalArgs, type Command } from "../command.js";
import { DATABASE_HELP, DATABASE_OPTIONS, databaseChoice, fromFlag, noteDatabase, printJson } from "../engine-client.js";

const help = `Usage: rhythm migrate [options]

Creates or updates Rhythm's tables in the database, then exits. Every other command does this
too when it connects; run it on its own to prepare a database ahead of deploys.

Options:
${DATABASE_HELP}

--json prints { "schema", "applied": [versions applied now], "version": the schema's version }.

Exit codes: 0 the schema is up to date; 1 the database failed; 2 usage error.`;

export const migrateCommand: Command = {
  summary: "apply Rhythm's schema to the database and exit",
  help,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, DATABASE_OPTIONS);
    positionalArgs(positionals, []);
    const { url, schema } = databaseChoice(values);
    noteDatabase("migrate", url);
    const choice = chooseDatabase(url);
    const driver = await openDriver(choice);
    let applied: number[];
    try {
      applied = await firstContact(driver, choice.from, () => migrate(driver, schema));
    } catch (e) {
      throw fromFlag(e, url);
    } finally {
      await driver.close();
    }
    const all = migrations();
    const version = all.length === 0 ? 0 : all[all.length - 1].version;
    if (values.json) printJson({ schema, applied, version });
    else if (applied.length === 0) process.stdout.write(`schema "${schema}" is up to date (version ${version})\n`);
    else {
      const names = applied.map((v) => `${String(v).padStart(3, "0")}_${all.find((m) => m.version === v)?.name}`);
      process.stdout.write(`schema "${schema}": applied ${names.join(", ")} (now version ${version})\n`);
    }
    return 0;
  },
};
