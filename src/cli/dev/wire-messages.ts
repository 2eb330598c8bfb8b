// Just enough of the Postgres wire protocol for the dev server's session queue: splitting the
// backend's answer into messages (it arrives in chunks that need not end on a message boundary),
// recognising a client's LISTEN / UNLISTEN sent as a simple Query, and keeping each connection's
// prepared statements its own.

export interface BackendMessage {
  /** The one-letter message type: 'Z' ReadyForQuery, 'A' NotificationResponse, … */
  type: string;
  body: Uint8Array;
  /** The whole message, type and length included, to forward as is. */
  raw: Uint8Array;
  /** For 'A': the channel named. */
  channel?: string;
}

export class BackendMessageReader {
  private pending = new Uint8Array(0);

  /** Adds a chunk; returns the messages it completes. */
  push(chunk: Uint8Array): BackendMessage[] {
    const buf = concat(this.pending, chunk);
    const out: BackendMessage[] = [];
    let at = 0;
    while (buf.length - at >= 5) {
      const length = new DataView(buf.buffer, buf.byteOffset + at + 1, 4).getInt32(0);
      if (buf.length - at < 1 + length) break;
      // copies: the chunk may be a view on PGlite's memory, reused by the next answer
      const raw = new Uint8Array(buf.subarray(at, at + 1 + length));
      const m: BackendMessage = { type: String.fromCharCode(raw[0]), body: raw.subarray(5), raw };
      if (m.type === "A") m.channel = cString(m.body, 4).text; // after the sender's process id
      out.push(m);
      at += 1 + length;
    }
    this.pending = new Uint8Array(buf.subarray(at));
    return out;
  }
}

/**
 * A simple Query ('Q') that is `LISTEN ch` or `UNLISTEN ch | *`: the channel as Postgres names it
 * (quoted names as written, bare names lower-cased; null for `UNLISTEN *`). Null for anything else.
 */
export function listenStatement(message: Uint8Array): { listen: boolean; channel: string | null } | null {
  if (message[0] !== 0x51 || message.length < 6) return null;
  const sql = cString(message, 5).text;
  const m = /^\s*(listen|unlisten)\s+(?:"((?:[^"]|"")+)"|([A-Za-z_][\w$]*)|(\*))\s*;?\s*$/i.exec(sql);
  if (!m) return null;
  const listen = m[1].toLowerCase() === "listen";
  if (m[4] !== undefined) return listen ? null : { listen, channel: null };
  return { listen, channel: m[2] !== undefined ? m[2].replaceAll('""', '"') : m[3].toLowerCase() };
}

/**
 * Every connection of `rhythm dev` shares PGlite's one session, and with it one namespace of
 * prepared statements: two clients preparing the same name (Rhythm names its statements by their
 * text) would collide. The statement named in a Parse, Bind, Describe or Close message is made the
 * connection's own by `prefix`. Returns the message to run, and for a Parse or a Close the
 * statement it creates or drops; a message naming no statement (the unnamed one) is left as is.
 */
export function ownStatementName(message: Uint8Array, prefix: string): { message: Uint8Array; parsed?: string; closed?: string } {
  const type = String.fromCharCode(message[0]);
  let at: number;
  if (type === "P") at = 5;
  else if (type === "B")
    at = cString(message, 5).end + 1; // after the portal's name
  else if ((type === "D" || type === "C") && message[5] === 0x53 /* 'S': a statement */) at = 6;
  else return { message };
  const { text: name, end } = cString(message, at);
  if (name === "") return { message };
  const own = prefix + name;
  const renamed = Buffer.from(own, "utf8");
  const out = new Uint8Array(message.length - (end - at) + renamed.length);
  out.set(message.subarray(0, at));
  out.set(renamed, at);
  out.set(message.subarray(end), at + renamed.length);
  new DataView(out.buffer, out.byteOffset + 1, 4).setInt32(0, out.length - 1);
  return { message: out, parsed: type === "P" ? own : undefined, closed: type === "C" ? own : undefined };
}

function cString(bytes: Uint8Array, from: number): { text: string; end: number } {
  let end = bytes.indexOf(0, from);
  if (end < 0) end = bytes.length;
  return { text: Buffer.from(bytes.subarray(from, end)).toString("utf8"), end };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
