// Workflow versions: (name, sha256 of the source) → source and compiled program.

export const VERSION_QUERIES = {
  VersionUpsert: `
    insert into :SCHEMA.workflow_versions (name, version, source, program) values ($1, $2, $3, $4)
    on conflict (name, version) do update set deployed_at = now()`,
  VersionNewest: `select version from :SCHEMA.workflow_versions where name = $1 order by deployed_at desc limit 1`,
  VersionProgram: `select program from :SCHEMA.workflow_versions where name = $1 and version = $2`,
  VersionNames: `select distinct name from :SCHEMA.workflow_versions`,
} as const;
