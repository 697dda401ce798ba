import { FactoredError, type FactoredStore } from '@factoredui/core';

/**
 * The `?sink=<url>` mode of the demo, for the durability end-to-end test: capture writes its
 * sessions and events to a small HTTP event sink (served by the test) instead of the in-page
 * memory store, so several pages share one store that the test can take offline and read back.
 * Everything else (flags, specs, the governor) still uses the memory store.
 *
 * The sink speaks: `POST <url>/sessions` (a session) and `POST <url>/events` (an array of
 * events), answering 2xx when stored and anything else when not; bodies are `text/plain` JSON,
 * so no CORS preflight is needed.
 */
export function sinkUrlFromLocation(location: Location): string | null {
  const value = new URLSearchParams(location.search).get('sink');
  if (!value) return null;
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new FactoredError('invalid_input', `?sink must be an http(s) URL, got ${value}.`);
  return url.href.replace(/\/$/, '');
}

/** `store` with its capture writes (`startSession`, `insertEvents`) sent to the sink at `url`. */
export function withEventSink(store: FactoredStore, url: string): FactoredStore {
  const post = async (path: string, body: unknown, keepalive = false) => {
    let response: Response;
    try {
      response = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify(body),
        keepalive,
      });
    } catch (error) {
      throw new FactoredError('unavailable', `The event sink at ${url} is unreachable.`, {
        cause: error,
      });
    }
    if (!response.ok)
      throw new FactoredError(
        'unavailable',
        `The event sink at ${url} answered ${response.status}; capture retries later.`,
      );
  };
  return {
    ...store,
    async startSession(session) {
      await post('/sessions', session);
      return { ...session };
    },
    async insertEvents(events, options) {
      await post('/events', events, options?.keepalive === true);
      return { inserted: events.length, duplicates: 0 };
    },
  };
}
