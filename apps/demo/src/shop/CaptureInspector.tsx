import type { FactoredEvent } from '@factoredui/core';
import { useCapture, useStoreQuery } from '@factoredui/react';
import type { JSX } from 'react';

const SHOWN = 8;

/**
 * The events this browser session has written to the store, newest first: what the capture
 * pipeline recorded (clicks, rage clicks, impressions...), read back through the store.
 */
export function CaptureInspector(): JSX.Element {
  const capture = useCapture();
  const sessionId = capture.getSessionId();
  const { data, error } = useStoreQuery<FactoredEvent[]>({
    key: ['demo', 'session-events', sessionId],
    topics: ['events'],
    fetch: async (store) => (sessionId ? store.listEvents({ sessionId }) : []),
  });
  const events = data ?? [];
  const rage = events.filter((e) => e.type === 'rage_click').length;
  return (
    <aside className="card panel inspector" aria-label="Captured events" data-factored-ignore="">
      <div className="inspector-head">
        <h2>Live capture</h2>
        <span className="muted">{events.length} events this session</span>
      </div>
      <p className="muted small">
        Rage clicks detected: <strong data-testid="rage-count">{rage}</strong>
      </p>
      {error ? <div className="error-box">{error.message}</div> : null}
      <ol className="event-list">
        {events
          .slice(-SHOWN)
          .reverse()
          .map((event) => (
            <li key={event.id} className={event.type === 'rage_click' ? 'event-rage' : undefined}>
              <span className={`event-type type-${event.type}`}>{event.type}</span>
              <code>{event.path}</code>
            </li>
          ))}
      </ol>
    </aside>
  );
}
