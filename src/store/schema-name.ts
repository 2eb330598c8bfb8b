// Schema names end up inside SQL text (identifiers cannot be parameters), so they are validated
// against a strict pattern and always quoted.

export const DEFAULT_SCHEMA = "rhythm";

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function quoteSchema(name: string): string {
  if (!SCHEMA_NAME.test(name)) {
    throw new RangeError(
      `invalid schema name "${name}": use lower-case letters, digits and _ (at most 63), not starting with a digit`,
    );
  }
  return `"${name}"`;
}

/** Replaces the :SCHEMA placeholder of a statement with the quoted schema name. */
export function withSchema(sql: string, schema: string): string {
  return sql.replaceAll(":SCHEMA", quoteSchema(schema));
}
