#!/usr/bin/env node
/**
 * Consumer smoke test: what an npm user gets.
 *
 * Packs every workspace package (`pnpm pack`, which rewrites `workspace:` ranges), installs the
 * tarballs with npm into a fresh project in the OS temp folder (outside the workspace, so nothing
 * resolves through it), then checks:
 *   1. ESM `import` of every package and a real round trip (store, flags, sign/verify, validate,
 *      server rendering with the React bindings);
 *   2. CJS `require` of every package, the same checks;
 *   3. TypeScript: `tsc --noEmit` of a consumer file using the main APIs, with
 *      `moduleResolution` `node16` (ESM and CJS files) and `bundler`;
 *   4. the `factoredui` binary: `factoredui --help` exits 0.
 * `@factoredui/react-native` is loaded with `react-native` mapped to a stand-in (Node cannot
 * load the real module: Flow source for Metro) and type-checked against the real types.
 *
 * Needs built packages (`pnpm build`) and the npm registry for the third-party dependencies.
 * Usage: `node scripts/smoke-consumer.mjs [--keep]` (`--keep` leaves the temp project).
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const keep = process.argv.includes('--keep');
const started = Date.now();

function log(message) {
  process.stderr.write(`smoke: ${message} (${((Date.now() - started) / 1000).toFixed(1)}s)\n`);
}

function run(command, args, options = {}) {
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      ...options,
    });
  } catch (error) {
    const out = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
    throw new Error(`\`${command} ${args.join(' ')}\` failed in ${options.cwd ?? root}:\n${out}`);
  }
}

/** Parses a JSON file. */
function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

const packagesDir = join(root, 'packages');
const packages = readdirSync(packagesDir)
  .filter((name) => existsSync(join(packagesDir, name, 'package.json')))
  .map((name) => ({
    dir: join(packagesDir, name),
    manifest: readJson(join(packagesDir, name, 'package.json')),
  }))
  .filter((p) => !p.manifest.private);

for (const p of packages) {
  if (!existsSync(join(p.dir, 'dist')))
    throw new Error(`${p.manifest.name} is not built: run \`pnpm build\` before the smoke test.`);
}

const work = mkdtempSync(join(tmpdir(), 'factoredui-smoke-'));
const tarballs = join(work, 'tarballs');
const app = join(work, 'app');
mkdirSync(tarballs);
mkdirSync(app);

try {
  // 1. Pack: the `pack` task writes each package's tarball once into its `.pack/` (cached by
  // turbo, so after `pnpm check:packages` nothing is packed again).
  run('pnpm', ['turbo', 'run', 'pack', '--filter=./packages/*', '--output-logs=errors-only']);
  const deps = {};
  for (const p of packages) {
    const file = readdirSync(join(p.dir, '.pack')).find((name) => name.endsWith('.tgz'));
    if (!file) throw new Error(`the pack task wrote no tarball for ${p.manifest.name}`);
    copyFileSync(join(p.dir, '.pack', file), join(tarballs, file));
    deps[p.manifest.name] = `file:${join(tarballs, file)}`;
  }
  log(`packed ${packages.length} packages into ${tarballs}`);

  // 2. A fresh consumer project. Overrides make the packages' dependencies on each other
  // resolve to the tarballs (the versions are not on the registry yet).
  const reactRange = readJson(join(packagesDir, 'react', 'package.json')).devDependencies.react;
  const rootManifest = readJson(join(root, 'package.json'));
  const overrides = Object.fromEntries(Object.keys(deps).map((name) => [name, `$${name}`]));
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify(
      {
        name: 'factoredui-smoke-consumer',
        private: true,
        type: 'module',
        dependencies: {
          ...deps,
          react: reactRange,
          'react-dom': reactRange,
          // @factoredui/react-native's peer, for its types (Node cannot load the real module).
          'react-native': readJson(join(packagesDir, 'react-native', 'package.json'))
            .devDependencies['react-native'],
        },
        devDependencies: {
          '@types/react': readJson(join(packagesDir, 'react', 'package.json')).devDependencies[
            '@types/react'
          ],
          '@types/react-dom': readJson(join(packagesDir, 'react', 'package.json')).devDependencies[
            '@types/react-dom'
          ],
          // supabase-js's declarations reference Node's types, as in most TypeScript projects.
          '@types/node': rootManifest.devDependencies['@types/node'],
          typescript: rootManifest.devDependencies.typescript,
        },
        overrides,
      },
      null,
      2,
    )}\n`,
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: app,
    env: { ...process.env, npm_config_workspaces: 'false' },
  });
  log('npm install of the tarballs done');

  // Nothing may resolve into the workspace.
  for (const name of Object.keys(deps)) {
    const installed = join(app, 'node_modules', ...name.split('/'));
    if (!existsSync(join(installed, 'package.json')))
      throw new Error(`${name} was not installed into the consumer project.`);
  }

  // 3. ESM and CJS: every package loads, and the main paths work end to end.
  const checks = (load) => `
