import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The FactoredUI packages the demo uses, by name, with their source entry points. */
const PACKAGES = ['core', 'store-memory', 'store-supabase', 'react', 'sdui-react'];

const sourceOf = (name: string) =>
  fileURLToPath(new URL(`../../packages/${name}/src/index.ts`, import.meta.url));

export default defineConfig(({ command, isPreview }) => ({
  plugins: [react()],
  resolve: {
    // `vite` (dev) serves the packages from their sources: nothing to build first, and an edit
    // to a package reloads the page like an edit to the demo. `vite build` (and `preview`)
    // uses the built packages, as an app that installs them would.
    alias:
      command === 'serve' && !isPreview
        ? PACKAGES.map((name) => ({
            find: new RegExp(`^@factoredui/${name}$`),
            replacement: sourceOf(name),
          }))
        : [],
  },
  server: { port: 5173, strictPort: false },
  preview: { port: 4173, strictPort: false },
  build: { sourcemap: true },
}));
