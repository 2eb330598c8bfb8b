// Serves one PGlite database over the Postgres wire protocol on 127.0.0.1 (never another
// interface: the embedded database has no password). pglite-socket frames each connection's
// messages; our SessionQueue decides whose turn it is on the single session.

import type { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from "@electric-sql/pglite-socket";
import { createServer, type Server, type Socket } from "node:net";
import { SessionQueue } from "./session-queue.js";

export const DEV_HOST = "127.0.0.1";
export const DEFAULT_DEV_PORT = 5488;
/** How many ports past the default `rhythm dev` tries when the default is taken. */
export const PORT_TRIES = 20;

export interface SocketServer {
  port: number;
  url: string;
  /** Closes every client connection and stops listening (the database stays open). */
  stop(): Promise<void>;
}

/**
 * Listens on `port`, or with `nextFree` on the first free port from `port` on. Resolves once
 * clients can connect.
 */
export async function serveDatabase(db: PGlite, port: number, nextFree: boolean): Promise<SocketServer> {
  const queue = new SessionQueue(db);
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    // The handler only calls enqueue / clearQueueForHandler / clearTransactionIfNeeded on its queue.
    const handler = new PGLiteSocketHandler({
      queryQueue: queue as unknown as PGLiteSocketHandlerOptions["queryQueue"],
      closeOnDetach: true,
    });
    queue.connect(handler.handlerId, (data) => {
      if (socket.writable) socket.write(data);
    });
    socket.on("close", () => {
      sockets.delete(socket);
      queue.disconnect(handler.handlerId);
    });
    handler.attach(socket).catch(() => socket.destroy());
  });
  const bound = await listen(server, port, nextFree ? PORT_TRIES : 1);
  return {
    port: bound,
    url: `postgres://postgres@${DEV_HOST}:${bound}/postgres`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function listen(server: Server, port: number, tries: number): Promise<number> {
  for (let p = port; ; p++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(p, DEV_HOST, () => {
          server.off("error", reject);
          resolve();
        });
      });
      return (server.address() as { port: number }).port;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE" || p - port + 1 >= tries) throw e;
    }
  }
}
