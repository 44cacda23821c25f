import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { PlaysChart } from './plays-chart.tsx';

const DAY = 86_400_000;
const JULY_3 = Date.UTC(2025, 6, 3);
const points = [0, 1, 2].map((i) => ({
  at: JULY_3 + i * DAY,
  plays: [2, 0, 5][i]!,
  listeners: [1, 0, 3][i],
}));

afterEach(cleanup);

describe('PlaysChart', () => {
  it('is an image named by its title and described in words', () => {
    render(<PlaysChart points={points} bucket="day" title="Counted plays of Song per day" />);
    const chart = screen.getByRole('img', { name: 'Counted plays of Song per day' });
    expect(chart.getAttribute('aria-describedby')).toBeTruthy();
    const description = document.getElementById(chart.getAttribute('aria-describedby')!)!;
    expect(description.textContent).toBe(
      '7 counted plays per day from 3 Jul to 5 Jul (UTC); the busiest day was 5 Jul with 5.',
    );
    expect(chart.querySelectorAll('rect.chart-bar')).toHaveLength(3);
    expect(chart.querySelector('polyline.chart-line')).not.toBeNull();
  });

  it('has the same figures as a table', () => {
    render(<PlaysChart points={points} bucket="day" title="Plays" />);
    const table = screen.getByRole('table', { name: 'Plays' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(
      rows.map((row) =>
        within(row)
          .getAllByRole('cell')
          .map((cell) => cell.textContent),
      ),
    ).toEqual([
      ['2', '1'],
      ['0', '0'],
      ['5', '3'],
    ]);
    expect(within(table).getByRole('columnheader', { name: 'Unique listeners' })).toBeTruthy();
  });

  it('leaves listeners out when the node does not report them (hour buckets)', () => {
    render(
      <PlaysChart points={points.map(({ at, plays }) => ({ at, plays }))} bucket="hour" title="Per hour" />,
    );
    expect(screen.queryByRole('columnheader', { name: 'Unique listeners' })).toBeNull();
    expect(screen.getByRole('img', { name: 'Per hour' }).querySelector('polyline')).toBeNull();
  });
});
