// Command-line options of `npm run chaos`: the full run by default, `--short` for CI.

export interface ChaosOptions {
  short: boolean;
  /** Root workflows (each may start children) and standalone tasks. */
  workflows: number;
  tasks: number;
  workers: number;
  concurrency: number;
  /** How long workers are killed and restarted. */
  chaosMs: number;
  /** Pause between two kills: uniformly between these. */
  killEveryMs: [number, number];
  /** When Postgres is restarted, as a fraction of the chaos period (null: never). */
  restartAt: number | null;
  /** Waiting for the last work after the chaos: give up when nothing finished for this long. */
  stallMs: number;
  seed: number;
  privateServer: boolean;
  keepDatabase: boolean;
  /** Restart Postgres as a crash ("immediate": no checkpoint, recovery from the WAL) instead of a clean "fast" stop. */
  crash: boolean;
}

export const USAGE = `usage: npm run chaos -- [--short] [options]
  --short              the CI variant: fewer executions and a shorter chaos period (under 2 minutes)
  --workflows N        root workflows (default 1100, short 220)
  --tasks N            standalone tasks (default 1500, short 300)
  --workers N          worker processes (default 4, short 3)
  --seconds S          chaos period in seconds (default 150, short 25)
  --no-restart         do not restart Postgres
  --crash              restart Postgres in "immediate" mode (a crash: recovery from the WAL, and
                       commits made with synchronous_commit=off may be lost) instead of "fast"
  --private-server     restart a throwaway Postgres of this run (initdb on a free port) instead of the
                       machine's server, so nobody else using the server is disturbed
  --seed N             workload seed (printed by every run)
  --keep-database      do not drop the chaos database at the end`;

export function parseOptions(argv: string[]): ChaosOptions {
  const short = argv.includes("--short");
  const o: ChaosOptions = {
    short,
    workflows: short ? 220 : 1100,
    tasks: short ? 300 : 1500,
    workers: short ? 3 : 4,
    concurrency: 8,
    // Short: the last kill's work waits out a 30 s activation lease after the chaos, so the chaos
    // itself is kept brief to stay under 2 minutes with the build.
    chaosMs: (short ? 25 : 150) * 1000,
    killEveryMs: short ? [1200, 2500] : [3000, 6000],
    restartAt: 0.4,
    stallMs: 50_000,
    seed: Math.floor(Math.random() * 1_000_000),
    privateServer: false,
    keepDatabase: false,
    crash: false,
  };
  const number = (i: number, name: string) => {
    const v = Number(argv[i + 1]);
    if (!Number.isFinite(v) || v < 0) throw new Error(`${name} needs a non-negative number\n${USAGE}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--short") continue;
    else if (a === "--workflows") o.workflows = number(i++, a);
    else if (a === "--tasks") o.tasks = number(i++, a);
    else if (a === "--workers") o.workers = Math.max(1, number(i++, a));
    else if (a === "--seconds") o.chaosMs = number(i++, a) * 1000;
    else if (a === "--seed") o.seed = number(i++, a);
    else if (a === "--no-restart") o.restartAt = null;
    else if (a === "--private-server") o.privateServer = true;
    else if (a === "--keep-database") o.keepDatabase = true;
    else if (a === "--crash") o.crash = true;
    else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  return o;
}
