import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FACTOR_DOC, withFactorCatalog } from '../../../../scripts/docs-factor-catalog.js';

describe('docs/factors.md', () => {
  it('has the catalog table generated from FACTOR_CATALOG (run npx tsx scripts/docs-factor-catalog.ts)', () => {
    const doc = readFileSync(FACTOR_DOC, 'utf8');
    expect(withFactorCatalog(doc)).toBe(doc);
  });
});
