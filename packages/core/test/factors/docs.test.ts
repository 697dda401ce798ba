import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  FACTOR_DOC,
  normalizeMarkdown,
  withFactorCatalog,
} from '../../../../scripts/docs-factor-catalog.js';

describe('docs/factors.md', () => {
  it('has the catalog table generated from FACTOR_CATALOG (run npx tsx scripts/docs-factor-catalog.ts)', () => {
    const doc = readFileSync(FACTOR_DOC, 'utf8');
    expect(normalizeMarkdown(withFactorCatalog(doc))).toBe(normalizeMarkdown(doc));
  });
});
