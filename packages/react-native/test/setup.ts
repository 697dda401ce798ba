/**
 * Node's `require('react-native')` (from `@testing-library/react-native`, loaded by Node as an
 * external CommonJS dependency) gets the same test double as the sources, which Vite aliases.
 */
import Module from 'node:module';
import { afterEach, expect } from 'vitest';
import * as reactNative from './react-native/index.js';

// The library's entry registers its matchers on the global `expect` and its cleanup on the
// global `afterEach`, as Jest has them.
Object.assign(globalThis, { expect, afterEach });

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };
const original = loader._load;
loader._load = function load(request, parent, isMain) {
  if (request === 'react-native') return reactNative;
  return original.call(this, request, parent, isMain);
};
