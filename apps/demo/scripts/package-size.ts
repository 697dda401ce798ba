/**
 * Measures how much of the demo's production JS the FactoredUI packages account for: builds
 * the app twice with Vite's API (in memory, nothing written), once as shipped and once with
 * every `@factoredui/*` import external, and reports the gzip difference. Run after building
 * the packages: `npx tsx scripts/package-size.ts` (from apps/demo).
 */

import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Rollup } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

async function jsGzip(externalizeFactored: boolean): Promise<{ raw: number; gzip: number }> {
  const output = (await build({
    root,
    logLevel: 'silent',
    build: {
      write: false,
      sourcemap: false,
      rollupOptions: externalizeFactored ? { external: [/^@factoredui\//] } : {},
    },
  })) as Rollup.RollupOutput | Rollup.RollupOutput[];
  const outputs = Array.isArray(output) ? output : [output];
  let raw = 0;
  let gzip = 0;
  for (const out of outputs)
    for (const chunk of out.output)
      if (chunk.type === 'chunk') {
        raw += Buffer.byteLength(chunk.code);
        gzip += gzipSync(chunk.code, { level: 9 }).length;
      }
  return { raw, gzip };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
const full = await jsGzip(false);
const without = await jsGzip(true);
console.log(`demo JS, as shipped:              ${kb(full.raw)} min, ${kb(full.gzip)} gzip`);
console.log(`demo JS, @factoredui/* external:  ${kb(without.raw)} min, ${kb(without.gzip)} gzip`);
console.log(
  `FactoredUI packages in the build: ${kb(full.raw - without.raw)} min, ${kb(full.gzip - without.gzip)} gzip`,
);
