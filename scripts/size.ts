/**
 * Size budgets for the browser entry points, enforced in CI (`pnpm size`).
 *
 * Every entry (ours and the peers') is bundled by esbuild with the same settings — ESM, browser
 * platform, minified, tree-shaken, only the named imports kept — then gzipped at level 9. Our
 * entries are measured from the built `dist/` (what npm users get), so run after `pnpm build`.
 * Writes docs/bundle-size.md and exits non-zero when any budget is exceeded.
 *
 * Usage: `pnpm size` (builds first) or `npx tsx scripts/size.ts [--json] [--no-write] [--check]`.
 * `--check` (CI: `pnpm size:check`) writes nothing and exits 1 when docs/bundle-size.md is not
 * what this run would write, so a size change is committed with the code that made it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile, type Plugin } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const requireFromRoot = createRequire(join(root, 'package.json'));

/** One measured entry point. */
interface Entry {
  /** Row label in the report. */
  label: string;
  /** Package the imports come from. */
  pkg: string;
  /** Named imports kept (tree-shaking drops the rest); `*` keeps the whole module. */
  imports: string[] | '*';
  /** Modules left out of the bundle, as stated in the budget. */
  external: string[];
  /** Budget in kB (1 kB = 1024 bytes) of min+gzip; only `budget` rows have one. */
  budgetKb?: number;
  /**
   * `budget`: enforced; `peer`: another library measured alike; `breakdown`: a part of one of
   * our entries, measured alone to explain where the bytes go.
   */
  kind: 'budget' | 'peer' | 'breakdown';
  /**
   * For our packages: `dist` (default) measures the published build; `src` measures the
   * TypeScript sources, i.e. what a bundler could drop if it saw core's modules one by one.
   */
  from?: 'dist' | 'src';
  /** Instead of `imports` from `pkg`: an ES module body to bundle (crypto floor rows). */
  code?: string;
  /** Why this row is measured (shown in the report). */
  note: string;
}

const react = ['react', 'react-dom', 'react/jsx-runtime', 'react-dom/client'];

