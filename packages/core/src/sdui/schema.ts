import { BINDING_REF_SOURCE, TEMPLATE_SOURCE } from './bindings.js';
import {
  COMMON_PROPS,
  NODE_TYPE_DEFINITIONS,
  NODE_TYPES,
  type NodeTypeDefinition,
  type PropDefinition,
} from './node-types.js';
import { RENDERER_VERSION, SPEC_VERSION } from './types.js';
import { ACTION_NAME_PATTERN, NODE_ID_PATTERN } from './validate.js';

/** A JSON Schema document (draft-07), as plain JSON. */
export type JsonSchema = { [key: string]: unknown };

const ref = (name: string) => ({ $ref: `#/definitions/${name}` });

function propSchema(def: PropDefinition): JsonSchema {
  const withBinding = (literal: JsonSchema): JsonSchema => ({
    description: def.description,
    anyOf: [literal, ref('binding')],
  });
  switch (def.kind) {
    case 'text':
      return { description: def.description, ...ref('template') };
    case 'value':
      return { description: def.description, ...ref('value') };
    case 'binding':
      return { description: def.description, ...ref('binding') };
    case 'number':
      return withBinding({
        type: def.integer ? 'integer' : 'number',
        ...(def.minimum !== undefined ? { minimum: def.minimum } : {}),
      });
    case 'boolean':
      return withBinding({ type: 'boolean' });
    case 'enum':
      return withBinding({ enum: [...(def.values ?? [])] });
    case 'texts':
      return withBinding({ type: 'array', items: ref('template') });
    case 'options':
      return withBinding({
        type: 'array',
        items: {
          type: 'object',
          required: ['label', 'value'],
          properties: { label: ref('template'), value: ref('value') },
          additionalProperties: false,
        },
      });
  }
}

function typeRule(type: string, def: NodeTypeDefinition): JsonSchema {
  const props: Readonly<Record<string, PropDefinition>> = { ...def.props, ...COMMON_PROPS };
  const required = Object.keys(def.props).filter((name) => props[name]?.required);
  const then: JsonSchema = {
    description: `${type}: ${def.description}`,
    properties: {
      props: {
        type: 'object',
        properties: Object.fromEntries(
          Object.entries(props).map(([name, propDef]) => [name, propSchema(propDef)]),
        ),
        ...(required.length > 0 ? { required } : {}),
        additionalProperties: false,
      },
      ...(def.children === 'many' ? {} : { children: false }),
      ...(def.children === 'template' ? {} : { itemTemplate: false }),
    },
  };
  const requiredFields = [
    ...(required.length > 0 ? ['props'] : []),
    ...(def.children === 'template' ? ['itemTemplate'] : []),
  ];
  if (requiredFields.length > 0) then.required = requiredFields;
  return {
    if: { properties: { type: { const: type } }, required: ['type'] },
    then,
  };
}

/**
 * Builds the JSON Schema (draft-07) of the spec format from the node type catalog. It checks
 * everything `validateSpec` checks except the tree-wide rules listed in `TREE_RULES` (unique
 * ids, depth, tab label count). Published as `@factoredui/core/spec.schema.json`.
 */
export function buildSpecJsonSchema(): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://unpkg.com/@factoredui/core/src/sdui/spec.schema.json',
    title: 'FactoredUI server-driven UI spec',
    description: `A spec for renderers of version ${RENDERER_VERSION}. Strings in props are templates: {path.to.value} is a binding (dot-separated names or indices, no expressions), {{ and }} are literal braces. A prop whose whole value is a binding takes the bound value. Node ids must also be unique in the spec and nodes nest at most 20 levels deep (checked by validateSpec, not expressible here).`,
    type: 'object',
    required: ['spec_version', 'renderer_min', 'root'],
    properties: {
      $schema: { type: 'string', description: 'Schema reference for editors; ignored.' },
      spec_version: { const: SPEC_VERSION, description: 'Format version.' },
      renderer_min: {
        type: 'integer',
        minimum: 1,
        maximum: RENDERER_VERSION,
        description: 'Oldest renderer version that renders this spec correctly.',
      },
      root: ref('node'),
    },
    additionalProperties: false,
    definitions: {
      binding: {
        type: 'string',
        pattern: BINDING_REF_SOURCE,
        description: 'A whole-value binding: {path.to.value}.',
      },
      template: {
        type: 'string',
        pattern: TEMPLATE_SOURCE,
        description: 'Text with inline {bindings}; {{ and }} are literal braces.',
      },
      value: {
        description: 'Any JSON value; strings inside it are templates.',
        anyOf: [
          ref('template'),
          { type: ['number', 'boolean', 'null'] },
          { type: 'array', items: ref('value') },
          { type: 'object', additionalProperties: ref('value') },
        ],
      },
      action: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string', pattern: ACTION_NAME_PATTERN.source },
          params: { type: 'object', additionalProperties: ref('value') },
        },
        additionalProperties: false,
        description: 'A named action the host handles; params are resolved against the scope.',
      },
      node: {
        type: 'object',
        required: ['id', 'type'],
        properties: {
          id: {
            type: 'string',
            pattern: NODE_ID_PATTERN.source,
            description: 'Unique node id; names the node in component paths.',
          },
          type: { enum: [...NODE_TYPES] },
          props: { type: 'object' },
          children: { type: 'array', items: ref('node') },
          itemTemplate: ref('node'),
          visible: {
            description: 'Shown when true or when the binding resolves to a truthy value.',
            anyOf: [{ type: 'boolean' }, ref('binding')],
          },
          action: ref('action'),
        },
        additionalProperties: false,
        allOf: NODE_TYPES.map((type) => typeRule(type, NODE_TYPE_DEFINITIONS[type])),
      },
    },
  };
}

/**
 * The JSON Schema of the spec format (draft-07): give it to editors (`"$schema"`), form
 * builders or an LLM's structured output. Equal to the published
 * `@factoredui/core/spec.schema.json`.
 */
export const SPEC_JSON_SCHEMA: JsonSchema = /* @__PURE__ */ buildSpecJsonSchema();
