import { packageBuild } from '../../tsup.base';

// Hooks and context only work in client components: mark the bundle for React Server
// Components frameworks (as @factoredui/react does). esbuild's own bundling keeps the directive.
export default packageBuild(
  { index: 'src/index.ts' },
  { banner: { js: "'use client';" }, treeshake: false, splitting: false },
);
