// How engine commands reach the database: the options they share (--database-url, --schema,
// --json), one stderr line saying which database is used, and a client that is closed whatever
// the command does.

import { chooseDatabase, describeTarget } from "../client/connection.js";
import { DatabaseConnectError } from "../client/errors.js";
import { Rhythm, type ConnectOptions } from "../client/rhythm.js";
import { DEFAULT_SCHEMA, quoteSchema } from "../store/schema-name.js";
import { UsageError } from "./command.js";

/** Where the database is: every engine command takes these. */
export const CONNECTION_OPTIONS = {
  "database-url": { type: "string" },
  schema: { type: "string" },
} as const;

/** The options of commands that print a result: the connection and --json. */
export const DATABASE_OPTIONS = { ...CONNECTION_OPTIONS, json: { type: "boolean" } } as const;

export const CONNECTION_HELP = `  --database-url URL   Postgres URL (default: RHYTHM_DATABASE_URL, else the \`rhythm dev\` running
                       in this folder, else the embedded PGlite in ./.rhythm/data)
  --schema NAME        schema holding Rhythm's tables (default rhythm)
  -h, --help           show this help`;

export const DATABASE_HELP = `  --json               print one JSON document on stdout
${CONNECTION_HELP}`;

export interface DatabaseValues {
  "database-url"?: string;
  schema?: string;
}

/**
 * The URL given with --database-url (refusing an empty one, which would silently mean pg's
 * defaults) and the schema, checked before anything connects.
 */
export function databaseChoice(values: DatabaseValues): { url: string | undefined; schema: string } {
  const url = values["database-url"];
  if (url !== undefined && url.trim() === "") throw new UsageError("--database-url is empty");
  const schema = values.schema ?? DEFAULT_SCHEMA;
  try {
    quoteSchema(schema);
  } catch (e) {
    throw new UsageError(`--schema: ${(e as Error).message}`);
  }
  return { url, schema };
}

/** Connects (applying migrations), says on stderr which database, runs `fn`, and closes. */
export async function withRhythm<T>(
  command: string,
  values: DatabaseValues,
  fn: (rhythm: Rhythm) => Promise<T>,
  options: { workflows?: string } = {},
): Promise<T> {
  const { url, schema } = databaseChoice(values);
  noteDatabase(command, url);
  const rhythm = await connectRhythm(url, { schema, workflows: options.workflows });
  try {
    return await fn(rhythm);
  } finally {
    await rhythm.close();
  }
}

/**
 * Rhythm.connect, with a failure to connect naming --database-url when the URL came from it
 * (`flagUrl`, by default `url`; `rhythm dev` connects to its own server's URL).
 */
export async function connectRhythm(
  url: string | undefined,
  options: Omit<ConnectOptions, "databaseUrl">,
  flagUrl = url,
): Promise<Rhythm> {
  try {
    return await Rhythm.connect({ ...options, databaseUrl: url });
  } catch (e) {
    throw fromFlag(e, flagUrl);
  }
}

/** A connect error about the URL of --database-url says so (the API would say `databaseUrl`). */
export function fromFlag(e: unknown, url: string | undefined): unknown {
  return url !== undefined && e instanceof DatabaseConnectError ? e.withUrlFrom("--database-url") : e;
}

/**
 * Says on stderr which database the command uses. DATABASE_URL is not read (see connection.ts);
 * when it is set and the embedded database is used, the line says how to use it.
 */
export function noteDatabase(command: string, url: string | undefined): void {
  const choice = chooseDatabase(url);
  const unused =
    choice.url === null && process.env.DATABASE_URL?.trim()
      ? " (DATABASE_URL is set, but Rhythm reads RHYTHM_DATABASE_URL: export RHYTHM_DATABASE_URL=$DATABASE_URL to use that database)"
      : "";
  note(command, `database ${describeTarget(url)}${unused}`);
}

/** One line for people on stderr, prefixed with the command (stdout stays for results). */
export function note(command: string, message: string): void {
  process.stderr.write(`rhythm ${command}: ${message}\n`);
}

/** The result document of --json: exactly one line of JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + "\n");
}