const entries: Entry[] = [
  {
    label: '@factoredui/core — capture + flag client',
    pkg: '@factoredui/core',
    imports: ['initCapture', 'createWebAdapter', 'createFlagClient'],
    external: [],
    // Moved from 12 kB: the path is 12.2 kB of real code (web adapter with rage/dead/scroll
    // detectors, durable writer, flag client, murmur3) after removing every dependency it
    // could drop; then 13.25 kB for the JSON input limits and 16.25 kB for durable capture
    // (per-tab queues, timeouts, chunked persistence), 16.5 kB for compiled targeting (issue 18),
    // 17 kB for custom events with numeric properties (issue 19), 17.25 kB for the 0.5.1 call
    // checks (issue 21), 17.35 kB for draining the 0.5.1 offline queue (issue 21; the converter
    // itself is a lazy chunk), 17.75 kB for layers and the holdout in the flag decision (issue 19)
    // and the lazy flag client (issue 18).
    // The reasons are in docs/bundle-size.md ("Budget changes").
    budgetKb: 17.75,
    kind: 'budget',
    note: 'initCapture, createWebAdapter, createFlagClient',
  },
  {
    label: '@factoredui/core — SDUI load + verify',
    pkg: '@factoredui/core',
    imports: ['loadSpec', 'createEd25519Verifier', 'validateSpec'],
    external: [],
    // 12 -> 13.5 kB for the bound envelopes and the JSON limits, 13.75 kB for native Ed25519
    // with its strict fallback and the 0.5.1 call checks (docs/bundle-size.md).
    budgetKb: 13.75,
    kind: 'budget',
    note: 'loadSpec, createEd25519Verifier, validateSpec (Ed25519 + SHA-512 + SHA-256 included)',
  },
  {
    label: '@factoredui/react',
    pkg: '@factoredui/react',
    imports: '*',
    external: ['@factoredui/core', ...react],
    budgetKb: 5,
    kind: 'budget',
    note: 'whole package; core and React external',
  },
  {
    label: '@factoredui/sdui-react',
    pkg: '@factoredui/sdui-react',
    imports: '*',
    external: ['@factoredui/core', '@factoredui/react', ...react],
    budgetKb: 10,
    kind: 'budget',
    note: 'whole package (renderer + 20-primitive registry); core, react bindings and React external',
  },
  {
    label: '@factoredui/react/spec',
    pkg: '@factoredui/react/spec',
    imports: '*',
    external: ['@factoredui/core', ...react],
    budgetKb: 3,
    kind: 'budget',
    note: 'the SDUI renderer shared by sdui-react and react-native (moved out of sdui-react); core and React external',
  },
  {
    label: '@factoredui/react-native',
    pkg: '@factoredui/react-native',
    imports: '*',
    external: ['@factoredui/core', '@factoredui/react', 'react-native', ...react],
    // 11.9 kB at its introduction, of which about 4 kB is @noble/hashes' SHA-256 + SHA-512
    // (Hermes has no WebCrypto; see the package README, "Spec verification on Hermes").
    budgetKb: 13,
    kind: 'budget',
    note: 'whole package (adapter, path views, 20 native primitives, Hermes hashes); core, react bindings and shared renderer, React and React Native external',
  },
  {
    label: '@growthbook/growthbook — GrowthBook client',
    pkg: '@growthbook/growthbook',
    imports: ['GrowthBook'],
    external: [],
    kind: 'peer',
    note: 'peer of the flag client (`GrowthBook` class only)',
  },
  {
    label: '@openfeature/web-sdk — OpenFeature',
    pkg: '@openfeature/web-sdk',
    imports: ['OpenFeature'],
    external: [],
    kind: 'peer',
    note: 'peer API for flags (the SDK alone, no provider)',
  },
  {
    label: 'posthog-js — PostHog',
    pkg: 'posthog-js',
    imports: ['default'],
    external: [],
    kind: 'peer',
    note: 'peer of capture (default export: the browser SDK with autocapture)',
  },
  {
    label: 'core capture + flag client, from sources',
    pkg: '@factoredui/core',
    imports: ['initCapture', 'createWebAdapter', 'createFlagClient'],
    external: [],
    kind: 'breakdown',
    from: 'src',
    note: 'the budget row if bundlers could drop unused modules of core one by one',
  },
  {
    label: 'core SDUI load + verify, from sources',
    pkg: '@factoredui/core',
    imports: ['loadSpec', 'createEd25519Verifier', 'validateSpec'],
    external: [],
    kind: 'breakdown',
    from: 'src',
    note: 'likewise',
  },
  {
    label: 'initCapture (with the default web adapter)',
    pkg: '@factoredui/core',
    imports: ['initCapture'],
    external: [],
    kind: 'breakdown',
    from: 'src',
    note: 'capture alone',
  },
  {
    label: 'createFlagClient',
    pkg: '@factoredui/core',
    imports: ['createFlagClient'],
    external: [],
    kind: 'breakdown',
    from: 'src',
    note: 'flag client alone (bucketing, targeting, version compare)',
  },
  {
    label: 'lazy chunk: 0.5.1 offline-queue drain',
    pkg: '@factoredui/core',
    imports: [],
    code: "export { convertLegacyQueue } from './dist/legacy/offline-queue.js';\n",
    external: [],
    kind: 'breakdown',
    note: 'loaded by the event writer with import() only when a 0.5.1 queue (factoredui:offline_queue) exists; measured with the capture modules it shares, not in the capture entry',
  },
  {
    label: 'validateSpec',
    pkg: '@factoredui/core',
    imports: ['validateSpec'],
    external: [],
    kind: 'breakdown',
    from: 'src',
    note: 'the spec validator alone (per-type prop tables)',
  },
  {
    label: 'createEd25519Verifier',
    pkg: '@factoredui/core',
    imports: ['createEd25519Verifier'],
    external: [],
    kind: 'breakdown',
    from: 'src',
    note: 'verifier alone, with its crypto',
  },
  {
    label: 'crypto floor: @noble/ed25519 verifyAsync + @noble/hashes sha256, sha512',
    pkg: '@noble/ed25519',
    imports: [],
    code: "import * as ed from '@noble/ed25519';\nimport { sha256, sha512 } from '@noble/hashes/sha2.js';\nexport { sha256, sha512 };\nexport const verify = ed.verifyAsync;\n",
    external: [],
    kind: 'breakdown',
    note: 'what the verifier must ship when hashing in JavaScript',
  },
  {
    label: 'crypto floor with WebCrypto hashing: @noble/ed25519 verifyAsync alone',
    pkg: '@noble/ed25519',
    imports: [],
    code: "import * as ed from '@noble/ed25519';\nexport const verify = ed.verifyAsync;\n",
    external: [],
    kind: 'breakdown',
    note: 'verifyAsync hashes with crypto.subtle SHA-512; SHA-256 also from crypto.subtle',
  },
];

