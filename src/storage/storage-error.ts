/**
 * The storage backend cannot be used as configured (unreachable, schema behind, data directory in
 * use). The message says what to do and never contains a password.
 */
export class StorageSetupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageSetupError';
  }
}
