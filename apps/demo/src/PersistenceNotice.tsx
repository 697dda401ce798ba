import { type JSX, useSyncExternalStore } from 'react';
import type { DemoRuntime } from './lib/runtime.js';

// One object: useSyncExternalStore compares snapshots by identity (a new one each call loops).
const SAVED = { ok: true } as const;
const alwaysSaved = () => SAVED;
const noSubscription = () => () => {};

/**
 * A visible notice while the demo's data cannot be saved in this browser (IndexedDB refused a
 * save, e.g. over quota); it goes away when a later save works.
 */
export function PersistenceNotice({
  persistence,
}: {
  persistence: DemoRuntime['persistence'];
}): JSX.Element | null {
  const status = useSyncExternalStore(
    persistence?.subscribe ?? noSubscription,
    persistence?.current ?? alwaysSaved,
  );
  if (status.ok) return null;
  return (
    <div className="error-box" role="alert" data-testid="persistence-error">
      <strong>Your demo data is not being saved.</strong> {status.message} Everything keeps working
      until you reload; "Reset demo data" in the governor starts small again.
    </div>
  );
}
