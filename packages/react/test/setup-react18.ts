import Module, { createRequire } from 'node:module';

/**
 * Setup of the React 18 test leg (the `react18` project of vitest.config.ts). react-dom 18 is CommonJS and
 * loads `react` with Node's own `require`, which Vite's aliases never see; pnpm links it to
 * the workspace's React 19. Redirect those requires to the React 18 copy.
 */
// The config passes the package directory: under jsdom `import.meta.url` is not a file URL.
const packageJson = process.env.FACTOREDUI_REACT_PACKAGE_JSON;
if (!packageJson)
  throw new Error('Run this setup through the react18 project of vitest.config.ts.');
const fromReactPackage = createRequire(packageJson);
const targets: Record<string, string> = {
  react: fromReactPackage.resolve('react-18'),
  'react/jsx-runtime': fromReactPackage.resolve('react-18/jsx-runtime'),
  'react/jsx-dev-runtime': fromReactPackage.resolve('react-18/jsx-dev-runtime'),
  'react-dom': fromReactPackage.resolve('react-dom-18'),
  'react-dom/client': fromReactPackage.resolve('react-dom-18/client'),
  'react-dom/server': fromReactPackage.resolve('react-dom-18/server'),
  'react-dom/test-utils': fromReactPackage.resolve('react-dom-18/test-utils'),
};

type Resolve = (request: string, ...rest: unknown[]) => string;
const internal = Module as unknown as { _resolveFilename: Resolve };
const original = internal._resolveFilename;
internal._resolveFilename = function resolveReact18(request, ...rest) {
  return original.call(this, targets[request] ?? request, ...rest);
};
