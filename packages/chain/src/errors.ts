/** What went wrong, in a word callers can branch on (the message is for people). */
export type ChainErrorCode =
  | 'rpc_unreachable'
  | 'rpc_error'
  | 'wrong_chain'
  | 'deployment_missing'
  | 'deployment_invalid'
  | 'operator_key_missing'
  | 'operator_key_invalid'
  | 'operator_underfunded'
  | 'journal_corrupt'
  | 'journal_diverged'
  | 'data_dir_locked'
  | 'not_dev_chain'
  | 'transaction_reverted'
  | 'contract_missing'
  | 'artifact_missing';

export type ChainErrorOptions = {
  /** What to do about it, or the facts behind it: appended to the message on its own line. */
  details?: string | undefined;
  cause?: unknown;
};

/**
 * The one error this package throws on purpose. `shortMessage` says what failed in one line,
 * `details` says what to do about it, and `cause` keeps the underlying error (an RPC failure, a
 * file system error) for logs. Like viem's BaseError, the full message joins them so that a plain
 * `console.error(err.message)` still tells the operator everything.
 */
export class ChainError extends Error {
  override name = 'ChainError';
  readonly code: ChainErrorCode;
  readonly shortMessage: string;
  readonly details: string | undefined;

  constructor(code: ChainErrorCode, shortMessage: string, options: ChainErrorOptions = {}) {
    super(options.details ? `${shortMessage}\n${options.details}` : shortMessage, { cause: options.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = options.details;
  }
}
