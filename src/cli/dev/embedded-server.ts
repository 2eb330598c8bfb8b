// `rhythm dev`'s database: the embedded PGlite of ./.rhythm, migrated, then served on 127.0.0.1
// and announced in ./.rhythm/dev.json so every other `rhythm` command and `Rhythm.connect()` in
// this folder uses it. Closing gives everything back: file, port, database and its lock.

import { rmSync, writeFileSync } from "node:fs";
import { DEV_FILE, openEmbedded, RHYTHM_DIR, type DevServerInfo } from "../../client/connection.js";
import { PgliteDriver } from "../../store/pglite-driver.js";
import { migrate } from "../../store/migrate.js";
import { serveDatabase } from "./socket-server.js";

export interface EmbeddedServer {
  url: string;
  close(): Promise<void>;
}

export async function startEmbeddedServer(options: { port: number; nextFree: boolean; schema: string }): Promise<EmbeddedServer> {
  const driver = await openEmbedded(RHYTHM_DIR);
  if (!(driver instanceof PgliteDriver)) throw new Error("the embedded database is not a PGlite driver");
  let server;
  try {
    // Migrated here, before anyone connects: over the socket every client shares one session,
    // so the advisory lock that keeps concurrent migrations apart would not.
    await migrate(driver, options.schema);
    server = await serveDatabase(driver.db, options.port, options.nextFree);
  } catch (e) {
    await driver.close();
    throw e;
  }
  const info: DevServerInfo = { url: server.url, pid: process.pid };
  writeFileSync(DEV_FILE, JSON.stringify(info) + "\n");
  // a crash must not leave the file pointing other commands at a dead server
  const removeFile = () => rmSync(DEV_FILE, { force: true });
  process.on("exit", removeFile);
  return {
    url: server.url,
    close: async () => {
      removeFile();
      process.off("exit", removeFile);
      await server.stop();
      await driver.close();
    },
  };
}
