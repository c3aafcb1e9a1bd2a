/**
 * Expected failures, by exit code: InputError (2) is bad input found before anything was touched;
 * ActionError (1) is a failure while acting. Anything else is a bug and also exits 1.
 */
export class InputError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export class ActionError extends Error {
  readonly exitCode = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ActionError';
  }
}
