import { packageBuild } from '../../tsup.base';

// `shims` gives the CommonJS build an `import.meta.url`, which `migrate` uses to find the
// shipped `supabase/` folder.
// `cli` is the `factoredui` bin: its source starts with a `#!/usr/bin/env node` line, which
// esbuild keeps at the top of dist/cli.js (and tsup marks the file executable).
export default packageBuild(
  { index: 'src/index.ts', migrate: 'src/migrate.ts', cli: 'src/cli/index.ts' },
  { shims: true },
);
