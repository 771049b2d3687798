import type { Nemesis } from './nemesis';
import { victim } from './nemesis';

/**
 * Membership: remove a member (the leader sometimes) and stop it; at the end add a brand-new node (a fresh
 * id and data dir: ids are never reused) that joins as a learner and is promoted once caught up.
 */
export function memberNemesis(): Nemesis {
  let removed = false;
  return {
    name: 'member',
    async start(ctx) {
      const c = ctx.cluster;
      if (c.members.size < c.initialSize || c.spareLeft() === 0) return undefined;
      // as a careful operator would: never shrink a cluster while another member is down or frozen, which
      // could leave a configuration without a live quorum (nothing unsafe, but nothing to test either)
      if (c.memberIds().some((m) => !c.node(m).running || c.node(m).paused)) return undefined;
      const id = await victim(ctx, 0.3);
      if (id === undefined) return undefined;
      const admin = await ctx.admin();
      await admin.removeNode(id);
      c.members.delete(id);
      await c.node(id).kill();
      removed = true;
      return `member: removed node ${id}`;
    },
    async stop(ctx) {
      if (!removed) return;
      removed = false;
      const c = ctx.cluster;
      const id = c.takeId();
      if (id === undefined) return;
      const others = c.memberAddresses();
      try {
        await c.startNew(id, ['--join', others.join(',')]);
      } catch (err) {
        // a node that never joined has no state to restart from: it is not a member
        c.members.delete(id);
        throw err;
      }
      ctx.note(`member: node ${id} joined`);
    },
  };
}

/** Leadership transfer to a random voter (or the most caught-up one). */
export function transferNemesis(): Nemesis {
  return {
    name: 'transfer',
    async start(ctx) {
      const admin = await ctx.admin();
      const ids = ctx.cluster.memberIds();
      const to = ctx.random() < 0.5 ? (ids[Math.floor(ctx.random() * ids.length)] ?? 0) : 0;
      const leader = await admin.transferLeadership(to);
      return `transfer: leader now ${leader}${to ? ` (asked for ${to})` : ''}`;
    },
    stop: () => Promise.resolve(),
  };
}
