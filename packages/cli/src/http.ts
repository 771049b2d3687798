import * as http from 'node:http';
import type { Node } from 'walraft';
import type { NodeMetrics } from './metrics';

/** The node's status as JSON (peer maps as plain objects). */
export function statusJson(node: Node): Record<string, unknown> {
  const s = node.status();
  return {
    id: s.id,
    clusterId: s.clusterId,
    address: s.address,
    role: s.role,
    term: s.term,
    leader: s.lead,
    leaderAddress: s.leaderAddress ?? null,
    commitIndex: s.commit,
    appliedIndex: s.appliedIndex,
    lastIndex: s.lastIndex,
    snapshotIndex: s.snapshotIndex,
    removed: s.removed,
    databases: node.databases(),
    members: s.members.map((m) => ({ id: m.id, address: m.address, voter: m.voter })),
    peers: s.peers.map((p) => ({ id: p.id, match: p.match, next: p.next, state: p.state })),
    lastContactMs: Object.fromEntries([...s.lastContactMs].map(([id, ms]) => [String(id), ms ?? null])),
  };
}

/** Ready: a leader is known and this node has applied everything it knows to be committed. */
export function isReady(node: Node): { ready: boolean; why: string } {
  const s = node.status();
  if (s.removed) return { ready: false, why: 'removed from the cluster' };
  if (s.lead === 0) return { ready: false, why: 'no leader known' };
  if (s.appliedIndex < s.commit) return { ready: false, why: `applied ${s.appliedIndex} of ${s.commit} committed` };
  return { ready: true, why: 'ok' };
}

/** GET /status, /readyz and /metrics. */
export async function serveHttp(
  listen: { host: string; port: number },
  node: () => Node | undefined,
  metrics: NodeMetrics,
): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const n = node();
    const send = (code: number, type: string, body: string): void => {
      res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET') {
      send(405, 'text/plain', 'only GET\n');
      return;
    }
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/metrics') {
      metrics.text().then(
        (text) => {
          send(200, metrics.registry.contentType, text);
        },
        (err: unknown) => {
          send(500, 'text/plain', `${(err as Error).message}\n`);
        },
      );
      return;
    }
    if (!n) {
      send(503, 'text/plain', 'starting\n');
      return;
    }
    if (url === '/status') {
      send(200, 'application/json', `${JSON.stringify(statusJson(n))}\n`);
      return;
    }
    if (url === '/readyz') {
      const r = isReady(n);
      send(r.ready ? 200 : 503, 'text/plain', `${r.why}\n`);
      return;
    }
    send(404, 'text/plain', 'not found: try /status, /readyz or /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