const core = ${load('@factoredui/core')};
const memory = ${load('@factoredui/store-memory')};
const supabase = ${load('@factoredui/store-supabase')};
const reactBindings = ${load('@factoredui/react')};
const sduiReact = ${load('@factoredui/sdui-react')};
const React = ${load('react')};
const server = ${load('react-dom/server')};
const assert = ${load('node:assert/strict')};

for (const [name, mod, exports] of [
  ['@factoredui/core', core, ['initCapture', 'createWebAdapter', 'createFlagClient', 'evaluateFlag', 'validateSpec', 'loadSpec', 'createEd25519Verifier', 'createEd25519Signer', 'generateEd25519Keypair', 'computeGovernanceVerdict', 'FactoredError']],
  ['@factoredui/store-memory', memory, ['createMemoryStore', 'createMemoryDatabase']],
  ['@factoredui/store-supabase', supabase, ['createPostgresStore', 'createSqlStore', 'createSupabaseStore']],
  ['@factoredui/react', reactBindings, ['FactoredProvider', 'Provider', 'Flow', 'Page', 'Component', 'Element', 'useFlag', 'useFactors']],
]) {
  for (const key of exports) assert.equal(typeof mod[key], 'function', name + ' exports ' + key);
}
assert.equal(typeof sduiReact, 'object');

// Store + local flag evaluation (no experiments: the default evaluation).
const database = memory.createMemoryDatabase();
const store = memory.createMemoryStore({ database, userId: '00000000-0000-4000-8000-000000000001' });
assert.deepEqual(await store.getIdentity(), { role: 'user', userId: '00000000-0000-4000-8000-000000000001' });
const client = core.createFlagClient({ store });
await client.ready();
const evaluation = client.evaluate('smoke-flag');
assert.equal(evaluation.inExperiment, false);
client.destroy();

// Sign, verify, validate.
const spec = { spec_version: 1, renderer_min: 1, root: { id: 'root', type: 'text', props: { content: 'Hello' } } };
assert.equal(core.validateSpec(spec).valid, true, JSON.stringify(core.validateSpec(spec)));
const keys = await core.generateEd25519Keypair();
const envelope = await core.createEd25519Signer({ privateKey: keys.privateKey, keyId: 'k1' }).sign(spec, { name: 'smoke', platform: 'web', version: 1 });
const verification = await core.createEd25519Verifier({ k1: keys.publicKey }).verify(envelope);
assert.equal(verification.ok, true, JSON.stringify(verification));
const tampered = await core.createEd25519Verifier({ k1: keys.publicKey }).verify({ ...envelope, spec: { ...spec, renderer_min: 2 } });
assert.equal(tampered.ok, false);

// Server rendering with the React bindings (SSR-safe: no window).
const html = server.renderToString(
  React.createElement(reactBindings.FactoredProvider, { store, capture: false },
    React.createElement(reactBindings.Component, { name: 'smoke' }, React.createElement('button', null, 'ok'))),
);
assert.match(html, /data-factored-component="smoke"/);
`;
  writeFileSync(
    join(app, 'esm.mjs'),
    `${checks((name) => `await import('${name}')`)}\nconsole.log('esm ok');\n`,
  );
  writeFileSync(
    join(app, 'cjs.cjs'),
    `(async () => {\n${checks((name) => `require('${name}')`)}\nconsole.log('cjs ok');\n})().catch((error) => { console.error(error); process.exit(1); });\n`,
  );
  run(process.execPath, ['esm.mjs'], { cwd: app });
  log('ESM import and round trip ok');
  run(process.execPath, ['cjs.cjs'], { cwd: app });
  log('CJS require and round trip ok');

  // 3b. @factoredui/react-native: `react-native` itself is Flow source for Metro that Node cannot
  // load, so these runs map it to a small stand-in (ESM: a resolve hook; CJS: a require hook).
  writeFileSync(
    join(app, 'react-native-stub.cjs'),
    `// Named exports one by one, so Node's ESM loader sees them (cjs-module-lexer).
