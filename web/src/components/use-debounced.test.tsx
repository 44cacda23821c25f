import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useDebounced } from './use-debounced.ts';

describe('useDebounced', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('settles on the last value once typing pauses', () => {
    const { result, rerender } = renderHook(({ value }) => useDebounced(value, 250), {
      initialProps: { value: 'm' },
    });
    expect(result.current).toBe('m');
    rerender({ value: 'mi' });
    act(() => void vi.advanceTimersByTime(100));
    rerender({ value: 'mid' });
    act(() => void vi.advanceTimersByTime(200));
    // 300 ms since "mi" but only 200 since "mid": still the first value.
    expect(result.current).toBe('m');
    act(() => void vi.advanceTimersByTime(50));
    expect(result.current).toBe('mid');
  });
});