/** The measured outcome of one entry. */
interface Measured {
  entry: Entry;
  version: string;
  minified: number;
  gzipped: number;
  /** Largest inputs by minified bytes in the output, for finding what is big. */
  top: { path: string; bytes: number }[];
}

function packageVersion(pkg: string): string {
  const pkgJson = join(packageDir(pkg), 'package.json');
  return (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
}

/** The package's folder, resolved from the workspace root like a consumer would. */
function packageDir(pkg: string): string {
  if (pkg.startsWith('@factoredui/'))
    return join(root, 'packages', pkg.slice('@factoredui/'.length).split('/')[0]!);
  // Peers: resolve the package.json through the root's node_modules.
  let dir = requireFromRoot.resolve(pkg);
  while (!existsSync(join(dir, 'package.json')) || !isPackageRoot(dir, pkg)) {
    const parent = join(dir, '..');
    if (parent === dir) throw new Error(`Cannot find the package folder of ${pkg}.`);
    dir = parent;
  }
  return dir;
}

function cryptoVersions(): string {
  const v = (name: string): string =>
    (
      JSON.parse(
        readFileSync(join(root, 'packages', 'core', 'node_modules', name, 'package.json'), 'utf8'),
      ) as { version: string }
    ).version;
  return `${v('@noble/ed25519')}, ${v('@noble/hashes')}`;
}

function isPackageRoot(dir: string, pkg: string): boolean {
  try {
    return (
      (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name ===
      pkg
    );
  } catch {
    return false;
  }
}

function entrySource(entry: Entry): string {
  if (entry.code !== undefined) return entry.code;
  if (entry.imports === '*') return `export * from '${entry.pkg}';\n`;
  const names = entry.imports.map((name) => (name === 'default' ? 'default as _default' : name));
  return `export { ${names.join(', ')} } from '${entry.pkg}';\n`;
}

/**
 * Resolves `@factoredui/<name>` to the package's built ESM entry (what `exports` maps `import`
 * to), so our packages are measured as published; externals stay external.
 */
function workspacePackages(external: string[], from: 'dist' | 'src'): Plugin {
  return {
    name: 'factoredui-workspace',
    setup(b) {
      // `@factoredui/<name>` and its subpath entries (`@factoredui/react/spec` → dist/spec.js).
      b.onResolve({ filter: /^@factoredui\/[^/]+(\/[^/]+)?$/ }, (args) => {
        const [, name, sub] = /^(@factoredui\/[^/]+)(?:\/([^/]+))?$/.exec(args.path)!;
        if (external.includes(args.path) || external.includes(name!))
          return { path: args.path, external: true };
        if (from === 'src')
          return {
            path: sub
              ? join(packageDir(args.path), 'src', sub, 'index.ts')
              : join(packageDir(args.path), 'src', 'index.ts'),
          };
        const dist = join(packageDir(args.path), 'dist', `${sub ?? 'index'}.js`);
        if (!existsSync(dist))
          throw new Error(
            `${args.path} is not built: run \`pnpm build\` (or \`pnpm size\`) first.`,
          );
        return { path: dist };
      });
    },
  };
}

/**
 * Modules our code loads with `import()` only when needed: every bundler that splits code
 * (Vite, webpack, Next.js, Rollup) puts them in a chunk of their own that a page fetches only
 * then, so they are left out of the entries and measured on their own rows. esbuild without
 * splitting would inline them. `lazy` is the specifier as the importing module writes it.
 */
const LAZY_CHUNKS = [
  // The 0.5.1 offline-queue drain: fetched only when `factoredui:offline_queue` exists.
  { lazy: '../legacy/offline-queue.js', importer: /capture[\\/]writer\.(js|ts)$/ },
];

const lazyChunks: Plugin = {
  name: 'factoredui-lazy-chunks',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/legacy\/offline-queue\.js$/ }, (args) =>
      LAZY_CHUNKS.some((c) => c.lazy === args.path && c.importer.test(args.importer))
        ? { path: args.path, external: true }
        : undefined,
    );
  },
};

