import type * as http2 from 'node:http2';
import type * as grpc from '@grpc/grpc-js';

/**
 * A grpc-js server advertises Node's default HTTP/2 receive window, 64 KiB per stream and per connection,
 * and has no option to raise it (the client has `grpc-node.flow_control_window`; grpc/grpc-node#3058 is
 * the server side). Raft sends whole batches, a few hundred KiB under load: with a 64 KiB window a batch
 * goes out in window-sized steps, each waiting until the receiver's event loop has read the previous one
 * and the sender's has seen the window update — measured at 3–12 ms for a 270 KiB batch between two busy
 * nodes, more than the batch's fsync. So the server's settings are raised before it binds, and every new
 * session's connection window with them.
 *
 * This reaches into two grpc-js internals, `commonServerOptions` and `http2Servers`; when they are not
 * there (another grpc-js version), nothing changes and false is returned. A test checks the advertised
 * windows, so an upgrade that loses them is noticed.
 */
interface ServerInternals {
  commonServerOptions?: http2.ServerOptions;
  http2Servers?: Map<http2.Http2Server, unknown>;
}

/** Call before binding: the stream window every session advertises. */
export function raiseStreamWindow(server: grpc.Server, bytes: number): boolean {
  const internals = server as unknown as ServerInternals;
  const options = internals.commonServerOptions;
  if (typeof options !== 'object') return false;
  options.settings = { ...options.settings, initialWindowSize: bytes };
  return true;
}

/** Call after binding: raises the connection window of every session the server accepts from now on. */
export function raiseConnectionWindow(server: grpc.Server, bytes: number): boolean {
  const servers = (server as unknown as ServerInternals).http2Servers;
  if (!(servers instanceof Map) || servers.size === 0) return false;
  for (const h2 of servers.keys()) {
    h2.on('session', (session: http2.ServerHttp2Session) => {
      session.setLocalWindowSize(bytes);
    });
  }
  return true;
}
