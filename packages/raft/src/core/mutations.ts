/**
 * Known Raft bugs that can be switched back on, only to prove that the simulator's checkers catch them.
 * Production code never sets these.
 */
export const mutations = {
  'commit-prior-term': 'commit an entry of an earlier term by counting replicas (Raft paper, Figure 8)',
  'ack-before-fsync': 'acknowledge appended entries before they are durable',
  'conf-change-before-term-commit': 'allow a membership change before the leader committed an entry of its term',
  'no-persist-vote': 'do not persist the vote (a restarted node may vote twice in one term)',
  'reuse-read-context': 'reuse the ReadIndex context, so stale heartbeat acks confirm new reads',
} as const;

export type Mutation = keyof typeof mutations;

export function isMutation(name: string): name is Mutation {
  return Object.prototype.hasOwnProperty.call(mutations, name);
}
