import * as fs from 'node:fs';
import * as net from 'node:net';

/**
 * The lower bound of the OS's ephemeral port range: the local ports of outgoing connections come from
 * [low, high], so a listening port below it can never be held by a client socket.
 */
function ephemeralLow(): number {
  try {
    const low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 1024) return low;
  } catch {
    // not Linux: IANA's dynamic range starts here
  }
  return 49152;
}

function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => {
      resolve(false);
    });
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}

/**
 * A free loopback port for a node that is killed and restarted on the same address. Port 0 would hand out
 * a port from the ephemeral range, and while the node is down any outgoing connection on the machine (a
 * client dialing another node, say) may take it as its local port and keep it for its whole life; then the
 * restart cannot bind. Below the ephemeral range only another listener can take it, and listeners pick
 * their ports the same way: at random and probing first.
 */
export async function pickListenPort(): Promise<number> {
  const high = ephemeralLow() - 1;
  const low = Math.max(1025, high - 12_000);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (await probe(port)) return port;
  }
  throw new Error(`no free loopback port in ${low}-${high}`);
}
