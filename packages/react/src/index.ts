/** Placeholder entry until the package is built out. */
export const PACKAGE_NAME = '@factoredui/react';
