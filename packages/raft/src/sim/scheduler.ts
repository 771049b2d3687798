import type { Runtime } from '../node/types';

interface Event {
  readonly time: number;
  readonly seq: number;
  readonly run: () => void;
  cancelled: boolean;
}

/**
 * Virtual time: a binary heap of events ordered by (time, seq). Nothing here reads a real clock, so a
 * schedule replays exactly for a given seed. Promise continuations run between events (the microtask
 * queue drains after each event), which is deterministic because every source of events is this queue.
 */
export class Scheduler {
  private heap: Event[] = [];
  private seq = 0;
  private time = 0;
  private executed = 0;

  /** Receives exceptions thrown by events (a node's invariant failures, for instance). */
  constructor(
    private readonly onError: (err: unknown) => void = (err) => {
      throw err;
    },
  ) {}

  now(): number {
    return this.time;
  }

  eventsRun(): number {
    return this.executed;
  }

  at(time: number, run: () => void): () => void {
    const ev: Event = { time: Math.max(time, this.time), seq: this.seq++, run, cancelled: false };
    this.push(ev);
    return () => {
      ev.cancelled = true;
    };
  }

  after(ms: number, run: () => void): () => void {
    return this.at(this.time + ms, run);
  }

  /** Runs events until virtual time `until` (inclusive) or the queue is empty. */
  async runUntil(until: number, afterEach?: () => void): Promise<void> {
    for (;;) {
      const top = this.heap[0];
      if (!top || top.time > until) break;
      this.pop();
      if (top.cancelled) continue;
      this.time = top.time;
      this.executed++;
      try {
        top.run();
      } catch (err) {
        this.onError(err);
      }
      // Let promise continuations scheduled by this event run before the next event.
      await drainMicrotasks();
      afterEach?.();
    }
    this.time = Math.max(this.time, until);
  }

  private push(ev: Event): void {
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p];
      if (!parent || !less(ev, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = ev;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (!last || h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      let best = last;
      const hl = h[l];
      const hr = h[r];
      if (hl && less(hl, best)) {
        m = l;
        best = hl;
      }
      if (hr && less(hr, best)) {
        m = r;
        best = hr;
      }
      if (m === i) break;
      h[i] = best;
      i = m;
    }
    h[i] = last;
  }
}

function less(a: Event, b: Event): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

/** Resolves after every queued microtask (and those they queue, a few levels deep) has run. */
async function drainMicrotasks(): Promise<void> {
  for (let i = 0; i < 8; i++) await Promise.resolve();
}

/**
 * One node's view of virtual time. While the node is paused (a simulated SIGSTOP or a long GC), its timers
 * and deferred work are held and run when it resumes; a crashed node's runtime is discarded.
 */
export class NodeRuntime implements Runtime {
  private pausedUntil = 0;
  private dead = false;

  constructor(private readonly sched: Scheduler) {}

  now(): number {
    return this.sched.now();
  }

  setTimer(ms: number, cb: () => void): () => void {
    let cancelled = false;
    const cancelEvent = this.sched.after(ms, () => {
      this.run(() => {
        if (!cancelled) cb();
      });
    });
    return () => {
      cancelled = true;
      cancelEvent();
    };
  }

  defer(cb: () => void): void {
    this.sched.after(0, () => {
      this.run(cb);
    });
  }

  /** Runs cb now, or when the pause ends. */
  run(cb: () => void): void {
    if (this.dead) return;
    if (this.sched.now() < this.pausedUntil) {
      this.sched.at(this.pausedUntil, () => {
        this.run(cb);
      });
      return;
    }
    cb();
  }

  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.sched.now() + ms);
  }

  isPaused(): boolean {
    return this.sched.now() < this.pausedUntil;
  }

  kill(): void {
    this.dead = true;
  }
}
