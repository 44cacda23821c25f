import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

// The API client keeps the fetch it found when it was made: route it through one the tests set.
const network = vi.hoisted(() => {
  const state = { fetch: (async () => new Response(null, { status: 599 })) as typeof fetch };
  globalThis.fetch = ((...args: Parameters<typeof fetch>) => state.fetch(...args)) as typeof fetch;
  return state;
});

import { WalletHistory } from './history.tsx';
import type { HistoryMovement, HistoryPage } from './history-view.ts';

const address = '0x00000000000000000000000000000000000000a1';
const usd = { address: '0xf1', symbol: 'tUSD', decimals: 6 };
const fair = { address: '0xf0', symbol: 'FAIR', decimals: 18 };

function movement(n: number, overrides: Partial<HistoryMovement> = {}): HistoryMovement {
  return {
    id: `${n}-0`,
    time: Date.UTC(2030, 0, n),
    blockNumber: n,
    logIndex: 0,
    txHash: `0x${String(n).padStart(64, '0')}`,
    token: usd,
    direction: 'out',
    amount: '5000000',
    counterparty: { address: '0xd3', name: 'Subscription vault', handle: null },
    cause: { kind: 'subscription', periods: 1, start: 0, end: 0 },
    description: 'Subscription: 1 period, until 2030-02-01',
    ...overrides,
  };
}

/** The node's answers, by the query the component sent. */
function fakeNode(pages: (url: URL) => HistoryPage) {
  const urls: URL[] = [];
  network.fetch = (async (input: Request | string | URL) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    urls.push(url);
    return new Response(JSON.stringify(pages(url)), { headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return urls;
}

afterEach(() => cleanup());

describe('WalletHistory', () => {
  it('lists movements with their causes and signed amounts, links the track, and loads more by cursor', async () => {
    const tip = movement(3, {
      token: fair,
      direction: 'in',
      amount: '1500000000000000000',
      counterparty: { address: '0xd1', name: 'Tips', handle: null },
      cause: {
        kind: 'tip_received',
        ledgerTrackId: '0x1',
        track: { id: 'trk1', title: 'Song' },
        from: '0xb2',
      },
      description: 'Tip from @bob for “Song”',
    });
    const urls = fakeNode((url) =>
      url.searchParams.get('cursor')
        ? { address, items: [movement(1)], nextCursor: null, indexedBlock: 9 }
        : { address, items: [tip, movement(2)], nextCursor: 'c1', indexedBlock: 9 },
    );
    render(<WalletHistory address={address} generation={0} tokens={{ stable: usd }} />);
    const table = await screen.findByRole('table', { name: 'Token movements, newest first' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]?.textContent).toContain('Tip from @bob for “Song”+1.5FAIR');
    expect(within(rows[1]!).getByRole('link', { name: 'Song' }).getAttribute('href')).toBe('/t/trk1');
    expect(rows[2]?.textContent).toContain('Subscription: 1 period, until 2030-02-01-5tUSD');
    expect(screen.getByRole('link', { name: 'Download CSV' }).getAttribute('href')).toBe(
      `/api/v1/accounts/${address}/history.csv`,
    );
    expect(urls[0]?.pathname).toBe(`/api/v1/accounts/${address}/history`);

    fireEvent.click(screen.getByRole('button', { name: 'Load more movements' }));
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(4));
    expect(urls[1]?.searchParams.get('cursor')).toBe('c1');
    expect(screen.queryByRole('button', { name: 'Load more movements' })).toBeNull();
    expect(screen.getByText('Up to block 9.')).toBeTruthy();
  });

  it('filters by token: the list and the CSV link follow', async () => {
    const urls = fakeNode((url) => ({
      address,
      items: url.searchParams.get('token') === 'FAIR' ? [] : [movement(1)],
      nextCursor: null,
      indexedBlock: 1,
    }));
    render(<WalletHistory address={address} generation={0} tokens={{ stable: usd }} />);
    await screen.findByRole('table');
    await act(async () => {
      fireEvent.change(screen.getByLabelText('Token'), { target: { value: 'FAIR' } });
    });
    await screen.findByText('No token movements in FAIR yet.');
    expect(urls.at(-1)?.searchParams.get('token')).toBe('FAIR');
    expect(screen.getByRole('link', { name: 'Download CSV' }).getAttribute('href')).toBe(
      `/api/v1/accounts/${address}/history.csv?token=FAIR`,
    );
    expect(screen.getByRole('option', { name: 'tUSD' })).toBeTruthy();
  });

  it("shows the node's message when the history cannot be read", async () => {
    network.fetch = (async () =>
      new Response(
        JSON.stringify({
          error: { code: 'chain_unavailable', message: 'The node could not reach the chain; try again' },
        }),
        { status: 503, headers: { 'content-type': 'application/json' } },
      )) as typeof fetch;
    render(<WalletHistory address={address} generation={0} />);
    expect((await screen.findByRole('alert')).textContent).toContain(
      'The node could not reach the chain; try again',
    );
  });
});
