import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { Waveform } from './waveform.tsx';

describe('Waveform', () => {
  it('is a slider that seeks by keys from where playback is', () => {
    const onSeek = vi.fn();
    render(
      <Waveform
        title="Song"
        durationMs={60_000}
        waveformUrl={null}
        positionMs={20_000}
        comments={[]}
        onSeek={onSeek}
      />,
    );
    const slider = screen.getByRole('slider', { name: 'Seek in Song' });
    expect(slider.getAttribute('aria-valuenow')).toBe('20');
    expect(slider.getAttribute('aria-valuetext')).toBe('0:20 of 1:00');
    fireEvent.keyDown(slider, { key: 'ArrowRight' });
    fireEvent.keyDown(slider, { key: 'PageDown' });
    fireEvent.keyDown(slider, { key: 'End' });
    fireEvent.keyDown(slider, { key: 'x' });
    expect(onSeek.mock.calls).toEqual([[25_000], [0], [60_000]]);
  });

  it('puts a marker at each comment moment, counting comments that share one', () => {
    const { container } = render(
      <Waveform
        title="Song"
        durationMs={60_000}
        waveformUrl={null}
        positionMs={undefined}
        comments={[
          { id: 'a', atMs: 15_000, text: 'first' },
          { id: 'b', atMs: 15_100, text: 'second' },
          { id: 'c', atMs: 45_000, text: 'later' },
        ]}
        onSeek={() => undefined}
      />,
    );
    const markers = [...container.querySelectorAll<HTMLElement>('.marker')];
    expect(markers.map((marker) => marker.style.left)).toEqual(['25%', '75%']);
    expect(markers.map((marker) => marker.textContent)).toEqual(['2', '']);
    expect(markers[0]!.title).toBe('0:15: first (+1 more)');
    // No playhead while another track plays.
    expect(container.querySelector('.playhead')).toBeNull();
  });
});
