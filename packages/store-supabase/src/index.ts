/** Placeholder entry until the package is built out. */
export const PACKAGE_NAME = '@factoredui/store-supabase';
export * from './supabase-js/index.js';
