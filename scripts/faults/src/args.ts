import type { Consistency } from 'walraft';
import type { NemesisName } from './nemesis';
import { nemesisNames } from './nemesis';
import type { WorkloadName } from './workloads';
import { workloadNames } from './workloads';

/** Parses `--flag value` pairs and bare `--flag`s; unknown flags are errors. */
export function parseFlags(argv: readonly string[], known: Record<string, 'value' | 'bool'>): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const kind = known[arg];
    if (kind === undefined) throw new Error(`unknown option ${arg} (known: ${Object.keys(known).join(' ')})`);
    if (kind === 'bool') flags.set(arg, 'true');
    else {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      flags.set(arg, v);
    }
  }
  return flags;
}

export function intFlag(flags: Map<string, string>, name: string, def: number, min: number, max: number): number {
  const text = flags.get(name);
  if (text === undefined) return def;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max}`);
  return n;
}

export function workloadFlag(text: string): WorkloadName {
  const w = workloadNames.find((n) => n === text);
  if (!w) throw new Error(`unknown workload "${text}" (one of ${workloadNames.join(', ')})`);
  return w;
}

/** `kill,partition` or `all`; `none` for no faults. */
export function nemesisFlag(text: string): NemesisName[] {
  if (text === 'all') return [...nemesisNames];
  if (text === 'none') return [];
  return text.split(',').map((t) => {
    const n = nemesisNames.find((x) => x === t.trim());
    if (!n) throw new Error(`unknown nemesis "${t}" (any of ${nemesisNames.join(', ')}, all, none)`);
    return n;
  });
}

export function consistencyFlag(text: string): Consistency {
  if (text === 'linearizable' || text === 'weak' || text === 'none') return text;
  throw new Error(`--read-consistency must be linearizable, weak or none, not "${text}"`);
}
