/** A mistake in how the command was called (flags, addresses): exit code 2. */
export class UsageError extends Error {
  readonly code = 'WALRAFT_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The command ran and reports failure (a SQL error in -e, a verify mismatch): exit code 1, message shown. */
export class CommandFailed extends Error {
  readonly code = 'WALRAFT_COMMAND_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'CommandFailed';
  }
}
