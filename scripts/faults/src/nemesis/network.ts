import type { Nemesis } from './nemesis';
import { shuffle } from './nemesis';

/**
 * Network partitions through the fault proxy (node-to-node traffic only; clients keep reaching every node):
 * one node isolated, the leader isolated, a random majority/minority split, or (five nodes and more) a ring
 * where each node sees only its two neighbours — no majority of mutually connected nodes, yet every node
 * sees a majority.
 */
export function partitionNemesis(): Nemesis {
  return {
    name: 'partition',
    async start(ctx) {
      const c = ctx.cluster;
      const ids = c.memberIds();
      const kinds = ['one', 'leader', 'halves', ...(ids.length >= 5 ? ['ring'] : [])];
      const kind = kinds[Math.floor(ctx.random() * kinds.length)];
      switch (kind) {
        case 'leader':
        case 'one': {
          const lead = kind === 'leader' ? await c.leader() : undefined;
          const node = lead ?? shuffle(ctx.random, ids)[0] ?? 1;
          c.proxy.isolate(node, ids);
          return `partition: node ${node}${lead !== undefined ? ' (the leader)' : ''} isolated`;
        }
        case 'halves': {
          const s = shuffle(ctx.random, ids);
          const minority = s.slice(0, Math.floor((ids.length - 1) / 2));
          const majority = s.slice(minority.length);
          c.proxy.partition(minority, majority);
          return `partition: [${minority.join(',')}] | [${majority.join(',')}]`;
        }
        default: {
          const ring = shuffle(ctx.random, ids);
          for (let i = 0; i < ring.length; i++) {
            for (let j = 0; j < ring.length; j++) {
              const d = Math.abs(i - j);
              if (i !== j && d !== 1 && d !== ring.length - 1) c.proxy.block(ring[i] ?? 0, ring[j] ?? 0);
            }
          }
          return `partition: ring ${ring.join('-')}`;
        }
      }
    },
    stop(ctx) {
      ctx.cluster.proxy.healAll();
      return Promise.resolve();
    },
  };
}

/** Slow, lossy links: every directed pair gets a delay with jitter; some pairs also lose segments. */
export function packetNemesis(): Nemesis {
  return {
    name: 'packet',
    start(ctx) {
      const ids = ctx.cluster.memberIds();
      const delay = 20 + Math.floor(ctx.random() * 80);
      const loss = Math.round(ctx.random() * 20) / 100;
      for (const a of ids) {
        for (const b of ids) {
          if (a === b) continue;
          ctx.cluster.proxy.delay(a, b, delay, delay / 2);
          if (ctx.random() < 0.5) ctx.cluster.proxy.loss(a, b, loss);
        }
      }
      return Promise.resolve(`packet: ${delay} ± ${delay / 2} ms delay, ${loss * 100}% loss on some links`);
    },
    stop(ctx) {
      ctx.cluster.proxy.healAll();
      return Promise.resolve();
    },
  };
}
