// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import type { PersistenceStatus } from './data/protocol.js';
import { PersistenceNotice } from './PersistenceNotice.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** A persistence monitor the test drives, as the database client reports saves. */
function monitor() {
  let status: PersistenceStatus = { ok: true };
  const listeners = new Set<(status: PersistenceStatus) => void>();
  return {
    current: () => status,
    subscribe(listener: (status: PersistenceStatus) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    report(next: PersistenceStatus) {
      status = next;
      for (const listener of listeners) listener(next);
    },
  };
}

let root: Root | undefined;
afterEach(() => {
  act(() => root?.unmount());
  document.body.innerHTML = '';
});

describe('PersistenceNotice', () => {
  it('shows an alert on the page while saves fail, with the reason, and hides it when one works', () => {
    const container = document.body.appendChild(document.createElement('div'));
    const persistence = monitor();
    root = createRoot(container);
    act(() => root?.render(<PersistenceNotice persistence={persistence} />));
    expect(container.innerHTML).toBe('');
    act(() =>
      persistence.report({ ok: false, message: 'Could not save "factoredui:demo-db": quota.' }),
    );
    const alert = container.querySelector('[role="alert"]');
    expect(alert?.textContent).toContain('Your demo data is not being saved.');
    expect(alert?.textContent).toContain('Could not save "factoredui:demo-db": quota.');
    act(() => persistence.report({ ok: true }));
    expect(container.querySelector('[role="alert"]')).toBeNull();
  });

  it('renders nothing where nothing is saved locally (Supabase mode)', () => {
    const container = document.body.appendChild(document.createElement('div'));
    root = createRoot(container);
    act(() => root?.render(<PersistenceNotice persistence={null} />));
    expect(container.innerHTML).toBe('');
  });
});
