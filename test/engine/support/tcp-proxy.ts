// A TCP proxy in front of Postgres for tests of a database that is not there yet: it can refuse
// connections (nothing listens: ECONNREFUSED), accept and drop them at once, accept them and never
// answer, or forward them to the real server. Leaving "forward" ends the connections it carried.

import net from "node:net";

export type ProxyMode = "closed" | "drop" | "silent" | "forward";

export class TcpProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  mode: ProxyMode = "closed";
  /** Connections accepted, in any mode. */
  accepted = 0;

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  /** A proxy on a free local port, to `target`, starting in `mode`. */
  static async open(target: { host: string; port: number }, mode: ProxyMode): Promise<TcpProxy> {
    // a free port: bound, then let go (the proxy binds it again whenever it listens)
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const proxy = new TcpProxy(port, target);
    await proxy.set(mode);
    return proxy;
  }

  /** A connection string of `url` with its host and port replaced by the proxy's. */
  url(url: string): string {
    const u = new URL(url);
    u.hostname = "127.0.0.1";
    u.port = String(this.port);
    return u.toString();
  }

  async set(mode: ProxyMode): Promise<void> {
    this.mode = mode;
    if (mode !== "forward") for (const s of this.sockets) s.destroy();
    if (mode === "closed") {
      const server = this.server;
      this.server = null;
      if (server) await new Promise((resolve) => server.close(resolve));
      return;
    }
    if (this.server) return;
    const server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.server = server;
  }

  private accept(client: net.Socket): void {
    this.accepted++;
    this.track(client);
    if (this.mode === "drop") {
      client.destroy();
      return;
    }
    if (this.mode === "silent") return;
    const upstream = net.connect(this.target.port, this.target.host);
    this.track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  }

  private track(s: net.Socket): void {
    this.sockets.add(s);
    s.on("error", () => {});
    s.on("close", () => this.sockets.delete(s));
  }

  async close(): Promise<void> {
    await this.set("closed");
  }
}
