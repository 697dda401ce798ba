import { createContext, useContext } from 'react';
import type { DemoRuntime } from './runtime.js';

export const RuntimeContext = createContext<DemoRuntime | null>(null);

/** The demo runtime created at start-up. */
export function useRuntime(): DemoRuntime {
  const runtime = useContext(RuntimeContext);
  if (!runtime) throw new Error('useRuntime needs <RuntimeContext.Provider>');
  return runtime;
}
