import * as net from 'node:net';
import type { RandomSource } from '../core/rand';

/** Where a link forwards to, and where a node dials to use the link. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** How a blocked direction behaves: `stall` holds the bytes (TCP backpressure), `reset` kills connections. */
export type BlockMode = 'stall' | 'reset';

interface DirectionRule {
  block?: BlockMode;
  delayMs: number;
  jitterMs: number;
  loss: number;
  rtoMs: number;
}

interface QueuedChunk {
  readonly data: Buffer;
  readonly at: number;
}

const pauseAboveBytes = 1 << 20;
const resumeBelowBytes = 256 << 10;

/** One direction of one proxied connection: bytes from `src` node to `dst` node. */
class Pipe {
  private readonly queue: QueuedChunk[] = [];
  private queuedBytes = 0;
  private lastAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly proxy: FaultProxy,
    readonly src: number,
    readonly dst: number,
    private readonly from: net.Socket,
    private readonly to: net.Socket,
  ) {
    from.on('data', (chunk: Buffer) => {
      this.push(chunk);
    });
  }

  private push(data: Buffer): void {
    const rule = this.proxy.ruleFor(this.src, this.dst);
    const now = performance.now();
    let at = now;
    if (rule) {
      at += rule.delayMs + (rule.jitterMs > 0 ? (this.proxy.random() * 2 - 1) * rule.jitterMs : 0);
      // a lost segment shows up on a TCP stream as a retransmission delay, never as missing bytes
      if (rule.loss > 0 && this.proxy.random() < rule.loss) at += rule.rtoMs;
    }
    at = Math.max(at, this.lastAt); // TCP keeps order
    this.lastAt = at;
    this.queue.push({ data, at });
    this.queuedBytes += data.length;
    if (this.queuedBytes > pauseAboveBytes) this.from.pause();
    this.pump();
  }

  /** Delivers every chunk that is due, unless the direction is blocked. */
  pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.proxy.ruleFor(this.src, this.dst)?.block) return; // heal() pumps again
    const now = performance.now();
    while (this.queue.length > 0) {
      const head = this.queue[0];
      if (!head) break;
      if (head.at > now) {
        this.timer = setTimeout(
          () => {
            this.pump();
          },
          Math.ceil(head.at - now),
        );
        break;
      }
      this.queue.shift();
      this.queuedBytes -= head.data.length;
      if (!this.to.destroyed) this.to.write(head.data);
    }
    if (this.queuedBytes < resumeBelowBytes && this.from.isPaused()) this.from.resume();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }
}

interface Connection {
  readonly from: number;
  readonly to: number;
  readonly client: net.Socket;
  readonly server: net.Socket;
  readonly pipes: readonly Pipe[];
}

/**
 * A fault-injecting TCP proxy for node-to-node traffic on loopback. Each directed link "node `from` dials
 * node `to`" gets its own listener; faults are set per direction of traffic (src → dst) and apply to every
 * byte flowing that way, on src's connections to dst and on the answers src sends on dst's connections —
 * as a packet filter between the two hosts would.
 */
export class FaultProxy {
  readonly random: RandomSource;
  private readonly servers: net.Server[] = [];
  private readonly connections = new Set<Connection>();
  private readonly rules = new Map<string, DirectionRule>();
  private closed = false;

  constructor(opts: { random?: RandomSource } = {}) {
    this.random = opts.random ?? Math.random;
  }

  /**
   * Creates the listener node `from` dials to reach node `to` at `target`; resolves with its address. The
   * target may be a function asked at each connection (a node whose address is not known yet, or changes):
   * while it answers undefined, connections are refused.
   */
  async link(from: number, to: number, target: HostPort | (() => HostPort | undefined)): Promise<HostPort> {
    const server = net.createServer((client) => {
      this.accept(from, to, client, target);
    });
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as net.AddressInfo).port;
    return { host: '127.0.0.1', port };
  }

  /** Blocks traffic from `src` to `dst` (stall by default; `reset` kills and refuses connections). */
  block(src: number, dst: number, mode: BlockMode = 'stall'): void {
    this.rule(src, dst).block = mode;
    if (mode === 'reset') {
      for (const c of this.connections) {
        if ((c.from === src && c.to === dst) || (c.from === dst && c.to === src)) this.drop(c);
      }
    }
  }

  /** Delays traffic from `src` to `dst` by `ms` ± `jitterMs` (order is kept). */
  delay(src: number, dst: number, ms: number, jitterMs = 0): void {
    const r = this.rule(src, dst);
    r.delayMs = ms;
    r.jitterMs = jitterMs;
  }

  /** Loses a fraction of the segments from `src` to `dst`; each loss costs a retransmission timeout. */
  loss(src: number, dst: number, fraction: number, rtoMs = 200): void {
    const r = this.rule(src, dst);
    r.loss = fraction;
    r.rtoMs = rtoMs;
  }

  /** Cuts both directions between every node of `a` and every node of `b`. */
  partition(a: readonly number[], b: readonly number[], mode: BlockMode = 'stall'): void {
    for (const x of a) {
      for (const y of b) {
        this.block(x, y, mode);
        this.block(y, x, mode);
      }
    }
  }

  /** Cuts `node` off from every other node of `all`. */
  isolate(node: number, all: readonly number[], mode: BlockMode = 'stall'): void {
    this.partition(
      [node],
      all.filter((n) => n !== node),
      mode,
    );
  }

  /** Removes every fault from `src` to `dst`; held bytes flow again. */
  heal(src: number, dst: number): void {
    this.rules.delete(key(src, dst));
    this.pumpAll();
  }

  healAll(): void {
    this.rules.clear();
    this.pumpAll();
  }

  ruleFor(src: number, dst: number): DirectionRule | undefined {
    return this.rules.get(key(src, dst));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.connections) this.drop(c);
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => {
              resolve();
            });
          }),
      ),
    );
  }

  private rule(src: number, dst: number): DirectionRule {
    let r = this.rules.get(key(src, dst));
    if (!r) {
      r = { delayMs: 0, jitterMs: 0, loss: 0, rtoMs: 200 };
      this.rules.set(key(src, dst), r);
    }
    return r;
  }

  private accept(from: number, to: number, client: net.Socket, where: HostPort | (() => HostPort | undefined)): void {
    const target = typeof where === 'function' ? where() : where;
    const refused =
      this.closed || this.ruleFor(from, to)?.block === 'reset' || this.ruleFor(to, from)?.block === 'reset';
    if (refused || !target) {
      client.destroy();
      return;
    }
    client.setNoDelay(true);
    const server = net.connect(target.port, target.host);
    server.setNoDelay(true);
    const pipes = [new Pipe(this, from, to, client, server), new Pipe(this, to, from, server, client)];
    const c: Connection = { from, to, client, server, pipes };
    this.connections.add(c);
    const end = (): void => {
      this.drop(c);
    };
    client.on('error', end);
    server.on('error', end);
    client.on('close', end);
    server.on('close', end);
  }

  private drop(c: Connection): void {
    if (!this.connections.delete(c)) return;
    for (const p of c.pipes) p.stop();
    c.client.destroy();
    c.server.destroy();
  }

  private pumpAll(): void {
    for (const c of this.connections) for (const p of c.pipes) p.pump();
  }
}

function key(src: number, dst: number): string {
  return `${src}>${dst}`;
}
