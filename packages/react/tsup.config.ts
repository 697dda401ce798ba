import { packageBuild } from '../../tsup.base';

// Hooks and context only work in client components: mark the bundle for React Server
// Components frameworks (Next.js App Router), which may then import it from server files.
// Rollup's tree-shaking pass would strip the directive; esbuild's own bundling keeps it.
export default packageBuild(
  { index: 'src/index.ts', spec: 'src/spec/index.ts' },
  { banner: { js: "'use client';" }, treeshake: false, splitting: false },
);
