// Original file: proto/client.proto


export interface RecoverRequest {
  'db'?: (string);
  'token'?: (Buffer | Uint8Array | string);
}

export interface RecoverRequest__Output {
  'db': (string);
  'token': (Buffer);
}
