import * as fs from 'node:fs';
import * as path from 'node:path';

/** Signs of a bug in a node's log: failed assertions, uncaught exceptions, crashes with a stack trace. */
const suspicious = [
  /AssertionError/,
  /uncaught/i,
  /unhandled/i,
  /invariant/i,
  /panic/i,
  /^\s+at .+:\d+:\d+\)?$/, // a stack frame printed outside the JSON log: the process died on an exception
];

/** One line per suspicious log line (with its file and line number), at most `limit` per file. */
export function scanLogs(files: readonly string[], limit = 5): string[] {
  const found: string[] = [];
  for (const file of files) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    let n = 0;
    lines.forEach((line, i) => {
      if (n >= limit || !suspicious.some((re) => re.test(line))) return;
      n++;
      found.push(`${path.basename(file)}:${i + 1}: ${line.trim().slice(0, 300)}`);
    });
  }
  return found;
}
