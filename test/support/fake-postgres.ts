// A TCP server that speaks just enough of the Postgres protocol to refuse every connection with
// a given SQLSTATE (what a server says for a database that does not exist, or a wrong
// password), so connection errors can be tested without a server configured that way.

import { createServer, type Server } from "node:net";

export interface FakePostgres {
  port: number;
  close(): Promise<void>;
}

/** Answers every startup message with a FATAL ErrorResponse (`code`, `message`) and hangs up. */
export async function refusingPostgres(code: string, message: string): Promise<FakePostgres> {
  const server: Server = createServer((socket) => {
    socket.once("data", () => {
      const fields = Buffer.concat([
        field("S", "FATAL"),
        field("V", "FATAL"),
        field("C", code),
        field("M", message),
        Buffer.from([0]),
      ]);
      const header = Buffer.alloc(5);
      header.write("E", 0);
      header.writeInt32BE(fields.length + 4, 1);
      socket.end(Buffer.concat([header, fields]));
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function field(type: string, value: string): Buffer {
  return Buffer.concat([Buffer.from(type), Buffer.from(value + "\0")]);
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
