import { isRetryable, normalizeError } from './errors';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs op; a definite, transient failure (not the leader, no leader yet, node unreachable) is retried with
 * backoff until `windowMs` has passed. Anything else — above all an unknown commit outcome — is thrown at
 * once: nothing is retried unless it certainly did not happen.
 */
export async function retryDefinite<T>(op: () => Promise<T>, windowMs: number, stopped: () => boolean): Promise<T> {
  const deadline = Date.now() + windowMs;
  let delay = 20;
  for (;;) {
    try {
      return await op();
    } catch (err) {
      const e = normalizeError(err);
      if (!isRetryable(e) || stopped() || Date.now() + delay > deadline) throw e;
      // jittered, and capped low: a failover is over within an election timeout or two, and a client that
      // sleeps long after it adds its whole sleep to the outage it sees
      await sleep(delay * (0.5 + Math.random()));
      delay = Math.min(delay * 2, 200);
    }
  }
}
