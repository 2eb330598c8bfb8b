// Reads the language corpus: .flow programs whose `//! key: JSON` header lines say how to run
// them and what must come out (format in test/corpus/README.md).

import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export interface CorpusCase {
  file: string;
  /** Path relative to the corpus root, e.g. "closures/counter.flow". */
  name: string;
  source: string;
  header: Record<string, unknown>;
}

export const CORPUS_ROOT = join(process.cwd(), "test", "corpus");

const KNOWN = new Set([
  "inputs",
  "mocks",
  "signals",
  "limits",
  "status",
  "output",
  "error",
  "logs",
  "taskCalls",
  "check",
  "differential",
]);

export function loadCorpus(root = CORPUS_ROOT): CorpusCase[] {
  const out: CorpusCase[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".flow") && !entry.name.startsWith("_")) {
        const source = readFileSync(path, "utf8");
        out.push({ file: path, name: relative(root, path), source, header: parseHeader(source, path) });
      }
    }
  };
  walk(root);
  return out;
}

export function parseHeader(source: string, file: string): Record<string, unknown> {
  const header: Record<string, unknown> = {};
  for (const line of source.split("\n")) {
    const m = /^\/\/! (\w+): (.*)$/.exec(line);
    if (!m) continue;
    if (!KNOWN.has(m[1])) throw new Error(`${file}: unknown header key "${m[1]}"`);
    try {
      header[m[1]] = JSON.parse(m[2]);
    } catch (e) {
      throw new Error(`${file}: header "${m[1]}" is not JSON: ${(e as Error).message}`);
    }
  }
  return header;
}
