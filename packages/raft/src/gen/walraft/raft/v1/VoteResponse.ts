// Original file: proto/raft.proto


export interface VoteResponse {
  'preVote'?: (boolean);
  'reject'?: (boolean);
}

export interface VoteResponse__Output {
  'preVote': (boolean);
  'reject': (boolean);
}
