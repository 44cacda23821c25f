import { useEffect, useRef, useState } from 'react';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'off';

/**
 * Listens to a server-sent event stream of the node (same origin, so the session cookie goes
 * along). EventSource reconnects by itself; the state says whether updates are flowing, for the
 * "Live" badge. `url` undefined closes the stream.
 */
export function useEventStream(
  url: string | undefined,
  event: string,
  onMessage: (data: unknown) => void,
): LiveState {
  const [state, setState] = useState<LiveState>(url ? 'connecting' : 'off');
  const handler = useRef(onMessage);
  handler.current = onMessage;
  useEffect(() => {
    if (!url || typeof EventSource === 'undefined') {
      setState('off');
      return;
    }
    setState('connecting');
    const source = new EventSource(url);
    const listener = (message: MessageEvent<string>) => {
      try {
        handler.current(JSON.parse(message.data));
      } catch {
        // A malformed event is skipped; the next one refreshes everything anyway.
      }
    };
    source.addEventListener(event, listener as EventListener);
    source.onopen = () => setState('live');
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'off' : 'reconnecting');
    return () => {
      source.removeEventListener(event, listener as EventListener);
      source.close();
    };
  }, [url, event]);
  return state;
}

export function LiveBadge({ state }: { state: LiveState }) {
  const text =
    state === 'live'
      ? 'Live'
      : state === 'connecting'
        ? 'Connecting…'
        : state === 'reconnecting'
          ? 'Reconnecting…'
          : 'Not live';
  return (
    <span className={`live-badge live-${state}`} title="Updates arrive as epochs settle, without reloading">
      <span aria-hidden="true" className="live-dot" />
      {text}
    </span>
  );
}
