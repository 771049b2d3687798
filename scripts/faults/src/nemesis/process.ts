import type { Nemesis, NemesisContext } from './nemesis';
import { victim } from './nemesis';

/** kill -9 a node (the leader half the time); restart it on its data when the fault ends. */
export function killNemesis(): Nemesis {
  let killed: number | undefined;
  return {
    name: 'kill',
    async start(ctx) {
      killed = await victim(ctx);
      if (killed === undefined) return undefined;
      await ctx.cluster.node(killed).kill();
      return `kill -9 node ${killed}`;
    },
    async stop(ctx) {
      if (killed !== undefined && ctx.cluster.members.has(killed)) await ctx.cluster.restart(killed);
      killed = undefined;
    },
  };
}

/** SIGSTOP a node (the leader half the time): it freezes with its connections open; SIGCONT at the end. */
export function pauseNemesis(): Nemesis {
  let paused: number | undefined;
  return {
    name: 'pause',
    async start(ctx) {
      paused = await victim(ctx);
      if (paused === undefined) return undefined;
      ctx.cluster.node(paused).pause();
      return `SIGSTOP node ${paused}`;
    },
    stop(ctx) {
      if (paused !== undefined) ctx.cluster.node(paused).resume();
      paused = undefined;
      return Promise.resolve();
    },
  };
}

/**
 * A full disk on a node: its Raft log writes and fsyncs fail with ENOSPC (the node's fault hook, toggled by
 * SIGUSR2). The node is expected to stop on the fatal storage error without acknowledging anything more; at
 * the end it is restarted (or, if it did not write in the meantime, the fault is switched off).
 */
export function diskNemesis(): Nemesis {
  let full: number | undefined;
  return {
    name: 'disk',
    async start(ctx: NemesisContext) {
      full = await victim(ctx);
      if (full === undefined) return undefined;
      ctx.cluster.node(full).signal('SIGUSR2');
      return `disk full on node ${full}`;
    },
    async stop(ctx: NemesisContext) {
      if (full === undefined) return;
      const n = ctx.cluster.node(full);
      if (n.running) n.signal('SIGUSR2');
      else if (ctx.cluster.members.has(full)) await ctx.cluster.restart(full);
      full = undefined;
    },
  };
}
