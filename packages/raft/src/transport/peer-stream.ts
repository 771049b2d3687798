import * as grpc from '@grpc/grpc-js';
import type { Message } from '../core/messages';
import { messageBytes } from '../core/messages';
import type { NodeId } from '../core/types';
import type { Logger } from '../node/logger';
import { callMetadata, checkServer } from './identity';
import type { MessagesCall, OpenMessagesCall } from './messages-client';

export interface PeerStreamOptions {
  readonly self: NodeId;
  readonly peer: NodeId;
  readonly clusterId: string;
  /** Opens the Messages stream to the peer. */
  readonly openCall: OpenMessagesCall;
  /** Messages waiting for the stream beyond these bounds are dropped and the peer reported unreachable. */
  readonly maxQueuedMessages: number;
  readonly maxQueuedBytes: number;
  /** A batch (one stream write) stops growing past this many bytes. */
  readonly maxBatchBytes: number;
  readonly onUnreachable: (peer: NodeId) => void;
  readonly onContact: (peer: NodeId) => void;
  readonly logger: Logger;
}

const minBackoffMs = 50;
const maxBackoffMs = 1_000;
/** After the peer turned out to be a node of another cluster, dial it again only this rarely. */
const refusedBackoffMs = 5_000;

/**
 * The outgoing half of one ordered pair of nodes: a long-lived client stream carrying batched Raft messages.
 * Messages are queued (bounded), written in batches honouring backpressure, and dropped when the stream is
 * down or the queue is full — Raft retransmits, and the core is told the peer is unreachable so it stops
 * pipelining to it.
 */
export class PeerStream {
  private readonly o: PeerStreamOptions;
  private call: MessagesCall | undefined;
  private queue: Message[] = [];
  private queuedBytes = 0;
  private waitingDrain = false;
  private reopenTimer: NodeJS.Timeout | undefined;
  private backoffMs = minBackoffMs;
  private closed = false;
  /** The stream is open and not in a back-off pause. */
  private up = false;

  constructor(o: PeerStreamOptions) {
    this.o = o;
  }

  /** Queues messages and writes them now as one batch (the driver hands over a whole Ready at once). */
  send(messages: readonly Message[]): void {
    if (this.closed) return;
    if (this.reopenTimer !== undefined) {
      // down: dropping now beats delivering stale messages later
      this.o.onUnreachable(this.o.peer);
      return;
    }
    for (const m of messages) {
      const bytes = messageBytes(m);
      if (this.queue.length >= this.o.maxQueuedMessages || this.queuedBytes + bytes > this.o.maxQueuedBytes) {
        this.o.onUnreachable(this.o.peer);
        break;
      }
      this.queue.push(m);
      this.queuedBytes += bytes;
    }
    this.flush();
  }

  /** Ends the stream; queued messages are dropped. */
  close(): void {
    this.closed = true;
    if (this.reopenTimer !== undefined) clearTimeout(this.reopenTimer);
    this.reopenTimer = undefined;
    this.queue = [];
    this.queuedBytes = 0;
    const call = this.call;
    this.call = undefined;
    if (call) {
      call.end();
      call.cancel();
    }
  }

  get connected(): boolean {
    return this.up;
  }

  private flush(): void {
    if (this.closed || this.waitingDrain || this.queue.length === 0) return;
    const call = this.call ?? this.open();
    if (!call) return;
    while (this.queue.length > 0 && !this.waitingDrain) {
      const batch: Message[] = [];
      let bytes = 0;
      while (this.queue.length > 0) {
        const m = this.queue[0];
        if (!m) break;
        const b = messageBytes(m);
        if (batch.length > 0 && bytes + b > this.o.maxBatchBytes) break;
        this.queue.shift();
        this.queuedBytes -= b;
        batch.push(m);
        bytes += b;
      }
      const ok = call.write(batch);
      if (!ok) {
        this.waitingDrain = true;
        call.once('drain', () => {
          this.waitingDrain = false;
          if (this.call === call) this.flush();
        });
      }
    }
  }

  private open(): MessagesCall | undefined {
    const md = callMetadata(this.o.clusterId, this.o.self, this.o.peer);
    // waitForReady false: while the peer is down the call fails fast and we back off, instead of
    // accumulating messages inside the channel
    md.setOptions({ waitForReady: false });
    const call = this.o.openCall(md, (err) => {
      if (this.call !== call) return;
      this.onEnded(err ?? undefined);
    });
    call.on('metadata', (res: grpc.Metadata) => {
      try {
        checkServer(res, this.o.clusterId, this.o.peer);
      } catch (err) {
        this.o.logger.error('peer refused: another cluster', { peer: this.o.peer, error: (err as Error).message });
        this.backoffMs = refusedBackoffMs;
        call.cancel();
        return;
      }
      this.up = true;
      this.backoffMs = minBackoffMs;
      this.o.onContact(this.o.peer);
    });
    call.on('error', () => {
      // reported through the callback
    });
    this.call = call;
    return call;
  }

  private onEnded(err: grpc.ServiceError | undefined): void {
    const wasUp = this.up;
    this.call = undefined;
    this.up = false;
    this.waitingDrain = false;
    this.queue = [];
    this.queuedBytes = 0;
    if (this.closed) return;
    if (err && err.code === grpc.status.FAILED_PRECONDITION) {
      this.o.logger.error('peer refused this node', { peer: this.o.peer, error: err.details });
      this.backoffMs = refusedBackoffMs;
    } else if (wasUp) {
      this.o.logger.info('stream to peer lost', { peer: this.o.peer, error: err?.details });
    }
    this.o.onUnreachable(this.o.peer);
    const delay = this.backoffMs;
    this.backoffMs = Math.min(maxBackoffMs, Math.max(this.backoffMs * 2, minBackoffMs));
    if (delay >= refusedBackoffMs) this.backoffMs = refusedBackoffMs;
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = undefined;
      if (!this.closed) this.open();
    }, delay);
  }
}
