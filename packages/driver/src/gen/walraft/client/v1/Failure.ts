// Original file: proto/client.proto


export interface Failure {
  'code'?: (string);
  'message'?: (string);
  'definite'?: (boolean);
  'token'?: (Buffer | Uint8Array | string);
  'leader'?: (number);
  'leaderAddress'?: (string);
}

export interface Failure__Output {
  'code': (string);
  'message': (string);
  'definite': (boolean);
  'token': (Buffer);
  'leader': (number);
  'leaderAddress': (string);
}
