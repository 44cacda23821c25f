import { formatUnits } from 'viem';
import type { Movement } from './history.service.ts';

/** The export's columns, in order (the header row). */
export const HISTORY_CSV_COLUMNS = [
  'time',
  'block',
  'log_index',
  'tx_hash',
  'token',
  'token_address',
  'decimals',
  'direction',
  'amount',
  'amount_base_units',
  'counterparty',
  'counterparty_name',
  'cause',
  'description',
] as const;

/**
 * A history as CSV (RFC 4180: CRLF line ends, a header row, fields quoted when they hold a comma,
 * a quote or a line break, quotes doubled), one chunk per movement so a long history streams.
 * Amounts are exact and signed (negative when the movement left the account), in the token's
 * decimals and in base units. Text cells that a spreadsheet would run as a formula (starting with
 * = + - @ or a tab) get a leading apostrophe; numbers are written as they are.
 */
export async function* historyCsv(movements: AsyncIterable<Movement>): AsyncGenerator<string> {
  yield line([...HISTORY_CSV_COLUMNS]);
  for await (const movement of movements) yield line(csvRow(movement));
}

export function csvRow(movement: Movement): string[] {
  const sign = movement.direction === 'out' ? '-' : '';
  const counterparty = movement.counterparty;
  return [
    new Date(movement.time).toISOString(),
    String(movement.blockNumber),
    String(movement.logIndex),
    movement.txHash,
    text(movement.token.symbol),
    movement.token.address,
    String(movement.token.decimals),
    movement.direction,
    `${sign}${formatUnits(BigInt(movement.amount), movement.token.decimals)}`,
    `${sign}${movement.amount}`,
    counterparty.address,
    text(counterparty.name ?? (counterparty.handle ? counterparty.handle : '')),
    movement.cause.kind,
    text(movement.description),
  ];
}

function line(fields: string[]): string {
  return `${fields.map(field).join(',')}\r\n`;
}

/** One RFC 4180 field. */
export function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A text cell no spreadsheet runs as a formula. */
function text(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}
