import { memberNemesis, transferNemesis } from './cluster-ops';
import type { Nemesis } from './nemesis';
import { packetNemesis, partitionNemesis } from './network';
import { diskNemesis, killNemesis, pauseNemesis } from './process';

export const nemesisNames = ['kill', 'pause', 'partition', 'packet', 'disk', 'member', 'transfer'] as const;
export type NemesisName = (typeof nemesisNames)[number];

export function makeNemesis(name: NemesisName): Nemesis {
  switch (name) {
    case 'kill':
      return killNemesis();
    case 'pause':
      return pauseNemesis();
    case 'partition':
      return partitionNemesis();
    case 'packet':
      return packetNemesis();
    case 'disk':
      return diskNemesis();
    case 'member':
      return memberNemesis();
    case 'transfer':
      return transferNemesis();
  }
}

export type { Nemesis, NemesisContext } from './nemesis';
