import * as fs from 'node:fs';
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
 * A full or failing disk on a node (the node's fault hook, toggled by SIGUSR2): its Raft log writes and
 * fsyncs fail, or SQLite's writes do, or both, with ENOSPC (or EIO). A node whose log fails stops on the fatal
 * storage error without acknowledging anything more; a leader whose SQLite writes fail refuses writes
 * definitely. At the end a stopped node is restarted; a running one has the fault switched off.
 */
export function diskNemesis(): Nemesis {
  let full: { id: number; pid: number | undefined } | undefined;
  return {
    name: 'disk',
    async start(ctx: NemesisContext) {
      const id = await victim(ctx);
      if (id === undefined) return undefined;
      const n = ctx.cluster.node(id);
      full = { id, pid: n.pid };
      const what = ['log', 'sqlite', 'both'][Math.floor(ctx.random() * 3)] ?? 'both';
      const code = ctx.random() < 0.75 ? 'ENOSPC' : 'EIO';
      fs.writeFileSync(`${n.dataDir}.disk-fault`, `${what} ${code}\n`);
      n.signal('SIGUSR2');
      return `disk fault on node ${id}: ${what === 'both' ? 'Raft log and SQLite' : what === 'log' ? 'Raft log' : 'SQLite'}, ${code}`;
    },
    async stop(ctx: NemesisContext) {
      if (full === undefined) return;
      const n = ctx.cluster.node(full.id);
      // the same process still running: switch the fault off (a restarted one starts without it)
      if (n.running && n.pid === full.pid) {
        n.signal('SIGUSR2');
        // a write already failing when the fault went off still stops the node: give it time to show
        await new Promise((r) => setTimeout(r, 500));
      }
      if (!n.running && ctx.cluster.members.has(full.id)) await ctx.cluster.restart(full.id);
      full = undefined;
    },
  };
}
