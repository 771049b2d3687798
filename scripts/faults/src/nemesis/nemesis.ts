import type { Client } from 'walraft';
import type { FaultCluster } from '../cluster';

export interface NemesisContext {
  readonly cluster: FaultCluster;
  readonly random: () => number;
  /** An admin client of the current members (membership changes, leader transfer). */
  admin(): Promise<Client>;
  /** Records what the nemesis did (kept beside the history). */
  note(what: string): void;
}

/**
 * A fault that is switched on, held for a few seconds and switched off. `start` resolves with a description
 * of what it did, or undefined when it had nothing to do (e.g. no spare node id left).
 */
export interface Nemesis {
  readonly name: string;
  start(ctx: NemesisContext): Promise<string | undefined>;
  stop(ctx: NemesisContext): Promise<void>;
}

/** A running member picked at random; the leader with probability `leaderBias`. */
export async function victim(ctx: NemesisContext, leaderBias = 0.5): Promise<number | undefined> {
  const c = ctx.cluster;
  const running = c.memberIds().filter((id) => c.node(id).running && !c.node(id).paused);
  if (running.length === 0) return undefined;
  if (ctx.random() < leaderBias) {
    const lead = await c.leader();
    if (lead !== undefined && running.includes(lead)) return lead;
  }
  return running[Math.floor(ctx.random() * running.length)];
}

export function shuffle<T>(random: () => number, xs: readonly T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}
