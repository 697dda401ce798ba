'use client';

import type { SerializedFlagState } from '@factoredui/core';
import { FactoredProvider } from '@factoredui/react';
import { type ReactNode, useState } from 'react';
import { createHttpStore } from '../lib/http-store';

/**
 * The client side of the app: a store for the browser and the provider, bootstrapped with the
 * flag state the server component read (plain JSON), so the first render — on the server and
 * at hydration — already shows the visitor's variant. The browser's flag client records a new
 * assignment after hydration, and capture starts then.
 */
export function Providers({
  flagState,
  children,
}: {
  flagState: SerializedFlagState;
  children: ReactNode;
}) {
  // Created during render on the server too: it performs no request until a method is called.
  const [store] = useState(() => createHttpStore());
  return (
    <FactoredProvider
      store={store}
      flagBootstrap={flagState}
      capture={{ appVersion: '1.0.0', flushIntervalMs: 1000 }}
    >
      {children}
    </FactoredProvider>
  );
}
