// Original file: proto/client.proto


export interface Begin {
  'db'?: (string);
  'token'?: (Buffer | Uint8Array | string);
}

export interface Begin__Output {
  'db': (string);
  'token': (Buffer);
}
