// The contenders by name, loaded on demand so a process only imports the library it runs.

export const CONTENDERS = ["rhythm", "graphile-worker", "pg-boss", "dbos"];

export async function loadContender(name) {
  if (!CONTENDERS.includes(name)) throw new Error(`unknown contender "${name}" (known: ${CONTENDERS.join(", ")})`);
  return (await import(`./${name}.mjs`)).default;
}
