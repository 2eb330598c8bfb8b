// Execution ids are UUIDs; anything else cannot name an execution, so it is refused before a query.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isExecutionId(id: unknown): id is string {
  return typeof id === "string" && UUID.test(id);
}
