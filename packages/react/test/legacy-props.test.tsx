// @vitest-environment jsdom
import * as core from '@factoredui/core';
import { FactoredProvider, Provider } from '@factoredui/react';
import { cleanup, render } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { createStores } from './helpers.js';

// The 0.5.1 Provider's capture props (issue #21) are mapped onto `capture` options, warning
// once each; they are never silently ignored.

vi.mock('@factoredui/core', async (importOriginal) => {
  const original = await importOriginal<typeof core>();
  return { ...original, initCapture: vi.fn(original.initCapture) };
});

let warn: MockInstance<typeof console.warn>;
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  vi.mocked(core.initCapture).mockClear();
});
afterEach(() => {
  cleanup();
  warn.mockRestore();
});

/** The options the provider started capture with. */
const startedWith = () => vi.mocked(core.initCapture).mock.calls.map(([options]) => options);

describe('0.5.1 Provider props (MIGRATING.md row 23)', () => {
  it('23. flushIntervalMs, flushBatchSize and sessionTimeoutMs map to capture options, warning once each', () => {
    const { user } = createStores();
    render(
      <Provider
        store={user}
        adapter={null}
        flushIntervalMs={2000}
        flushBatchSize={10}
        sessionTimeoutMs={60_000}
      >
        <p>app</p>
      </Provider>,
    );
    expect(startedWith()).toHaveLength(1);
    expect(startedWith()[0]).toMatchObject({
      flushIntervalMs: 2000,
      batchSize: 10,
      sessionTimeoutMs: 60_000,
    });
    const messages = warn.mock.calls.map((c) => String(c[0]));
    expect(messages.filter((m) => m.includes('<Provider flushBatchSize>'))).toHaveLength(1);
    expect(messages.some((m) => m.includes('capture={{ batchSize }}'))).toBe(true);
    expect(messages.some((m) => m.includes('capture={{ flushIntervalMs }}'))).toBe(true);
    expect(messages.some((m) => m.includes('capture={{ sessionTimeoutMs }}'))).toBe(true);
  });

  it('the capture prop wins over a 0.5.1 prop naming the same option', () => {
    const { user } = createStores('user-2');
    render(
      <FactoredProvider store={user} adapter={null} flushBatchSize={10} capture={{ batchSize: 3 }}>
        <p>app</p>
      </FactoredProvider>,
    );
    expect(startedWith()[0]).toMatchObject({ batchSize: 3 });
  });

  it('the current form works', () => {
    const { user } = createStores('user-4');
    render(
      <FactoredProvider
        store={user}
        adapter={null}
        capture={{ flushIntervalMs: 2000, batchSize: 10 }}
      >
        <p>app</p>
      </FactoredProvider>,
    );
    expect(startedWith()[0]).toMatchObject({ flushIntervalMs: 2000, batchSize: 10 });
    expect(warn).not.toHaveBeenCalled();
  });
});
