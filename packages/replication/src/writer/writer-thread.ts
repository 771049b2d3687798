import * as path from 'node:path';
import { isNativeError } from 'node:util/types';
import { Worker } from 'node:worker_threads';
import type { FromWriter, ToWriter, WireError, WriterSettings } from './protocol';

/** A failure reported by the writer thread, with SQLite's code when it came from SQLite. */
export class WriterError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(e: WireError, retryable = false) {
    super(e.message);
    this.name = 'WriterError';
    this.code = e.code;
    this.retryable = retryable;
  }
}

/** The compiled worker script; tests run this file from src/, the worker always runs from dist/. */
function workerScript(): string {
  const inSrc = __filename.endsWith('.ts');
  return inSrc ? path.join(__dirname, '..', '..', 'dist', 'writer', 'worker.js') : path.join(__dirname, 'worker.js');
}

type Payload<T extends ToWriter> = T extends unknown ? Omit<T, 'id'> : never;

interface Pending {
  resolve: (m: FromWriter) => void;
  reject: (err: Error) => void;
  onPrepared: ((m: Extract<FromWriter, { kind: 'prepared' }>) => void) | undefined;
}

/**
 * The main thread's handle on a database's writer thread: sends one request at a time (the thread works
 * through them in order) and matches the replies.
 */
export class WriterThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 1;
  #exited: Error | undefined;
  readonly exited: Promise<void>;

  constructor(
    settings: WriterSettings,
    onWarning: (message: string, fields: Readonly<Record<string, unknown>>) => void,
  ) {
    this.#worker = new Worker(workerScript(), { workerData: settings });
    this.#worker.on('message', (m: FromWriter) => {
      if (m.kind === 'warning') {
        onWarning(m.message, m.fields);
        return;
      }
      const p = this.#pending.get(m.id);
      if (!p) return;
      if (m.kind === 'prepared') {
        p.onPrepared?.(m);
        return;
      }
      this.#pending.delete(m.id);
      p.resolve(m);
    });
    this.exited = new Promise((resolve) => {
      this.#worker.once('error', (err: unknown) => {
        // what a worker throws arrives structured-cloned: a non-Error loses its message on the way
        this.#fail(
          isNativeError(err)
            ? err
            : new WriterError({
                code:
                  typeof (err as { code?: unknown } | null)?.code === 'string'
                    ? (err as { code: string }).code
                    : 'WALRAFT_INTERNAL',
                message: `the writer thread of ${settings.path} failed: ${JSON.stringify(err)}`,
              }),
        );
      });
      this.#worker.once('exit', (code) => {
        this.#fail(new Error(`the writer thread of ${settings.path} exited (${code})`));
        resolve();
      });
    });
  }

  #fail(err: Error): void {
    this.#exited ??= err;
    for (const p of this.#pending.values()) p.reject(this.#exited);
    this.#pending.clear();
  }

  /** Sends a request; resolves with its final reply (`prepared` goes to onPrepared). */
  send(
    msg: Payload<ToWriter>,
    onPrepared?: (m: Extract<FromWriter, { kind: 'prepared' }>) => void,
    transfer: readonly ArrayBuffer[] = [],
  ): Promise<FromWriter> {
    if (this.#exited) return Promise.reject(this.#exited);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, onPrepared });
      this.#worker.postMessage({ ...msg, id }, transfer);
    });
  }

  /** Sends a request whose reply is a plain result; a reported error rejects with WriterError. */
  async call<R>(msg: Payload<ToWriter>, transfer: readonly ArrayBuffer[] = []): Promise<R> {
    const m = await this.send(msg, undefined, transfer);
    if (m.kind === 'error') throw new WriterError(m.error, m.retryable);
    if (m.kind !== 'result') throw new Error(`unexpected reply ${m.kind} to ${msg.op}`);
    return m.value as R;
  }

  /** Runs a group or interactive commit; resolves with every request's outcome and how COMMIT ended. */
  async commitRequest(
    msg: Payload<Extract<ToWriter, { op: 'group' | 'commit' | 'vacuum' }>>,
    onPrepared: (m: Extract<FromWriter, { kind: 'prepared' }>) => void,
  ): Promise<Extract<FromWriter, { kind: 'committed' }>> {
    const m = await this.send(msg, onPrepared);
    if (m.kind === 'error') throw new WriterError(m.error, m.retryable);
    if (m.kind !== 'committed') throw new Error(`unexpected reply ${m.kind} to ${msg.op}`);
    return m;
  }

  async close(): Promise<void> {
    if (!this.#exited) {
      await this.call({ op: 'close' }).catch(() => undefined);
    }
    await this.#worker.terminate().catch(() => undefined);
    await this.exited;
  }
}
