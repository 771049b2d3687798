import * as path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as fs from 'node:fs';
import type { Node } from 'walraft';
import { restoreDatabase, startNode } from 'walraft';
import { checkDatabaseName } from '@walraft/replication';
import { parseAddress, parseAddressList, parseId, parseMembers } from '../addresses';
import { UsageError } from '../errors';
import { serveHttp } from '../http';
import { makeLogger } from '../log';
import { NodeMetrics } from '../metrics';

export interface StartFlags {
  readonly id: string;
  readonly data: string;
  readonly listen: string;
  readonly bootstrap?: boolean;
  readonly join?: string;
  readonly http?: string;
  readonly clusterId: string;
  readonly tickMs?: string;
  readonly logFormat: string;
  readonly logLevel: string;
  readonly restore?: string;
  readonly db?: string;
  readonly dial?: string;
}

/** The exit code of a node that stopped on a fatal storage error (EX_SOFTWARE would hide the cause). */
export const fatalStorageExitCode = 74; // EX_IOERR

/**
 * Runs a node in the foreground until SIGTERM or SIGINT, then stops gracefully: leadership is handed to
 * another voter first (so clients see a short failover, not an election timeout), then everything closes.
 */
export async function start(flags: StartFlags): Promise<number> {
  const id = parseId(flags.id);
  const listen = parseAddress(flags.listen, '--listen address');
  if (flags.bootstrap && flags.join) throw new UsageError('give either --bootstrap or --join, not both');
  const join = flags.join ? parseAddressList(flags.join, '--join address') : undefined;
  // members reached at another address than the one they advertise (a proxy, NAT)
  const dial = new Map(flags.dial ? parseMembers(flags.dial, '--dial').map((m) => [m.id, m.address]) : []);
  const httpAt = flags.http ? parseAddress(flags.http, '--http address') : undefined;
  if (flags.logFormat !== 'json' && flags.logFormat !== 'pretty') {
    throw new UsageError(`--log-format must be json or pretty, not "${flags.logFormat}"`);
  }
  const tickMs = flags.tickMs === undefined ? undefined : Number(flags.tickMs);
  if (tickMs !== undefined && !(Number.isInteger(tickMs) && tickMs >= 1 && tickMs <= 10_000)) {
    throw new UsageError(`--tick-ms must be an integer from 1 to 10000, not "${flags.tickMs ?? ''}"`);
  }
  if ((flags.restore === undefined) !== (flags.db === undefined)) {
    throw new UsageError('--restore FILE and --db NAME go together');
  }
  if (flags.restore !== undefined && !flags.bootstrap) {
    throw new UsageError('--restore starts a new cluster from a backup: use it with --bootstrap');
  }
  if (flags.restore !== undefined && !fs.existsSync(flags.restore))
    throw new UsageError(`no backup file ${flags.restore}`);
  if (flags.db !== undefined) checkDatabaseName(flags.db);
  const log = makeLogger(flags.logFormat, flags.logLevel, { self: id });
  let node: Node | undefined;
  const metrics = new NodeMetrics(() => node);
  let server: Server | undefined;
  if (httpAt) {
    const [host, port] = splitLast(httpAt);
    server = await serveHttp({ host, port: Number(port) }, () => node, metrics);
  }
  try {
    node = await startNode({
      id,
      dataDir: path.resolve(flags.data),
      listen,
      bootstrap: flags.bootstrap === true,
      ...(join ? { join } : {}),
      clusterId: flags.clusterId,
      logger: log,
      onWrite: (ms, ok) => {
        metrics.observeWrite(ms, ok);
      },
      onFsync: (ms) => {
        metrics.observeFsync(ms);
      },
      // never retry a failed fsync (its data may be gone): exit, and let the restart recover from disk
      onFatal: (err) => {
        log.error('exiting on a fatal storage error', { error: err.message });
        log.flush();
        process.exit(fatalStorageExitCode);
      },
      ...(tickMs !== undefined ? { tickMs } : {}),
      ...(dial.size > 0 ? { dialAddress: (peer: number, advertised: string) => dial.get(peer) ?? advertised } : {}),
    });
  } catch (err) {
    server?.close();
    throw err;
  }
  // the node serves Raft from here on; it is announced as serving once a restore (if any) is in
  if (flags.restore !== undefined && flags.db !== undefined) {
    await restoreOnce(node, flags.restore, flags.db, path.resolve(flags.data), log);
  }
  const httpAddress = server ? httpHost(server) : undefined;
  log.info('serving', {
    address: node.address,
    ...(httpAddress ? { http: httpAddress } : {}),
    clusterId: flags.clusterId,
  });

  const running = node;
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        log.warn('second signal: exiting at once', { signal });
        process.exit(1);
      }
      stopping = true;
      log.info('stopping', { signal });
      void graceful(running, log).finally(resolve);
    };
    process.once('SIGTERM', () => {
      stop('SIGTERM');
    });
    process.once('SIGINT', () => {
      stop('SIGINT');
    });
  });
  server?.close();
  log.info('stopped');
  log.flush();
  return 0;
}

/**
 * Restores the backup into the new cluster, once: a marker in the data dir records that it was done, so a
 * restart with the same flags serves instead of restoring again; a database that exists without the marker
 * (an interrupted restore) is refused rather than mixed.
 */
async function restoreOnce(
  node: Node,
  file: string,
  name: string,
  dataDir: string,
  log: ReturnType<typeof makeLogger>,
): Promise<void> {
  const marker = path.join(dataDir, 'restored.json');
  if (fs.existsSync(marker)) {
    log.info('restore already done; serving', { db: name, marker });
    return;
  }
  await node.waitForLeader(30_000);
  const db = await node.open(name);
  const t0 = performance.now();
  const report = await restoreDatabase(db, file);
  fs.writeFileSync(
    marker,
    `${JSON.stringify({ db: name, from: path.resolve(file), at: new Date().toISOString(), ...report })}\n`,
  );
  log.info('restored', { db: name, from: file, ...report, ms: Math.round(performance.now() - t0) });
}

async function graceful(node: Node, log: ReturnType<typeof makeLogger>): Promise<void> {
  const s = node.status();
  if (s.role === 'leader' && s.conf.voters.length > 1) {
    try {
      const to = await withTimeout(node.transferLeadership(), 3_000);
      log.info('leadership handed over', { to });
    } catch (err) {
      log.warn('could not hand leadership over; the others will elect a leader', { error: (err as Error).message });
    }
  }
  await node.close();
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => {
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function splitLast(address: string): [string, string] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i).replace(/^\[|\]$/g, ''), address.slice(i + 1)];
}

function httpHost(server: Server): string {
  const a = server.address() as AddressInfo;
  return `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`;
}
