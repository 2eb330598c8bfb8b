// Compiled programs by (name, version), loaded from the store once per process, and the set of
// stored workflow names (Workflow.run of an unknown name throws at the call, synchronously).

import type { Program } from "../compiler/index.js";
import { PROGRAM_FORMAT } from "../compiler/index.js";
import type { Store } from "../store/store.js";

const NAMES_TTL_MS = 2000;

export class ProgramCache {
  private readonly programs = new Map<string, Program>();
  private names = new Set<string>();
  private namesAt = 0;

  constructor(private readonly store: Store) {}

  async program(name: string, version: string): Promise<Program> {
    const key = `${name}@${version}`;
    let p = this.programs.get(key);
    if (!p) {
      const stored = (await this.store.program(name, version)) as Program | null;
      if (!stored) throw new Error(`workflow "${name}" version ${version.slice(0, 12)} is not stored`);
      if (stored.format !== PROGRAM_FORMAT) {
        throw new Error(
          `workflow "${name}" version ${version.slice(0, 12)} was compiled to program format ${stored.format}; this worker runs format ${PROGRAM_FORMAT}`,
        );
      }
      p = stored;
      this.programs.set(key, p);
    }
    return p;
  }

  /** Refreshes the known names when they are older than a moment. */
  async refreshNames(force = false): Promise<void> {
    if (!force && Date.now() - this.namesAt < NAMES_TTL_MS) return;
    this.names = new Set(await this.store.workflowNames());
    this.namesAt = Date.now();
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  noteDeployed(names: string[]): void {
    for (const n of names) this.names.add(n);
  }
}
