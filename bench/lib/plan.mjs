// How big a run is: the sizes for a full run, smaller ones for a smoke run (--quick).

export const FULL = {
  rounds: 3,
  s1Tasks: 20_000,
  s1kKeys: 10_000,
  s2Samples: 300,
  s2kWaiting: 100_000,
  s2GapMs: 5,
  idleMs: 5000,
  s3Workflows: 2000,
  s4Steps: 2000,
  s6Workflows: 10_000,
  pgbenchSeconds: 10,
};

export const QUICK = {
  rounds: 1,
  s1Tasks: 1000,
  s1kKeys: 500,
  s2Samples: 20,
  s2kWaiting: 2000,
  s2GapMs: 5,
  idleMs: 1000,
  s3Workflows: 50,
  s4Steps: 210,
  s6Workflows: 200,
  pgbenchSeconds: 2,
};

const HELP = `usage: npm run bench -- [--quick] [--rounds N] [--only rhythm,pg-boss,...] [--scenarios s1,s3-10,...] [--no-write]
  --quick       small sizes, one round (a smoke run, under 2 minutes)
  --rounds N    interleaved rounds (default 3)
  --only        contenders to run (rhythm, graphile-worker, pg-boss, dbos)
  --scenarios   scenario ids (s1, s1k, s2, s2k, s3-1, s3-10, s4, s6) and/or pgbench
  --no-write    print the report without updating docs/benchmarks.md`;

export function parseArgs(argv) {
  const opts = { quick: false, rounds: null, only: null, scenarios: null, write: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${HELP}`);
      return v;
    };
    if (a === "--quick") opts.quick = true;
    else if (a === "--rounds") opts.rounds = Number(value());
    else if (a === "--only") opts.only = value().split(",");
    else if (a === "--scenarios") opts.scenarios = value().split(",");
    else if (a === "--no-write") opts.write = false;
    else if (a === "--help" || a === "-h") {
      console.log(HELP);
      process.exit(0);
    } else throw new Error(`unknown option ${a}\n${HELP}`);
  }
  if (opts.rounds !== null && !(Number.isInteger(opts.rounds) && opts.rounds >= 1))
    throw new Error("--rounds takes a whole number ≥ 1");
  const size = { ...(opts.quick ? QUICK : FULL) };
  if (opts.rounds !== null) size.rounds = opts.rounds;
  return { ...opts, size };
}
