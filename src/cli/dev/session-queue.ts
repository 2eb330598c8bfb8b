// Puts every socket client of `rhythm dev` onto PGlite's single Postgres session, one protocol
// exchange at a time. pglite-socket 0.2.17's own queue ties a connection to the session only inside
// a transaction (so extended-protocol batches of two connections may interleave, electric-sql/pglite#1046),
// stops serving anyone after one message throws, and leaves a NOTIFY in the answer of the connection
// that committed it, so listeners never hear it. Here a connection keeps the session from its first
// message until the backend is idle again (ReadyForQuery 'I'), and notifications go to their listeners.

import type { PGlite } from "@electric-sql/pglite";
import { BackendMessageReader, listenStatement, ownStatementName } from "./wire-messages.js";

type OnData = (data: Uint8Array) => void;

interface Item {
  handlerId: number;
  /** A frontend message, or an internal step run on the handler's behalf (release after it left). */
  run: Uint8Array | (() => Promise<void>);
  onData: OnData;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
}

/**
 * The queue a `PGLiteSocketHandler` is given (`queryQueue`): the handler calls `enqueue` for each
 * frontend message, and `clearQueueForHandler` + `clearTransactionIfNeeded` when its socket goes.
 */
export class SessionQueue {
  private items: Item[] = [];
  /** The connection the session belongs to until the backend reports it idle. */
  private owner: number | null = null;
  private pumping = false;
  private readonly clients = new Map<number, { write: OnData; channels: Set<string>; statements: Set<string> }>();

  constructor(private readonly db: PGlite) {}

  /** Registers a connection's socket, so notifications can be copied to it. */
  connect(handlerId: number, write: OnData): void {
    this.clients.set(handlerId, { write, channels: new Set(), statements: new Set() });
  }

  /** Forgets a connection that went, and drops the prepared statements it left in the session. */
  disconnect(handlerId: number): void {
    const statements = [...(this.clients.get(handlerId)?.statements ?? [])];
    this.clients.delete(handlerId);
    if (statements.length === 0) return;
    const deallocate = async () => {
      for (const name of statements) await this.db.exec(`deallocate "${name.replaceAll('"', '""')}"`).catch(() => {});
    };
    this.items.push({ handlerId, run: deallocate, onData: () => {}, resolve: () => {}, reject: () => {} });
    void this.pump();
  }

  enqueue(handlerId: number, message: Uint8Array, onData: OnData): Promise<number> {
    // statement names are made the connection's own (see ownStatementName)
    const own = ownStatementName(message, `c${handlerId}_`);
    const client = this.clients.get(handlerId);
    if (own.parsed) client?.statements.add(own.parsed);
    if (own.closed) client?.statements.delete(own.closed);
    return new Promise((resolve, reject) => {
      this.items.push({ handlerId, run: own.message, onData, resolve, reject });
      void this.pump();
    });
  }

  getQueueLength(): number {
    return this.items.length;
  }

  clearQueueForHandler(handlerId: number): void {
    const gone = this.items.filter((i) => i.handlerId === handlerId);
    this.items = this.items.filter((i) => i.handlerId !== handlerId);
    for (const i of gone) i.reject(new Error("connection closed"));
  }

  /**
   * A connection that leaves while in charge gives the session back, rolling back what it left
   * open. Queued rather than checked now: a message of its own may still be running, and only
   * when that ends is it known whether the connection kept the session (mid-batch or transaction).
   */
  clearTransactionIfNeeded(handlerId: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const release = async () => {
        if (this.owner !== handlerId) return;
        if (this.db.isInTransaction()) await this.db.exec("rollback");
        this.owner = null;
      };
      // first in line: runs next whether the session is free or this connection holds it
      this.items.unshift({ handlerId, run: release, onData: () => {}, resolve: () => resolve(), reject });
      void this.pump();
    });
  }

  private next(): Item | undefined {
    const at = this.owner === null ? 0 : this.items.findIndex((i) => i.handlerId === this.owner);
    return at < 0 ? undefined : this.items.splice(at, 1)[0];
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let item = this.next(); item; item = this.next()) {
        try {
          item.resolve(typeof item.run === "function" ? (await item.run(), 0) : await this.exchange(item, item.run));
        } catch (e) {
          // A failed message fails its connection only; the session goes on serving the others.
          if (this.owner === item.handlerId) this.owner = null;
          item.reject(e);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /**
   * Runs one frontend message and passes the answer back message by message, noting ReadyForQuery
   * and handing each notification to the connections that listen on its channel, as a server would.
   */
  private async exchange(item: Item, message: Uint8Array): Promise<number> {
    const listen = listenStatement(message);
    const reader = new BackendMessageReader();
    let idle: boolean | null = null;
    let bytes = 0;
    await this.db.runExclusive(() =>
      this.db.execProtocolRawStream(message, {
        onRawData: (data) => {
          for (const m of reader.push(data)) {
            if (m.type === "A") {
              this.notify(item, m.raw, m.channel!);
              continue;
            }
            if (m.type === "Z") idle = m.body[0] === 0x49; // 'I': no transaction open
            bytes += m.raw.length;
            item.onData(m.raw);
          }
        },
      }),
    );
    // No ReadyForQuery yet means the connection is inside an extended-protocol batch: it keeps the session.
    this.owner = idle === true ? null : item.handlerId;
    if (listen) await this.trackListen(item.handlerId, listen);
    return bytes;
  }

  private notify(item: Item, raw: Uint8Array, channel: string): void {
    for (const [id, c] of this.clients) {
      if (!c.channels.has(channel)) continue;
      if (id === item.handlerId) item.onData(raw);
      else c.write(raw);
    }
  }

  /**
   * LISTEN and UNLISTEN act on the one shared session, so a client's UNLISTEN would silence every
   * other listener of that channel: the channel is listened to again while anyone still wants it.
   */
  private async trackListen(handlerId: number, s: { listen: boolean; channel: string | null }): Promise<void> {
    const client = this.clients.get(handlerId);
    if (!client) return;
    if (s.listen) {
      if (s.channel !== null) client.channels.add(s.channel);
      return;
    }
    const dropped = s.channel === null ? [...client.channels] : [s.channel];
    for (const ch of dropped) client.channels.delete(ch);
    for (const ch of dropped) {
      if ([...this.clients.values()].some((c) => c.channels.has(ch))) await this.db.exec(`listen "${ch.replaceAll('"', '""')}"`);
    }
  }
}