async function measure(entry: Entry): Promise<Measured> {
  const result = await build({
    stdin: {
      contents: entrySource(entry),
      // Resolve peers and crypto from a package that depends on them, like a consumer would.
      resolveDir: entry.code === undefined ? root : join(root, 'packages', 'core'),
      sourcefile: 'entry.mjs',
      loader: 'js',
    },
    absWorkingDir: root,
    plugins: [workspacePackages(entry.external, entry.from ?? 'dist'), lazyChunks],
    bundle: true,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: entry.external,
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'none',
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return {
    entry,
    version:
      entry.code === undefined || entry.pkg.startsWith('@factoredui/')
        ? packageVersion(entry.pkg)
        : cryptoVersions(),
    minified: code.length,
    gzipped: gzipSync(code, { level: 9 }).length,
    top: topInputs(result.metafile),
  };
}

/** The inputs contributing most minified bytes, grouped by package (or file for ours). */
function topInputs(metafile: Metafile): { path: string; bytes: number }[] {
  const byGroup = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const group = groupOf(path);
      byGroup.set(group, (byGroup.get(group) ?? 0) + bytesInOutput);
    }
  }
  return [...byGroup.entries()]
    .map(([path, bytes]) => ({ path, bytes }))
    .filter((x) => x.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 5);
}

function groupOf(path: string): string {
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path);
  }
  const pkg = /packages\/([^/]+)\//.exec(path);
  if (pkg) return `@factoredui/${pkg[1]} (${path.slice(path.indexOf(pkg[0]) + pkg[0].length)})`;
  return path;
}

const kb = (bytes: number): string => (bytes / 1024).toFixed(2);

