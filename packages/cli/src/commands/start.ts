import * as path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Node } from 'walraft';
import { startNode } from 'walraft';
import { parseAddress, parseAddressList, parseId } from '../addresses';
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
}

/**
 * Runs a node in the foreground until SIGTERM or SIGINT, then stops gracefully: leadership is handed to
 * another voter first (so clients see a short failover, not an election timeout), then everything closes.
 */
export async function start(flags: StartFlags): Promise<number> {
  const id = parseId(flags.id);
  const listen = parseAddress(flags.listen, '--listen address');
  if (flags.bootstrap && flags.join) throw new UsageError('give either --bootstrap or --join, not both');
  const join = flags.join ? parseAddressList(flags.join, '--join address') : undefined;
  const httpAt = flags.http ? parseAddress(flags.http, '--http address') : undefined;
  if (flags.logFormat !== 'json' && flags.logFormat !== 'pretty') {
    throw new UsageError(`--log-format must be json or pretty, not "${flags.logFormat}"`);
  }
  const tickMs = flags.tickMs === undefined ? undefined : Number(flags.tickMs);
  if (tickMs !== undefined && !(Number.isInteger(tickMs) && tickMs >= 1 && tickMs <= 10_000)) {
    throw new UsageError(`--tick-ms must be an integer from 1 to 10000, not "${flags.tickMs ?? ''}"`);
  }
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
      ...(tickMs !== undefined ? { tickMs } : {}),
    });
  } catch (err) {
    server?.close();
    throw err;
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
