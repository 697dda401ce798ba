import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const config: NextConfig = {
  // The workspace root: Next traces files from there (one lockfile for the monorepo).
  outputFileTracingRoot: fileURLToPath(new URL('../..', import.meta.url)),
  turbopack: { root: fileURLToPath(new URL('../..', import.meta.url)) },
  reactStrictMode: true,
  poweredByHeader: false,
};

export default config;
