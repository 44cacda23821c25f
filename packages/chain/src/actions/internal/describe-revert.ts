import { decodeErrorResult, type Hex, isHex } from 'viem';
import { fairstreamErrorsAbi } from './fairstream-errors-abi.ts';

const PANICS: Record<number, string> = {
  1: 'assertion failed',
  17: 'arithmetic overflow or underflow',
  18: 'division by zero',
  50: 'array index out of bounds',
};

/**
 * Says why a call or transaction reverted, as the contract said it: `SharesDoNotSumToTotal(900000)`,
 * `ERC20InsufficientAllowance(0x…, 0, 10000000)`, a reason string, or a panic. The revert data is
 * found wherever it sits in the error's cause chain (viem wraps it differently for in-process
 * providers and HTTP) and decoded against every Fairstream contract's errors. Undefined when the
 * error carries no revert at all (a network failure, say).
 */
export function describeRevert(error: unknown): string | undefined {
  const data = findRevertData(error);
  if (data === undefined) return undefined;
  if (data === '0x') return 'reverted without a reason';
  try {
    const { errorName, args } = decodeErrorResult({ abi: fairstreamErrorsAbi, data });
    if (errorName === 'Error') return `reverted: ${String(args?.[0])}`;
    if (errorName === 'Panic') {
      const code = Number(args?.[0]);
      return `panicked: ${PANICS[code] ?? `code 0x${code.toString(16)}`}`;
    }
    return `${errorName}(${(args ?? []).map(formatArgument).join(', ')})`;
  } catch {
    return `reverted with an error no Fairstream contract declares (data ${data.slice(0, 74)})`;
  }
}

function findRevertData(error: unknown): Hex | undefined {
  let sawRevert = false;
  for (let node = error, depth = 0; node && typeof node === 'object' && depth < 20; depth++) {
    const { data, details, message } = node as { data?: unknown; details?: unknown; message?: unknown };
    if (typeof data === 'string' && isHex(data)) return data;
    if (
      data &&
      typeof data === 'object' &&
      'data' in data &&
      typeof data.data === 'string' &&
      isHex(data.data)
    )
      return data.data;
    for (const text of [details, message]) {
      if (typeof text !== 'string') continue;
      // Providers that answer in prose (EDR: "... custom error (return data: 0x…)") still give the bytes.
      const match = /return data: (0x[0-9a-fA-F]*)/.exec(text);
      if (match?.[1]) return match[1] as Hex;
      if (/revert/i.test(text)) sawRevert = true;
    }
    node = (node as { cause?: unknown }).cause;
  }
  return sawRevert ? '0x' : undefined;
}

function formatArgument(value: unknown): string {
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (typeof value === 'string') return isHex(value) ? value : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(formatArgument).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, inner]) => `${key}: ${formatArgument(inner)}`)
      .join(', ')}}`;
  }
  return String(value);
}
