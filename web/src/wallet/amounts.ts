/** Token amounts typed by people, parsed exactly into base units (never through floats). */

export type ParsedAmount = { amount: bigint } | { error: string };

/**
 * "2.5" with 18 decimals → 2500000000000000000n. Accepts digits with one optional decimal point
 * (a leading "." or thousands commas too); refuses more fractional digits than the token has, and
 * zero or negative amounts.
 */
export function parseAmount(text: string, decimals: number, symbol = ''): ParsedAmount {
  const unit = symbol ? ` ${symbol}` : '';
  const cleaned = text.trim().replaceAll(',', '').replaceAll('_', '');
  if (cleaned === '') return { error: `Enter an amount${unit ? ` of${unit}` : ''}` };
  const match = /^(\d*)(?:\.(\d*))?$/.exec(cleaned);
  if (!match || (match[1] === '' && (match[2] ?? '') === '')) {
    return {
      error: `"${text.trim().slice(0, 30)}" is not an amount: use digits and at most one decimal point, e.g. 2.5`,
    };
  }
  const whole = match[1] || '0';
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) {
    return {
      error:
        decimals === 0
          ? `${symbol || 'This token'} has no decimals: enter a whole number`
          : `${symbol || 'This token'} has ${decimals} decimals: use at most ${decimals} digits after the point`,
    };
  }
  const amount = BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
  if (amount === 0n) return { error: `Enter more than 0${unit}` };
  return { amount };
}

/** A period in words: "30 days", "hour" (after "per"), or "1 hour" with `one`. */
export function formatPeriod(seconds: number, one = ''): string {
  const unit = (n: number, name: string) => (n === 1 ? `${one}${one ? ' ' : ''}${name}` : `${n} ${name}s`);
  if (seconds % 86_400 === 0) return unit(seconds / 86_400, 'day');
  if (seconds % 3600 === 0) return unit(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return unit(seconds / 60, 'minute');
  return unit(seconds, 'second');
}
