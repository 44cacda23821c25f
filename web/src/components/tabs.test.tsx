import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { Tabs } from './tabs.tsx';

function Harness() {
  const [selected, setSelected] = useState<'a' | 'b' | 'c'>('a');
  return (
    <Tabs<'a' | 'b' | 'c'>
      label="Sections"
      selected={selected}
      onSelect={setSelected}
      tabs={[
        { key: 'a', label: 'Alpha' },
        { key: 'b', label: 'Beta' },
        { key: 'c', label: 'Gamma' },
      ]}
    >
      <p>Panel {selected}</p>
    </Tabs>
  );
}

describe('Tabs', () => {
  it('moves with the arrow keys, one tab stop, the panel following', () => {
    render(<Harness />);
    const alpha = screen.getByRole('tab', { name: 'Alpha' });
    alpha.focus();
    fireEvent.keyDown(alpha, { key: 'ArrowLeft' });
    const gamma = screen.getByRole('tab', { name: 'Gamma' });
    expect(gamma.getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(gamma);
    expect(screen.getByRole('tabpanel').textContent).toBe('Panel c');
    expect(screen.getAllByRole('tab').map((tab) => tab.tabIndex)).toEqual([-1, -1, 0]);
    fireEvent.keyDown(gamma, { key: 'Home' });
    expect(screen.getByRole('tabpanel').textContent).toBe('Panel a');
  });
});
