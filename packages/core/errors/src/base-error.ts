export type BaseErrorOptions = {
  /** What the caller can do about it: shown to users by the CLI and the API. */
  hint?: string | undefined;
  cause?: unknown;
};

/**
 * The root of every error Aegle throws on purpose.
 *
 * Subclasses set a stable `name` (for `instanceof`-free matching across package copies and
 * across the wire) and pass a `hint` saying what to do next. Messages never contain patient
 * data, keys or tokens: they may end up in logs.
 */
export class BaseError extends Error {
  override name = 'AegleError';
  readonly hint: string | undefined;

  constructor(message: string, options: BaseErrorOptions = {}) {
    super(
      options.hint ? `${message}\n\nHint: ${options.hint}` : message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.hint = options.hint;
  }

  /** The message without the hint line, for one-line displays. */
  get shortMessage(): string {
    const cut = this.message.indexOf('\n\nHint: ');
    return cut === -1 ? this.message : this.message.slice(0, cut);
  }
}
