import { readFileSync } from 'node:fs';
import {
  NODE_TYPES,
  RENDERER_VERSION,
  SPEC_JSON_SCHEMA,
  TREE_RULES,
  validateSpec,
} from '@factoredui/core';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import {
  DOC_FILE,
  renderReference,
  renderSchemaFile,
  replaceReference,
  SCHEMA_FILE,
} from '../../../../scripts/docs-sdui-reference.js';
import { CORPUS } from './corpus.js';

const publishedSchema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
const schemaValidate = ajv.compile(publishedSchema);

describe('published JSON Schema', () => {
  it('is the file in the package, equal to the SPEC_JSON_SCHEMA export', () => {
    expect(publishedSchema).toEqual(SPEC_JSON_SCHEMA);
    expect(publishedSchema).toEqual(JSON.parse(renderSchemaFile()));
  });

  it('names every node type and the current renderer version', () => {
    const node = (
      publishedSchema.definitions as Record<string, { properties: { type: { enum: string[] } } }>
    ).node;
    expect(node?.properties.type.enum).toEqual([...NODE_TYPES]);
    expect(NODE_TYPES).toHaveLength(20);
    expect(
      (publishedSchema.properties as { renderer_min: { maximum: number } }).renderer_min.maximum,
    ).toBe(RENDERER_VERSION);
  });

  describe.each(CORPUS)('corpus: $name', ({ spec, errors }) => {
    const result = validateSpec(spec);
    const codes = result.errors.map((e) => e.code);

    it('validateSpec reports exactly the expected error codes', () => {
      expect([...new Set(codes)].sort()).toEqual([...new Set(errors)].sort());
      expect(result.valid).toBe(errors.length === 0);
    });

    it('the JSON Schema agrees with validateSpec (tree-wide rules aside)', () => {
      const schemaErrors = codes.filter((code) => !TREE_RULES.includes(code));
      const schemaValid = schemaValidate(spec);
      expect(
        schemaValid,
        `schema said ${schemaValid}, validator found ${schemaErrors.join(', ') || 'nothing'}; ajv: ${ajv.errorsText(schemaValidate.errors)}`,
      ).toBe(schemaErrors.length === 0);
    });
  });

  it('every error carries a JSON Pointer path into the spec', () => {
    for (const { spec } of CORPUS) {
      for (const error of validateSpec(spec).errors) {
        expect(error.path === '' || error.path.startsWith('/')).toBe(true);
        expect(error.message.length).toBeGreaterThan(10);
      }
    }
  });
});

describe('docs/sdui.md reference', () => {
  it('is generated from the published schema and lists every node type', () => {
    const doc = readFileSync(DOC_FILE, 'utf8');
    expect(doc, 'run: npx tsx scripts/docs-sdui-reference.ts').toBe(
      replaceReference(doc, renderReference(publishedSchema)),
    );
    for (const type of NODE_TYPES) expect(doc).toContain(`### \`${type}\``);
  });
});
