// Compiled programs by (name, version), loaded from the store once per process, and the set of
// stored workflow names (Workflow.run of an unknown name throws at the call, synchronously).

import type { Program } from "../compiler/index.js";
import { PROGRAM_FORMAT } from "../compiler/index.js";
import type { Store } from "../store/store.js";

const NAMES_TTL_MS = 2000;

// Loads are shared while in flight: a claim of 100 new workflows made 100 identical reads of the
// same program (and of the names) at once, each 10 ms on a busy server, before any one returned.
export class ProgramCache {
  private readonly programs = new Map<string, Promise<Program>>();
  private readonly ready = new Map<string, Program>();
  private known = new Set<string>();
  /** Moves whenever the known names change (activation threads keep a copy). */
  private namesVersion = 0;
  private namesAt = 0;
  private namesLoading: Promise<void> | null = null;

  constructor(private readonly store: Store) {}

  program(name: string, version: string): Promise<Program> {
    const key = `${name}@${version}`;
    let p = this.programs.get(key);
    if (!p) {
      p = this.load(name, version);
      this.programs.set(key, p);
      // a failed load (database down, say) is tried again next time
      p.catch(() => this.programs.delete(key));
    }
    return p;
  }

  /** The program when it is loaded already (no database read). */
  loaded(name: string, version: string): Program | undefined {
    return this.ready.get(`${name}@${version}`);
  }

  private async load(name: string, version: string): Promise<Program> {
    const stored = (await this.store.program(name, version)) as Program | null;
    if (!stored) throw new Error(`workflow "${name}" version ${version.slice(0, 12)} is not stored`);
    if (stored.format !== PROGRAM_FORMAT) {
      throw new Error(
        `workflow "${name}" version ${version.slice(0, 12)} was compiled to program format ${stored.format}; this worker runs format ${PROGRAM_FORMAT}`,
      );
    }
    this.ready.set(`${name}@${version}`, stored);
    return stored;
  }

  /** Refreshes the known names when they are older than a moment. */
  async refreshNames(force = false): Promise<void> {
    if (!force && Date.now() - this.namesAt < NAMES_TTL_MS) return;
    this.namesLoading ??= this.store.workflowNames().then(
      (names) => {
        if (names.length !== this.known.size || names.some((n) => !this.known.has(n))) {
          this.known = new Set(names);
          this.namesVersion++;
        }
        this.namesAt = Date.now();
        this.namesLoading = null;
      },
      (e: unknown) => {
        this.namesLoading = null;
        throw e;
      },
    );
    await this.namesLoading;
  }

  has(name: string): boolean {
    return this.known.has(name);
  }

  noteDeployed(names: string[]): void {
    for (const n of names) this.known.add(n);
    this.namesVersion++;
  }

  /** The known names with their version. */
  names(): { version: number; list(): string[] } {
    return { version: this.namesVersion, list: () => [...this.known] };
  }
}
