-- Rhythm schema, version 9: the claim index leaves out executions parked behind a full
-- concurrency key (008), so a key with 100,000 waiting executions costs a claim of other work
-- nothing. Claim and NextDue say `not parked` to walk it.
drop index if exists :SCHEMA.executions_claim;
create index executions_claim on :SCHEMA.executions (queue, priority desc, run_at, id) where status = 'queued' and not parked;
