/**
 * The logging this package needs, shaped like pino's `(object, message)` calls so the node can pass
 * its pino logger as is. Secrets (keys, key files' contents) are never handed to it.
 */
export type ChainLogger = {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
};

export const silentLogger: ChainLogger = {
  info() {},
  warn() {},
};
