// The socket `rhythm dev` serves its PGlite on, with many `pg` connections at once as the worker
// and the other commands open them: every answer goes to the query that asked, transactions stay
// whole, a notification reaches every listener (also after another client's UNLISTEN), and a
// client that leaves mid-transaction neither keeps its writes nor stalls the others.

import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { serveDatabase, type SocketServer } from "../../src/cli/dev/socket-server.js";
import { BackendMessageReader, listenStatement, ownStatementName } from "../../src/cli/dev/wire-messages.js";

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; !done(); i++) {
    if (i > 100) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

function notified(client: pg.Client, channel: string): { payloads: string[]; next: () => Promise<string> } {
  const payloads: string[] = [];
  let waiter: ((p: string) => void) | null = null;
  client.on("notification", (n) => {
    if (n.channel !== channel) return;
    payloads.push(n.payload ?? "");
    waiter?.(n.payload ?? "");
    waiter = null;
  });
  return {
    payloads,
    next: () =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no notification on ${channel}`)), 5000);
        waiter = (p) => {
          clearTimeout(t);
          resolve(p);
        };
      }),
  };
}

describe("rhythm dev's socket server", () => {
  let db: PGlite;
  let server: SocketServer;
  const clients: pg.Client[] = [];
  const pools: pg.Pool[] = [];

  async function client(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    clients.push(c);
    return c;
  }

  function pool(): pg.Pool {
    const p = new pg.Pool({ connectionString: server.url, max: 8 });
    pools.push(p);
    return p;
  }

  before(async () => {
    db = new PGlite();
    await db.waitReady;
    server = await serveDatabase(db, 0, false);
    const c = await client();
    await c.query("create table t (id int primary key, v text)");
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await Promise.all(pools.map((p) => p.end()));
    await server.stop();
    await db.close();
  });

  test("listens on 127.0.0.1 only", () => {
    assert.match(server.url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
  });

  test("concurrent parameterised queries of different shapes from many connections each get their own answer", async () => {
    const a = pool();
    const b = pool();
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < 300; i++) {
      if (i % 3 === 0) jobs.push(a.query("select $1::int * 2 as n", [i]).then((r) => assert.deepEqual(r.rows, [{ n: i * 2 }])));
      else if (i % 3 === 1)
        jobs.push(
          b
            .query("select $1::text as s, $2::bool as f", [`s${i}`, true])
            .then((r) => assert.deepEqual(r.rows, [{ s: `s${i}`, f: true }])),
        );
      else
        jobs.push(
          a.query("select count(*)::int as c from t where id = $1", [-i]).then((r) => assert.deepEqual(r.rows, [{ c: 0 }])),
        );
    }
    await Promise.all(jobs);
  });

  test("a transaction stays whole while other connections write: its rollback takes only its own rows", async () => {
    const p = pool();
    const tx = await p.connect();
    await tx.query("begin");
    await tx.query("insert into t values (1, 'in tx')");
    const outside = Promise.all([p.query("insert into t values (2, 'outside')"), p.query("insert into t values (3, 'outside')")]);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual((await tx.query("select id from t order by id")).rows, [{ id: 1 }]);
    await tx.query("rollback");
    tx.release();
    await outside;
    assert.deepEqual((await p.query("select id from t order by id")).rows, [{ id: 2 }, { id: 3 }]);
  });

  test("a failed statement fails its own query only", async () => {
    const p = pool();
    const results = await Promise.allSettled([
      p.query("select nope"),
      p.query("select 1 as one"),
      p.query("select $1::int as x", ["x"]),
    ]);
    assert.equal(results[0].status, "rejected");
    assert.deepEqual(results[1].status === "fulfilled" && results[1].value.rows, [{ one: 1 }]);
    assert.equal(results[2].status, "rejected");
    assert.deepEqual((await p.query("select 2 as two")).rows, [{ two: 2 }]);
  });

  test("notifications reach every listener, whoever commits them, also after another client's UNLISTEN", async () => {
    const listener = await client();
    const other = await client();
    const sender = await client();
    await listener.query('listen "rhythm_events"');
    await other.query('listen "rhythm_events"');
    const heard = notified(listener, "rhythm_events");
    const otherHeard = notified(other, "rhythm_events");
    const senderHeard = notified(sender, "rhythm_events");
    const both = Promise.all([heard.next(), otherHeard.next()]);
    await sender.query("select pg_notify('rhythm_events', 'q:default')");
    assert.deepEqual(await both, ["q:default", "q:default"]);

    await other.query('unlisten "rhythm_events"');
    const next = heard.next();
    await sender.query("begin");
    await sender.query("select pg_notify('rhythm_events', 'd:1')");
    await sender.query("commit");
    assert.equal(await next, "d:1");
    // a notification would have been written to these sockets before the answer to this query
    await Promise.all([other.query("select 1"), sender.query("select 1")]);
    assert.deepEqual(otherHeard.payloads, ["q:default"]);
    // the sender never listened: like a server, it is not told
    assert.deepEqual(senderHeard.payloads, []);
  });

  test("a client that leaves mid-transaction: its writes are rolled back and the others go on", async () => {
    const leaver = await client();
    await leaver.query("begin");
    await leaver.query("insert into t values (10, 'left behind')");
    const p = pool();
    const waiting = p.query("select count(*)::int as c from t where id = 10");
    leaver.on("error", () => {});
    (leaver as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    assert.deepEqual((await waiting).rows, [{ c: 0 }]);
    assert.deepEqual((await p.query("select count(*)::int as c from t where id = 10")).rows, [{ c: 0 }]);
  });

  test("a client that leaves in the middle of an extended-protocol batch does not hold the session", async () => {
    // by hand: startup, then a Parse with no Sync (the session is this client's until its Sync), then gone
    const socket = connect(Number(new URL(server.url).port), "127.0.0.1");
    const received: Buffer[] = [];
    socket.on("data", (d: Buffer) => received.push(d));
    await new Promise((resolve) => socket.once("connect", resolve));
    const params = Buffer.from("user\0postgres\0database\0postgres\0\0");
    const startup = Buffer.alloc(8);
    startup.writeInt32BE(8 + params.length, 0);
    startup.writeInt32BE(196608, 4);
    socket.write(Buffer.concat([startup, params]));
    await until(() => Buffer.concat(received).includes(Buffer.from([0x5a, 0, 0, 0, 5, 0x49]))); // ReadyForQuery idle
    const parse = Buffer.from("\0select 1\0\0\0");
    const head = Buffer.alloc(5);
    head.write("P");
    head.writeInt32BE(parse.length + 4, 1);
    socket.write(Buffer.concat([head, parse]));
    await new Promise((r) => setTimeout(r, 100));
    socket.destroy();
    const c = await client();
    assert.deepEqual((await c.query("select 42 as n")).rows, [{ n: 42 }]);
  });

  test("each connection's prepared statements are its own, and go when it leaves", async () => {
    // the same name with other texts from two connections, as two servers' sessions would allow
    const a = await client();
    const b = await client();
    const named = (c: pg.Client, text: string, n: number) => c.query({ name: "same_name", text, values: [n] });
    for (let i = 0; i < 3; i++) {
      assert.deepEqual((await named(a, "select $1::int + 1 as n", i)).rows, [{ n: i + 1 }]);
      assert.deepEqual((await named(b, "select $1::int * 10 as n", i)).rows, [{ n: i * 10 }]);
    }
    const held = async () =>
      (await a.query("select name from pg_prepared_statements where name like '%same_name' order by name")).rows.length;
    assert.equal(await held(), 2);
    await b.end();
    clients.splice(clients.indexOf(b), 1);
    for (let i = 0; i < 50 && (await held()) !== 1; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await held(), 1, "the statement of the connection that left is deallocated");
  });
});

describe("wire messages", () => {
  test("backend messages are split across any chunking", () => {
    const msg = (type: string, body: number[]) => [type.charCodeAt(0), 0, 0, 0, body.length + 4, ...body];
    const channel = [...Buffer.from("ch\0pay\0")];
    const bytes = Uint8Array.from([...msg("C", [1, 2, 3]), ...msg("A", [0, 0, 0, 7, ...channel]), ...msg("Z", [0x49])]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const reader = new BackendMessageReader();
      const got = [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))];
      assert.deepEqual(
        got.map((m) => [m.type, m.channel ?? null, m.raw.length]),
        [
          ["C", null, 8],
          ["A", "ch", 16],
          ["Z", null, 6],
        ],
      );
    }
  });

  test("LISTEN and UNLISTEN are recognised in simple queries, with Postgres's naming of channels", () => {
    const q = (sql: string) => {
      const text = Buffer.from(sql + "\0");
      const head = Buffer.alloc(5);
      head.write("Q");
      head.writeInt32BE(text.length + 4, 1);
      return Uint8Array.from(Buffer.concat([head, text]));
    };
    assert.deepEqual(listenStatement(q('listen "rhythm_events"')), { listen: true, channel: "rhythm_events" });
    assert.deepEqual(listenStatement(q("LISTEN Mixed_Case;")), { listen: true, channel: "mixed_case" });
    assert.deepEqual(listenStatement(q('unlisten "a""b"')), { listen: false, channel: 'a"b' });
    assert.deepEqual(listenStatement(q("unlisten *")), { listen: false, channel: null });
    assert.equal(listenStatement(q("select 'listen x'")), null);
    assert.equal(listenStatement(Uint8Array.from([0x50, 0, 0, 0, 4])), null);
  });

  test("statement names in Parse, Bind, Describe and Close are given the connection's prefix", () => {
    const message = (type: string, ...parts: (string | number[])[]) => {
      const body = Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p + "\0") : Buffer.from(p))));
      const head = Buffer.alloc(5);
      head.write(type);
      head.writeInt32BE(body.length + 4, 1);
      return Uint8Array.from(Buffer.concat([head, body]));
    };
    const own = (m: Uint8Array) => ownStatementName(m, "c7_");
    const parse = own(message("P", "stmt", "select $1", [0, 0]));
    assert.deepEqual(parse.message, message("P", "c7_stmt", "select $1", [0, 0]));
    assert.equal(parse.parsed, "c7_stmt");
    assert.deepEqual(own(message("B", "", "stmt", [0, 0, 0, 0, 0, 0])).message, message("B", "", "c7_stmt", [0, 0, 0, 0, 0, 0]));
    assert.deepEqual(own(message("D", [0x53], "stmt")).message, message("D", [0x53], "c7_stmt"));
    assert.deepEqual(own(message("C", [0x53], "stmt")), {
      message: message("C", [0x53], "c7_stmt"),
      parsed: undefined,
      closed: "c7_stmt",
    });
    // the unnamed statement, portals and other messages are left as they are
    for (const m of [
      message("P", "", "select 1", [0, 0]),
      message("D", [0x50], "portal"),
      message("Q", "select 1"),
      message("S"),
    ])
      assert.deepEqual(own(m), { message: m });
  });
});
