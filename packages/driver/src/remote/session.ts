import * as grpc from '@grpc/grpc-js';
import type { SessionReply__Output } from '../gen/walraft/client/v1/SessionReply';
import type { SessionRequest } from '../gen/walraft/client/v1/SessionRequest';
import type { WalraftClient } from '../gen/walraft/client/v1/Walraft';

/** One request waiting for its answer on a session stream. */
export interface SessionCall {
  /** A reply arrived for the request; return true when it is the final one. */
  onReply(reply: SessionReply__Output): boolean;
  /** The stream failed (or the request timed out) before the final reply. */
  onLost(why: Error): void;
}

/**
 * Requests multiplexed on one long-lived bidirectional stream to a node, each with its own id and deadline.
 * A broken stream fails every request still waiting (each decides what that means for it) and the next
 * request opens a new stream.
 */
export class SessionStream {
  readonly #client: WalraftClient;
  readonly #metadata: () => grpc.Metadata;
  readonly #checkServer: (md: grpc.Metadata) => Error | undefined;
  #call: grpc.ClientDuplexStream<SessionRequest, SessionReply__Output> | undefined;
  readonly #waiting = new Map<string, { call: SessionCall; timer: NodeJS.Timeout }>();
  #nextId = 0;

  constructor(
    client: WalraftClient,
    metadata: () => grpc.Metadata,
    checkServer: (md: grpc.Metadata) => Error | undefined,
  ) {
    this.#client = client;
    this.#metadata = metadata;
    this.#checkServer = checkServer;
  }

  #open(): grpc.ClientDuplexStream<SessionRequest, SessionReply__Output> {
    if (this.#call) return this.#call;
    const call = this.#client.Session(this.#metadata());
    this.#call = call;
    const broken = (why: Error): void => {
      if (this.#call !== call) return;
      this.#call = undefined;
      call.cancel();
      const waiting = [...this.#waiting.values()];
      this.#waiting.clear();
      for (const w of waiting) {
        clearTimeout(w.timer);
        w.call.onLost(why);
      }
    };
    call.on('metadata', (md: grpc.Metadata) => {
      const mismatch = this.#checkServer(md);
      if (mismatch) broken(mismatch);
    });
    call.on('data', (reply: SessionReply__Output) => {
      const w = this.#waiting.get(reply.id);
      if (w === undefined) return; // timed out meanwhile
      if (w.call.onReply(reply)) {
        clearTimeout(w.timer);
        this.#waiting.delete(reply.id);
      }
    });
    call.on('error', (err: grpc.ServiceError) => {
      broken(err);
    });
    call.on('end', () => {
      broken(Object.assign(new Error('the node ended the session'), { code: grpc.status.UNAVAILABLE, details: '' }));
    });
    return call;
  }

  /** Sends a request; `call` hears its replies, or why it was lost (deadline: `timeoutMs`). */
  send(request: Omit<SessionRequest, 'id'>, call: SessionCall, timeoutMs: number): void {
    const id = String(++this.#nextId);
    const stream = this.#open();
    const timer = setTimeout(() => {
      if (this.#waiting.delete(id)) {
        call.onLost(
          Object.assign(new Error(`no answer within ${timeoutMs} ms`), {
            code: grpc.status.DEADLINE_EXCEEDED,
            details: `no answer within ${timeoutMs} ms`,
          }),
        );
      }
    }, timeoutMs);
    this.#waiting.set(id, { call, timer });
    stream.write({ ...request, id });
  }

  /** Ends the stream; requests still waiting are lost (a write among them has an unknown outcome). */
  close(): void {
    const call = this.#call;
    this.#call = undefined;
    call?.cancel();
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const w of waiting) {
      clearTimeout(w.timer);
      w.call.onLost(new Error('the connection was closed'));
    }
  }
}
