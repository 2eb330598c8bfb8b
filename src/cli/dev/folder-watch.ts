// What `rhythm dev` watches: folders, each with the names of the files in it that matter. A
// folder rather than a file, because editors save by writing a new file and renaming it over
// the old one, which ends a watch on the file itself. Bursts of events (one save is several)
// are reported once, when they have settled.

import { watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";

/** How long a burst of file events must be quiet before it is reported. */
const SETTLE_MS = 150;

export interface FolderWatch {
  close(): void;
}

/**
 * Calls `onChange` once events in any of `folders` (folder → does this file name matter?) have
 * settled. A folder that cannot be watched (gone, say) is skipped.
 */
export function watchFolders(folders: Map<string, (file: string) => boolean>, onChange: () => void): FolderWatch {
  let timer: NodeJS.Timeout | undefined;
  const watchers: FSWatcher[] = [];
  for (const [folder, matters] of folders) {
    try {
      const w = watch(folder, (_event, file) => {
        // some platforms do not say which file: then it may be any
        if (file !== null && !matters(file.toString())) return;
        clearTimeout(timer);
        timer = setTimeout(onChange, SETTLE_MS);
      });
      w.on("error", () => w.close());
      watchers.push(w);
    } catch {
      // not there (any more): nothing to watch in it
    }
  }
  return {
    close() {
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}

/** The folders of `paths`, each with the set of their files' names. */
export function foldersOf(paths: Iterable<string>): Map<string, (file: string) => boolean> {
  const names = new Map<string, Set<string>>();
  for (const p of paths) {
    const set = names.get(dirname(p)) ?? new Set<string>();
    set.add(basename(p));
    names.set(dirname(p), set);
  }
  return new Map([...names].map(([folder, set]) => [folder, (file: string) => set.has(file)]));
}
