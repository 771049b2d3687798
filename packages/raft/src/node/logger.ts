/** Structured logging as the Raft node and transport need it; the application supplies the sink. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const noop = (): void => undefined;

/** Discards everything. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** One JSON object per line on stderr, at `info` and above (or `debug` and above when verbose). */
export function jsonLogger(bindings: Record<string, unknown> = {}, verbose = false): Logger {
  const write = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...bindings, ...fields })}\n`);
  };
  return { debug: verbose ? write('debug') : noop, info: write('info'), warn: write('warn'), error: write('error') };
}
