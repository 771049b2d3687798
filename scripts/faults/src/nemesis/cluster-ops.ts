import type { Nemesis, NemesisContext } from './nemesis';
import { victim } from './nemesis';

/**
 * Membership: remove a member (the leader sometimes) and stop it; at the end add a brand-new node (a fresh
 * id and data dir: ids are never reused) that joins as a learner and is promoted once caught up.
 */
export function memberNemesis(): Nemesis {
  let removed = false;
  // a join refused while other faults left no quorum is tried again at the next cycle
  let addPending = false;
  const addNode = async (ctx: NemesisContext): Promise<string | undefined> => {
    const c = ctx.cluster;
    const id = c.takeId();
    if (id === undefined) return undefined;
    try {
      addPending = false;
      await c.startNew(id, ['--join', c.memberAddresses().join(',')]);
    } catch (err) {
      // a node that never joined has no state to restart from: it is not a member
      c.members.delete(id);
      addPending = true;
      throw err;
    }
    return `member: node ${id} joined`;
  };
  return {
    name: 'member',
    async start(ctx) {
      const c = ctx.cluster;
      // as a careful operator would: never change the membership while a member is down or frozen, which
      // could leave a configuration without a live quorum (nothing unsafe, but nothing to test either)
      if (c.memberIds().some((m) => !c.node(m).running || c.node(m).paused)) return undefined;
      if (addPending) return addNode(ctx);
      if (c.members.size < c.initialSize || c.spareLeft() === 0) return undefined;
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
      const joined = await addNode(ctx);
      if (joined !== undefined) ctx.note(joined);
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