const events = { addEventListener: () => ({ remove() {} }) };
exports.AppState = { currentState: 'active', ...events };
exports.Dimensions = { get: () => ({ width: 390, height: 844, scale: 3, fontScale: 1 }), ...events };
exports.Platform = { OS: 'ios', Version: '17.4', select: (o) => o.ios ?? o.default };
exports.View = 'View';
exports.Text = 'Text';
exports.TextInput = 'TextInput';
exports.Image = 'Image';
exports.ScrollView = 'RCTScrollView';
exports.Switch = 'RCTSwitch';
exports.Modal = 'Modal';
exports.Pressable = 'View';
exports.StyleSheet = { create: (s) => s, flatten: (s) => s };
`,
  );
  writeFileSync(
    join(app, 'react-native-stub-hook.cjs'),
    `const Module = require('node:module');
const stub = require.resolve('./react-native-stub.cjs');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'react-native' ? stub : resolve.call(this, request, ...rest);
};
`,
  );
  writeFileSync(
    join(app, 'react-native-stub-hook.mjs'),
    `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
export async function resolve(specifier, context, next) {
  if (specifier === 'react-native') return { url: ${JSON.stringify(`file://${join(app, 'react-native-stub.cjs')}`)}, shortCircuit: true, format: 'commonjs' };
  return next(specifier, context);
}\`));
`,
  );
  const rnChecks = (load) => `
const core = ${load('@factoredui/core')};
const rn = ${load('@factoredui/react-native')};
const assert = ${load('node:assert/strict')};
for (const key of ['createReactNativeAdapter', 'FactoredProvider', 'Flow', 'Page', 'Component', 'Element', 'createComponentRegistry', 'renderSpec', 'SpecView', 'createNativeSpecVerifier', 'useSpec']) {
  assert.equal(typeof rn[key], 'function', '@factoredui/react-native exports ' + key);
}
const adapter = rn.createReactNativeAdapter({ storage: null });
assert.equal(adapter.platform, 'ios');
assert.equal(Object.keys(rn.createComponentRegistry().components).length, 20);
const keys = await core.generateEd25519Keypair();
const spec = { spec_version: 1, renderer_min: 1, root: { id: 'root', type: 'text', props: { content: 'Hi' } } };
const envelope = await core.createEd25519Signer({ privateKey: keys.privateKey, keyId: 'k1' }).sign(spec, { name: 'smoke', platform: 'ios', version: 1 });
const verdict = await rn.createNativeSpecVerifier({ k1: keys.publicKey }).verify(envelope);
assert.equal(verdict.ok, true, JSON.stringify(verdict));
`;
  writeFileSync(
    join(app, 'rn-esm.mjs'),
    `${rnChecks((name) => `await import('${name}')`)}\nconsole.log('rn esm ok');\n`,
  );
  writeFileSync(
    join(app, 'rn-cjs.cjs'),
    `(async () => {\n${rnChecks((name) => `require('${name}')`)}\nconsole.log('rn cjs ok');\n})().catch((error) => { console.error(error); process.exit(1); });\n`,
  );
  run(process.execPath, ['--import', './react-native-stub-hook.mjs', 'rn-esm.mjs'], { cwd: app });
  run(process.execPath, ['-r', './react-native-stub-hook.cjs', 'rn-cjs.cjs'], { cwd: app });
  log('@factoredui/react-native ESM import and CJS require ok (react-native stand-in)');

  // 4. TypeScript types, as consumers compile them.
  const consumerTs = `
import {
  createEd25519Verifier,
  createFlagClient,
  evaluateFlag,
  FactoredError,
  type FactoredStore,
  type FlagEvaluation,
  initCapture,
  loadSpec,
  validateSpec,
} from '@factoredui/core';
import { createMemoryStore, type MemoryStore } from '@factoredui/store-memory';
import { createPostgresStore, createSupabaseStore } from '@factoredui/store-supabase';
import { Component, FactoredProvider, useFlag } from '@factoredui/react';
import * as sduiReact from '@factoredui/sdui-react';
import { createElement, type ReactElement } from 'react';

const store: MemoryStore = createMemoryStore({ userId: 'u1' });
const asContract: FactoredStore = store;
export const client = createFlagClient({ store: asContract });
export const evaluation: FlagEvaluation = client.evaluate('checkout-button');
export const asyncEvaluation: Promise<FlagEvaluation | null> = evaluateFlag(store, 'checkout-button');
export const capture = typeof window === 'undefined' ? null : initCapture({ store });
export const verifier = createEd25519Verifier({ k1: '00'.repeat(32) });
export const valid: boolean = validateSpec({}).valid;
export const loaded = loadSpec;
export const errorCode = (e: unknown): string | null => (e instanceof FactoredError ? e.code : null);
export const transports = [createPostgresStore, createSupabaseStore] as const;
export const sdui: object = sduiReact;

export function Button(): ReactElement {
  const flag = useFlag('checkout-button');
  return createElement(Component, { name: 'pay' }, createElement('button', null, flag.variantKey ?? 'control'));
}
export const app: ReactElement = createElement(FactoredProvider, { store, capture: false }, createElement(Button));
`;
  writeFileSync(join(app, 'consumer.ts'), consumerTs);
  writeFileSync(
    join(app, 'consumer-cjs.cts'),
    `import core = require('@factoredui/core');\nimport memory = require('@factoredui/store-memory');\nconst store = memory.createMemoryStore({ userId: 'u1' });\nexport const client: core.FlagClient = core.createFlagClient({ store });\n`,
  );
  const compilerOptions = {
    strict: true,
    noEmit: true,
    target: 'es2022',
    lib: ['es2022', 'dom'],
    types: ['node'],
    skipLibCheck: false,
    verbatimModuleSyntax: false,
  };
  writeFileSync(
    join(app, 'tsconfig.node16.json'),
    JSON.stringify({
      compilerOptions: { ...compilerOptions, module: 'node16', moduleResolution: 'node16' },
      files: ['consumer.ts', 'consumer-cjs.cts'],
    }),
  );
  writeFileSync(
    join(app, 'tsconfig.bundler.json'),
    JSON.stringify({
      compilerOptions: { ...compilerOptions, module: 'esnext', moduleResolution: 'bundler' },
      files: ['consumer.ts'],
    }),
  );
  // React Native apps compile without the DOM and Node libraries (react-native declares its
  // own globals, which conflict with both) and with skipLibCheck, as React Native's own
  // TypeScript config does: its declarations do not pass a full check.
  writeFileSync(
    join(app, 'consumer-rn.ts'),
    `import { createMemoryStore } from '@factoredui/store-memory';
import * as native from '@factoredui/react-native';
import { createElement, type ReactElement } from 'react';

const store = createMemoryStore({ userId: 'u1' });
export const adapter: native.ReactNativeAdapter = native.createReactNativeAdapter({
  storage: { getItem: async () => null, setItem: async () => {}, removeItem: async () => {} },
});
export const registry: native.NativeComponentRegistry = native.createComponentRegistry({
  colors: { primary: '#0b7a5b' },
});
export const verifier = native.createNativeSpecVerifier({ k1: '00'.repeat(32) });
export const app: ReactElement = createElement(
  native.FactoredProvider,
  { store, adapter },
  createElement(native.Component, { name: 'hero', testID: 'hero' }),
);
`,
  );
  for (const [name, module, moduleResolution] of [
    ['tsconfig.rn-node16.json', 'node16', 'node16'],
    ['tsconfig.rn-bundler.json', 'esnext', 'bundler'],
  ]) {
    writeFileSync(
      join(app, name),
      JSON.stringify({
        compilerOptions: {
          ...compilerOptions,
          lib: ['es2022'],
          types: [],
          skipLibCheck: true,
          module,
          moduleResolution,
        },
        files: ['consumer-rn.ts'],
      }),
    );
  }
  const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc');
  run(process.execPath, [tsc, '-p', 'tsconfig.node16.json'], { cwd: app });
  log('tsc --noEmit with moduleResolution node16 (ESM + CJS files) ok');
  run(process.execPath, [tsc, '-p', 'tsconfig.bundler.json'], { cwd: app });
  log('tsc --noEmit with moduleResolution bundler ok');
  run(process.execPath, [tsc, '-p', 'tsconfig.rn-node16.json'], { cwd: app });
  run(process.execPath, [tsc, '-p', 'tsconfig.rn-bundler.json'], { cwd: app });
  log('tsc --noEmit of a React Native consumer (node16 and bundler) ok');

  // 5. The binary.
  const bin = join(app, 'node_modules', '.bin', 'factoredui');
  if (!existsSync(bin)) throw new Error('npm did not link the `factoredui` binary.');
  const help = run(bin, ['--help'], { cwd: app });
  if (!/factoredui/i.test(help)) throw new Error(`factoredui --help printed no usage:\n${help}`);
  log('factoredui --help exits 0');

  log('all consumer checks passed');
} catch (error) {
  process.stderr.write(
    `smoke: FAILED\n${error instanceof Error ? error.message : String(error)}\n`,
  );
  if (!keep) process.stderr.write(`smoke: rerun with --keep to inspect the project\n`);
  process.exitCode = 1;
} finally {
  if (keep) log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
