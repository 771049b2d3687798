// Original file: proto/client.proto


export interface LeaderHint {
  'leader'?: (number);
  'leaderAddress'?: (string);
}

export interface LeaderHint__Output {
  'leader': (number);
  'leaderAddress': (string);
}