function report(results: Measured[]): string {
  const ours = results.filter((r) => r.entry.kind === 'budget');
  const peers = results.filter((r) => r.entry.kind === 'peer');
  const parts = results.filter((r) => r.entry.kind === 'breakdown');
  const byLabel = (label: string): number =>
    results.find((r) => r.entry.label === label)?.gzipped ?? Number.NaN;
  const esbuildVersion = packageVersion('esbuild');
  const lines = [
    '# Bundle size',
    '',
    '<!-- Generated by `pnpm size` (scripts/size.ts). Do not edit by hand. -->',
    '',
    `Measured with esbuild ${esbuildVersion} for every row alike: an entry re-exporting only the`,
    'named imports, bundled as ESM for the browser (`target: es2022`), minified and tree-shaken,',
    '`process.env.NODE_ENV = "production"`, then gzip level 9. 1 kB = 1024 bytes. Our packages are',
    'measured from their built `dist/` as published. CI fails when a budget is exceeded.',
    '',
    '## Budgets',
    '',
    '| entry | version | imports | min | min+gzip | budget | status |',
    '| --- | --- | --- | ---: | ---: | ---: | --- |',
  ];
  for (const r of ours) {
    const over = r.gzipped > (r.entry.budgetKb ?? 0) * 1024;
    lines.push(
      `| ${r.entry.label} | ${r.version} | ${r.entry.note} | ${kb(r.minified)} kB | ${kb(r.gzipped)} kB | ${r.entry.budgetKb} kB | ${over ? '**over**' : 'ok'} |`,
    );
  }
  lines.push(
    '',
    '## Peers, measured the same way',
    '',
    '| package | version | imports | min | min+gzip |',
    '| --- | --- | --- | ---: | ---: |',
  );
  for (const r of peers)
    lines.push(
      `| ${r.entry.label} | ${r.version} | ${r.entry.note} | ${kb(r.minified)} kB | ${kb(r.gzipped)} kB |`,
    );
  const capture = ours[0];
  const growthbook = peers.find((r) => r.entry.pkg === '@growthbook/growthbook');
  const posthog = peers.find((r) => r.entry.pkg === 'posthog-js');
  if (capture && growthbook && posthog) {
    lines.push(
      '',
      `Capture + flag client together are ${(capture.gzipped / growthbook.gzipped).toFixed(2)}× the size of the`,
      `GrowthBook client alone and ${(capture.gzipped / posthog.gzipped).toFixed(2)}× the size of posthog-js.`,
    );
  }
  lines.push(
    '',
    '## What is big',
    '',
    'The largest contributors to each of our entries (minified bytes in the output, before gzip):',
    '',
  );
  for (const r of ours) {
    lines.push(
      `- **${r.entry.label}:** ${r.top.map((t) => `${t.path} ${kb(t.bytes)} kB`).join('; ')}`,
    );
  }
  lines.push(
    '',
    '## Breakdown',
    '',
    'Parts of our entries measured alone, with the same settings, to explain the totals.',
    '',
    '| part | version | what | min | min+gzip |',
    '| --- | --- | --- | ---: | ---: |',
  );
  for (const r of parts)
    lines.push(
      `| ${r.entry.label} | ${r.version} | ${r.entry.note} | ${kb(r.minified)} kB | ${kb(r.gzipped)} kB |`,
    );
  const fullCrypto = byLabel(
    'crypto floor: @noble/ed25519 verifyAsync + @noble/hashes sha256, sha512',
  );
  const webCrypto = byLabel(
    'crypto floor with WebCrypto hashing: @noble/ed25519 verifyAsync alone',
  );
  lines.push(
    '',
    'How to read it:',
    '',
    `- **Published build vs sources.** The same imports cost ${kb(ours[0]?.gzipped ?? 0)} kB / ${kb(ours[1]?.gzipped ?? 0)} kB from \`dist\``,
    `  and ${kb(byLabel('core capture + flag client, from sources'))} kB / ${kb(byLabel('core SDUI load + verify, from sources'))} kB from the sources: core's ESM build is published`,
    '  one file per module with `sideEffects: false`, so bundlers drop every module an app does not import.',
    `- **Verification crypto.** Ed25519 verification plus SHA-256 and SHA-512 in JavaScript weigh ${kb(fullCrypto)} kB;`,
    `  hashing with WebCrypto (\`crypto.subtle.digest\`, which \`@noble/ed25519\`'s \`verifyAsync\` uses by default) leaves ${kb(webCrypto)} kB,`,
    `  saving ${kb(fullCrypto - webCrypto)} kB on the SDUI path; the verifier checks signatures with WebCrypto's Ed25519 where the platform has it`,
    "  (else noble's point arithmetic, hashing with WebCrypto) and the signer (server, CLI) keeps `@noble/hashes`.",
    '',
    '## Budget changes',
    '',
    '- **core capture + flag client: 12 kB -> 12.5 kB.** After dropping `uuid` (a 60-line UUIDv7/v4 on',
    '  `crypto.getRandomValues`), importing factor names instead of the catalog, and publishing core',
    '  unbundled, the path measured 12.23 kB, all of it code that runs: the web adapter and its rage, dead',
    '  and scroll-reversal detectors, the durable event writer (backoff, persisted queue, keepalive flush),',
    '  the flag client (local evaluation, targeting with version comparison, exposure dedup) and the murmur3',
    "  hash. Reaching 12 kB would mean cutting features or the messages that say what to do; GrowthBook's",
    '  client alone measures 14.2 kB here.',
    '- **core capture + flag client: 12.5 kB -> 13.25 kB; SDUI load + verify: 12 kB -> 13.5 kB.** Input',
    '  limits (DESIGN §15): `measureJson` sizes JSON exactly as PostgreSQL stores it and measures depth',
    '  without recursion, so the browser refuses what the database would refuse (an event the store',
    '  rejects would otherwise sit in the queue) and a 10,000-deep value never reaches a recursive walk',
    '  (about 0.7 kB). Bound spec envelopes: the signed slot and version, the unbound-envelope and',
    '  version-label checks and the rollback floor taken from the signed version (about 0.6 kB more on',
    '  the SDUI path). Measured 13.00 kB and 13.18 kB; the new budgets keep about 0.3 kB of headroom.',
    '- **core capture + flag client: 13.25 kB -> 16.25 kB.** Durable capture (issue 17) measured 12.31 ->',
    '  15.38 kB gzipped on its own (30.8 -> 39.1 kB minified). The new modules, minified: tab ownership (Web Locks,',
    '  lease with heartbeat, registry) 2.0 kB, chunked per-tab persistence with the 0.x reader 2.5 kB,',
    '  the keeper (commits within 100 ms, adoption, full storage) 1.9 kB, the byte-bounded queue 1.5 kB,',
    '  the transport with a timeout on every store call 1.4 kB; the writer that wires them grew 0.2 kB. Each',
    '  closes a way events were lost (a crashed tab, a hung store call, a hard crash, a full storage);',
    '  none can be dropped without reopening one. With the input limits above, the path measures 16.11 kB.',
    '- **core capture + flag client: 16.25 kB -> 16.5 kB.** Compiled targeting (issue 18): rules are',
    '  normalized once per experiment, versions pre-parsed and outcomes remembered per user value, which',
    '  makes a targeted flag decision cost 1.1-1.6x an untargeted one instead of 5-11x (flags bench).',
    '  About 0.6 kB minified (0.3 kB gzipped) after sharing the metadata reader with `readMetadataField`;',
    '  measured 16.42 kB.',
    '- **The shared SDUI renderer (issue 23).** The renderer-agnostic part of `@factoredui/sdui-react`',
    '  moved to `@factoredui/react/spec` (budget 3 kB) so `@factoredui/react-native` renders specs with',
    '  the same code; `useSpec` and `useSourceData` moved to `@factoredui/react`. Measured at the move:',
    '  sdui-react 9.35 -> 7.08 kB, react/spec 2.08 kB, react 3.23 -> 3.91 kB: a DOM app with SDUI',
    '  carries 12.58 kB of these before and 13.07 kB after (+0.5 kB: the host interface, and two',
    '  entries compressed apart). No budget grew. `@factoredui/react-native` gets 13 kB (11.88 kB, about',
    "  4 kB of it `@noble/hashes`' SHA-256 and SHA-512 for Hermes, which has no WebCrypto).",
    '- **core capture + flag client: 16.5 kB -> 17 kB.** Custom events (issue 19):',
    '  `track(name, properties)` validates the name (pattern, length, not a built-in type) and every',
    '  property (finite number, name, count) in the browser, with messages that say what to do, so a bad',
    '  `track` call throws where it is made instead of poisoning the queue with a batch every store',
    '  refuses. +0.43 kB on their own.',
    '- **core capture + flag client: 17 kB -> 17.25 kB; SDUI load + verify: 13.5 kB -> 13.75 kB.** The',
    '  0.5.1 upgrade (issue 21): a 0.5.1 call shape throws `legacy_call` naming the new form instead of',
    '  failing later or silently (+0.13 kB capture + flag, +0.36 kB SDUI, short fixed messages in these',
    '  paths), on top of native WebCrypto Ed25519 with its strict noble fallback and an own RFC 8785',
    '  serializer (issue 18, SDUI +0.12 kB) and the service input limits (issue 15, +0.09 kB). All',
    '  merged, the paths measure 17.11 kB and 13.68 kB.',
    '- **core capture + flag client: 17.25 kB -> 17.35 kB.** Draining the 0.5.1 offline queue (issue',
    '  21): at start the event writer reads `factoredui:offline_queue` and, only when it exists, loads',
    '  the converter with `import()`, a lazy chunk that code-splitting bundlers fetch only then (its',
    '  own row above; left out of the entries). What stays in the entry (the read, the import, the',
    '  user lookup, making the events durable before removing the key) is +0.14 kB; refusing the',
    '  positional 0.5.1 `createSessionManager(store, …)` with `legacy_call` +0.04 kB: 17.29 kB.',
    '- **core capture + flag client: 17.35 kB -> 17.75 kB.** Layers and the holdout (issue 19): the flag',
    '  client decides them locally like the store (a layer slice and a holdout bucket per user, the',
    '  holdout loaded with the definitions and serialized for SSR), so a user outside its slice or in',
    '  the holdout never flickers into a variant the store then refuses, +0.17 kB; the lazy flag client',
    '  (issue 18: maps, sets, promise, session id and the refresh timer made on first use, definitions',
    '  indexed once per bootstrap array; 40% less heap per client, 1.2-1.5x a new GrowthBook per',
    '  request), +0.12 kB. With the offline-queue drain: 17.60 kB merged.',
  );
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const results: Measured[] = [];
  for (const entry of entries) results.push(await measure(entry));
  if (args.has('--json')) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  const docPath = join(root, 'docs', 'bundle-size.md');
  const next = report(results);
  let failed = false;
  if (args.has('--check')) {
    const committed = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '';
    if (committed !== next) {
      failed = true;
      const before = new Set(committed.split('\n'));
      const changed = next.split('\n').filter((line) => !before.has(line));
      process.stderr.write(
        `size: docs/bundle-size.md is out of date; run \`pnpm size\` and commit it. Lines that differ:\n${changed.map((line) => `  + ${line}`).join('\n')}\n`,
      );
    }
  } else if (!args.has('--no-write')) {
    writeFileSync(docPath, next);
  }
  for (const r of results) {
    const budget = r.entry.budgetKb;
    const status = budget === undefined ? r.entry.kind : r.gzipped <= budget * 1024 ? 'ok' : 'OVER';
    if (status === 'OVER') failed = true;
    process.stderr.write(
      `size: ${r.entry.label.slice(0, 60).padEnd(60)} ${kb(r.gzipped).padStart(7)} kB${budget === undefined ? '' : ` / ${budget} kB`}  ${status}\n`,
    );
  }
  if (failed) {
    process.stderr.write('size: over budget (see docs/bundle-size.md, "What is big")\n');
    process.exitCode = 1;
  }
}

await main();
