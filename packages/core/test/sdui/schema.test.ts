import { readFileSync } from 'node:fs';
import {
  NODE_TYPES,
  RENDERER_VERSION,
  SPEC_JSON_SCHEMA,
  TREE_RULES,
  validateSpec,
} from '@factoredui/core';
import Ajv from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DOC_FILE,
  renderReference,
  renderSchemaFile,
  replaceReference,
  SCHEMA_FILE,
} from '../../../../scripts/docs-sdui-reference.js';
import { CORPUS, EVERY_TYPE_SPEC } from './corpus.js';

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

describe('JSON Schema and validateSpec agree on random mutations', () => {
  type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

  /** Every path (list of keys) to a value inside `value`. */
  function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
    const out: (string | number)[][] = [prefix];
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) out.push(...paths(item, [...prefix, i]));
    } else if (value !== null && typeof value === 'object')
      for (const [key, item] of Object.entries(value)) out.push(...paths(item, [...prefix, key]));
    return out;
  }

  function mutate(
    spec: Json,
    path: (string | number)[],
    op: number,
    replacement: Json,
    key: string,
  ): Json {
    const copy = structuredClone(spec);
    if (path.length === 0) return op === 0 ? replacement : copy;
    const parent = path
      .slice(0, -1)
      .reduce<Json>((node, k) => (node as Record<string, Json>)[k] as Json, copy);
    const last = path[path.length - 1] as string | number;
    const container = parent as Record<string | number, Json>;
    if (op === 0) container[last] = replacement;
    else if (op === 1) {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete container[last];
    } else if (!Array.isArray(parent)) container[key] = replacement;
    return copy;
  }

  const interesting = fc.oneof(
    fc.jsonValue() as fc.Arbitrary<Json>,
    fc.constantFrom<Json>(
      '{a.b}',
      '{a + b}',
      'x {y} z',
      '{{',
      '}',
      '',
      'text',
      'a/b',
      -1,
      0,
      1.5,
      2,
      true,
      [],
      {},
    ),
    fc.constantFrom<Json>(...(NODE_TYPES as readonly string[])),
  );
  const keys = fc.constantFrom(
    'id',
    'type',
    'props',
    'children',
    'itemTemplate',
    'visible',
    'action',
    'name',
    'params',
    'label',
    'content',
    'data',
    'extra',
  );

  it('gives the same verdict (tree-wide rules aside)', () => {
    const base = EVERY_TYPE_SPEC as unknown as Json;
    const allPaths = paths(base);
    fc.assert(
      fc.property(
        fc.nat({ max: allPaths.length - 1 }),
        fc.nat({ max: 2 }),
        interesting,
        keys,
        (index, op, replacement, key) => {
          const spec = mutate(base, allPaths[index] as (string | number)[], op, replacement, key);
          const codes = validateSpec(spec)
            .errors.map((e) => e.code)
            .filter((c) => !TREE_RULES.includes(c));
          const schemaValid = schemaValidate(spec);
          if (schemaValid !== (codes.length === 0)) {
            throw new Error(
              `disagreement at ${JSON.stringify(allPaths[index])} (op ${op}, ${JSON.stringify(replacement)}, key ${key}): schema ${schemaValid}, validator ${codes.join(', ')}; ajv: ${ajv.errorsText(schemaValidate.errors)}`,
            );
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
