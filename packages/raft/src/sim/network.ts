import type { Message, SnapshotMessage } from '../core/messages';
import type { NodeId } from '../core/types';
import type { RandomSource } from '../core/rand';
import type { Scheduler } from './scheduler';
import type { SnapshotPayload } from '../node/snapshot';

export interface LinkState {
  up: boolean;
  /** Probability of dropping a message. */
  loss: number;
  /** Probability of delivering a message twice. */
  duplicate: number;
  /** Base latency in ms; each message adds random jitter, so messages reorder. */
  latency: number;
  jitter: number;
  /** Until this time, messages are held and delivered at the end (a stalled TCP connection). */
  stallUntil: number;
}

export interface NetworkEndpoint {
  receive(m: Message, snapshotData?: Uint8Array): void;
  reportSnapshot(peer: NodeId, ok: boolean): void;
  reportUnreachable(peer: NodeId): void;
}

/** Called before a message leaves its sender; the oracle checks durability claims here. */
export type SendHook = (m: Message) => void;

/**
 * The simulated network between nodes: per directed link, up/down, loss, duplication, latency with
 * jitter (reordering) and stalls. Messages and entries are frozen so aliasing bugs surface.
 */
export class SimNetwork {
  private readonly links = new Map<string, LinkState>();
  private readonly endpoints = new Map<NodeId, NetworkEndpoint>();
  sent = 0;
  dropped = 0;

  constructor(
    private readonly sched: Scheduler,
    private readonly rand: RandomSource,
    private readonly onSend: SendHook,
    private readonly defaults: { latency: number; jitter: number },
  ) {}

  attach(id: NodeId, ep: NetworkEndpoint | undefined): void {
    if (ep) this.endpoints.set(id, ep);
    else this.endpoints.delete(id);
  }

  link(from: NodeId, to: NodeId): LinkState {
    const key = `${from}>${to}`;
    let l = this.links.get(key);
    if (!l) {
      l = {
        up: true,
        loss: 0,
        duplicate: 0,
        latency: this.defaults.latency,
        jitter: this.defaults.jitter,
        stallUntil: 0,
      };
      this.links.set(key, l);
    }
    return l;
  }

  /** Restores every link to healthy defaults. */
  healAll(): void {
    for (const l of this.links.values()) {
      l.up = true;
      l.loss = 0;
      l.duplicate = 0;
      l.latency = this.defaults.latency;
      l.jitter = this.defaults.jitter;
      l.stallUntil = 0;
    }
  }

  /** Cuts every link between the two groups, both directions. */
  partition(a: readonly NodeId[], b: readonly NodeId[]): void {
    for (const x of a) {
      for (const y of b) {
        this.link(x, y).up = false;
        this.link(y, x).up = false;
      }
    }
  }

  transport(from: NodeId): {
    send(messages: readonly Message[]): void;
    sendSnapshot(m: SnapshotMessage, payload: SnapshotPayload): void;
  } {
    return {
      send: (messages) => {
        for (const m of messages) this.sendOne(from, m);
      },
      sendSnapshot: (m, payload) => {
        this.onSend(m);
        const l = this.link(from, m.to);
        if (!payload.bytes) throw new Error('the simulator keeps snapshots in memory');
        const copy = payload.bytes.slice();
        payload.close();
        // Snapshots take longer: bandwidth-limited.
        const delay = this.delay(l) + copy.length / 10_000;
        const lost = !l.up || this.rand() < l.loss;
        this.sched.after(delay, () => {
          const ep = this.endpoints.get(m.to);
          const sender = this.endpoints.get(from);
          if (lost || !ep || !this.link(from, m.to).up) {
            sender?.reportSnapshot(m.to, false);
            return;
          }
          ep.receive(deepFreeze(m), copy);
          sender?.reportSnapshot(m.to, true);
        });
      },
    };
  }

  private sendOne(from: NodeId, m: Message): void {
    this.onSend(m);
    this.sent++;
    const l = this.link(from, m.to);
    if (!l.up || this.rand() < l.loss) {
      this.dropped++;
      return;
    }
    const frozen = deepFreeze(m);
    const copies = this.rand() < l.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      this.sched.after(this.delay(l), () => {
        // A link cut while the message was in flight loses it.
        if (!this.link(from, m.to).up) return;
        this.endpoints.get(m.to)?.receive(frozen);
      });
    }
  }

  private delay(l: LinkState): number {
    const base = l.latency + this.rand() * l.jitter;
    const now = this.sched.now();
    return l.stallUntil > now ? l.stallUntil - now + base : base;
  }
}

function deepFreeze<T>(m: T): T {
  if (m && typeof m === 'object' && !Object.isFrozen(m) && !ArrayBuffer.isView(m)) {
    Object.freeze(m);
    for (const v of Object.values(m as object)) deepFreeze(v);
  }
  return m;
}
