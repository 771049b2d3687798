import type { Logger } from '@walraft/raft';
import pino from 'pino';

export type LogFormat = 'json' | 'pretty';

/** Structured logs on stderr: one JSON object per line, or pino-pretty's human format. */
export function makeLogger(
  format: LogFormat,
  level: string,
  bindings: Record<string, unknown>,
): Logger & { flush(): void } {
  const destination =
    format === 'pretty'
      ? pino.transport({ target: 'pino-pretty', options: { destination: 2, colorize: process.stderr.isTTY } })
      : pino.destination({ dest: 2, sync: true });
  const p = pino({ level, base: bindings, timestamp: pino.stdTimeFunctions.isoTime }, destination);
  const at =
    (lvl: 'debug' | 'info' | 'warn' | 'error') =>
    (msg: string, fields?: Record<string, unknown>): void => {
      if (fields) p[lvl](fields, msg);
      else p[lvl](msg);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    flush: () => {
      p.flush();
    },
  };
}
