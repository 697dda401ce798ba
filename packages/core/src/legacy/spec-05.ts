import { FactoredError } from '../errors.js';
import { RENDERER_VERSION, SPEC_VERSION, type Spec, type SpecNode } from '../sdui/types.js';
import { NODE_ID_PATTERN } from '../sdui/validate.js';
import type { JsonObject, JsonValue } from '../util/json.js';

/** Result of {@link convertSpecFrom05}. */
export interface ConvertedSpec {
  /** The spec in the current format (check it with `validateSpec` before signing). */
  spec: Spec;
  /**
   * What could not be carried over exactly, one line per case, with the node path
   * (`root.children[1]`): props without a counterpart, values that were approximated, labels
   * that were filled in. Empty when the conversion is exact.
   */
  warnings: string[];
}

type Json = JsonValue;
type Props = Record<string, Json>;

const isRecord = (value: unknown): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** 0.5 `variant` values of text that were renamed. */
const TEXT_VARIANTS: Record<string, string> = {
  heading: 'heading',
  subheading: 'subtitle',
  body: 'body',
  caption: 'caption',
  label: 'label',
};
const BUTTON_VARIANTS: Record<string, string> = {
  primary: 'primary',
  secondary: 'secondary',
  outline: 'tertiary',
  ghost: 'link',
  destructive: 'danger',
};
const TEXT_ALIGN: Record<string, string> = { left: 'start', center: 'center', right: 'end' };
const JUSTIFY: Record<string, string> = {
  start: 'start',
  center: 'center',
  end: 'end',
  between: 'space-between',
  around: 'space-around',
};
const LAYOUT = new Set(['column', 'row', 'stack']);

const isBinding = (value: Json | undefined): value is string =>
  typeof value === 'string' && /^\{[^{}]+\}$/.test(value);

class Converter {
  readonly warnings: string[] = [];
  private readonly ids = new Set<string>();
  private counter = 0;

  warn(at: string, message: string): void {
    this.warnings.push(`${at}: ${message}`);
  }

  id(value: Json | undefined, at: string): string {
    let id = typeof value === 'string' && NODE_ID_PATTERN.test(value) ? value : '';
    if (!id) {
      const base =
        typeof value === 'string'
          ? value.replace(/[^A-Za-z0-9_.:-]/g, '-').replace(/^[^A-Za-z0-9]+/, '')
          : '';
      id = (base || 'node').slice(0, 56);
      this.warn(
        at,
        `id ${JSON.stringify(value ?? null)} is not a valid node id; renamed to "${id}".`,
      );
    }
    while (this.ids.has(id)) {
      this.counter += 1;
      id = `${id.replace(/-\d+$/, '')}-${this.counter}`;
    }
    this.ids.add(id);
    return id;
  }

  action(value: Json | undefined, at: string): JsonObject | undefined {
    if (value === undefined || value === null) return undefined;
    if (!isRecord(value)) {
      this.warn(at, 'action is not an object { action, params }; dropped.');
      return undefined;
    }
    const name = value.name ?? value.action;
    if (typeof name !== 'string') {
      this.warn(at, 'action has no name; dropped.');
      return undefined;
    }
    return isRecord(value.params) ? { name, params: value.params } : { name };
  }

  /** Moves `from` to `to` in props, optionally mapping the value; warns on an unknown value. */
  rename(
    props: Props,
    out: Props,
    from: string,
    to: string,
    at: string,
    map?: Record<string, string>,
  ): void {
    const value = props[from];
    if (value === undefined) return;
    if (map && typeof value === 'string' && !isBinding(value)) {
      const mapped = map[value];
      if (mapped === undefined) {
        this.warn(at, `${from} "${value}" has no counterpart; dropped.`);
        return;
      }
      if (mapped !== value) this.warn(at, `${from} "${value}" became ${to} "${mapped}".`);
      out[to] = mapped;
      return;
    }
    out[to] = value;
  }

  drop(props: Props, names: readonly string[], at: string, why: string): void {
    for (const name of names) {
      if (props[name] !== undefined) this.warn(at, `prop ${name} dropped (${why}).`);
    }
  }

  /** A required text prop that 0.5 did not require: taken from `fallbacks`, else the node id. */
  required(
    out: Props,
    name: string,
    fallbacks: readonly (Json | undefined)[],
    id: string,
    at: string,
  ): void {
    if (typeof out[name] === 'string') return;
    const found = fallbacks.find((v): v is string => typeof v === 'string' && v.length > 0);
    out[name] = found ?? id;
    this.warn(at, `${name} is required now; set to ${JSON.stringify(out[name])}, review it.`);
  }

  node(value: Json | undefined, at: string, depth: number): SpecNode {
    if (!isRecord(value)) {
      throw new FactoredError(
        'invalid_input',
        `${at} is not a 0.5 spec node (an object with id and type).`,
        {
          details: { path: at },
        },
      );
    }
    if (depth > 40) {
      throw new FactoredError(
        'invalid_input',
        `${at}: the 0.5 spec is nested deeper than 40 nodes.`,
      );
    }
    const type = value.type;
    if (typeof type !== 'string') {
      throw new FactoredError('invalid_input', `${at} has no type.`, { details: { path: at } });
    }
    const id = this.id(value.id, at);
    const props: Props = isRecord(value.props) ? value.props : {};
    const out: Props = {};
    const node: Record<string, Json> = { id, type };
    let itemTemplate: SpecNode | undefined;
    let action = this.action(value.action, at);
    for (const common of ['accessibilityLabel', 'testId']) {
      if (props[common] !== undefined) out[common] = props[common];
    }

    if (LAYOUT.has(type)) {
      for (const p of ['gap', 'align']) this.rename(props, out, p, p, at);
      if (type === 'stack') {
        if (out.gap !== undefined) {
          this.warn(at, 'prop gap dropped (a stack layers its children).');
          delete out.gap;
        }
      } else {
        this.rename(props, out, 'justify', 'justify', at, JUSTIFY);
        if (Array.isArray(props.padding)) {
          const first = props.padding[0];
          if (typeof first === 'number') out.padding = first;
          this.warn(at, 'padding [top, right, bottom, left] became one number (the top value).');
        } else this.rename(props, out, 'padding', 'padding', at);
      }
      if (props.direction !== undefined && props.direction !== type) {
        this.warn(
          at,
          `prop direction "${String(props.direction)}" dropped (the node type decides).`,
        );
      }
      this.drop(props, ['flex'], at, 'no flex layout in this renderer');
    } else
      switch (type) {
        case 'scrollview':
          if (props.horizontal === true) out.direction = 'horizontal';
          break;
        case 'grid':
          this.rename(props, out, 'columns', 'columns', at);
          this.rename(props, out, 'gap', 'gap', at);
          break;
        case 'text':
          this.rename(props, out, 'value', 'content', at);
          this.rename(props, out, 'content', 'content', at);
          if (typeof out.content !== 'string') {
            out.content = '';
            this.warn(at, 'text without a value; content set to "".');
          }
          this.rename(props, out, 'variant', 'variant', at, TEXT_VARIANTS);
          this.rename(props, out, 'align', 'align', at, TEXT_ALIGN);
          this.rename(props, out, 'numberOfLines', 'maxLines', at);
          this.drop(props, ['color', 'bold'], at, 'use variant and tone from the theme');
          break;
        case 'image':
          this.rename(props, out, 'source', 'src', at);
          this.rename(props, out, 'alt', 'alt', at);
          this.rename(props, out, 'fit', 'fit', at);
          if (typeof out.alt !== 'string') {
            out.alt = '';
            this.warn(at, 'alt is required now; set to "" (decorative), review it.');
          }
          this.drop(props, ['aspectRatio'], at, 'set width and height');
          break;
        case 'icon':
          this.rename(props, out, 'name', 'name', at);
          this.rename(props, out, 'size', 'size', at);
          this.drop(props, ['color'], at, 'icons take the theme color');
          break;
        case 'divider':
          this.rename(props, out, 'orientation', 'orientation', at);
          break;
        case 'spacer':
          this.rename(props, out, 'size', 'size', at);
          this.drop(props, ['flex'], at, 'no flex layout in this renderer');
          break;
        case 'textinput':
          this.rename(props, out, 'placeholder', 'placeholder', at);
          this.rename(props, out, 'value', 'value', at);
          this.required(out, 'label', [props.label, props.placeholder], id, at);
          if (props.submitAction !== undefined) {
            const submit = this.action(props.submitAction, at);
            if (submit && !action) {
              action = submit;
              this.warn(at, 'submitAction became the node action.');
            }
          }
          this.drop(props, ['multiline', 'maxLength'], at, 'no counterpart');
          break;
        case 'button':
          this.rename(props, out, 'label', 'label', at);
          this.required(out, 'label', [], id, at);
          this.rename(props, out, 'variant', 'variant', at, BUTTON_VARIANTS);
          this.rename(props, out, 'disabled', 'disabled', at);
          this.drop(props, ['size', 'icon'], at, 'no counterpart');
          break;
        case 'toggle':
          this.rename(props, out, 'label', 'label', at);
          this.required(out, 'label', [], id, at);
          this.rename(props, out, 'value', 'value', at);
          break;
        case 'select':
          this.rename(props, out, 'options', 'options', at);
          this.rename(props, out, 'placeholder', 'placeholder', at);
          this.rename(props, out, 'selectedValue', 'value', at);
          this.required(out, 'label', [props.label, props.placeholder], id, at);
          if (out.options === undefined) {
            out.options = [];
            this.warn(at, 'select without options; options set to [].');
          }
          break;
        case 'slider':
          this.rename(props, out, 'label', 'label', at);
          this.required(out, 'label', [], id, at);
          for (const [p, fallback] of [
            ['min', 0],
            ['max', 100],
          ] as const) {
            this.rename(props, out, p, p, at);
            if (out[p] === undefined) {
              out[p] = fallback;
              this.warn(at, `${p} is required now; set to ${fallback}.`);
            }
          }
          this.rename(props, out, 'step', 'step', at);
          this.rename(props, out, 'value', 'value', at);
          break;
        case 'card':
          this.drop(props, ['variant'], at, 'cards take their look from the theme');
          break;
        case 'list': {
          this.rename(props, out, 'data', 'data', at);
          this.rename(props, out, 'emptyText', 'emptyText', at);
          const template = props.itemTemplate ?? value.itemTemplate;
          itemTemplate = this.node(template, `${at}.itemTemplate`, depth + 1);
          this.drop(props, ['maxItems'], at, 'limit the bound array instead');
          break;
        }
        case 'tabs':
          this.rename(props, out, 'items', 'labels', at);
          this.rename(props, out, 'labels', 'labels', at);
          this.rename(props, out, 'selectedIndex', 'selected', at);
          break;
        case 'modal':
          this.rename(props, out, 'title', 'title', at);
          this.required(out, 'title', [], id, at);
          out.open = typeof value.visible === 'string' ? value.visible : true;
          if (typeof value.visible === 'string') {
            this.warn(at, `visible ${value.visible} became open (modals are opened by open).`);
          }
          this.drop(props, ['dismissible'], at, 'no counterpart');
          break;
        case 'chip':
          this.rename(props, out, 'label', 'label', at);
          this.required(out, 'label', [], id, at);
          this.rename(props, out, 'selected', 'selected', at);
          this.drop(props, ['variant'], at, 'use tone');
          break;
        default:
          throw new FactoredError(
            'invalid_input',
            `${at} has type "${type}", which is not a 0.5 node type.`,
            { details: { path: at } },
          );
      }

    if (Object.keys(out).length > 0) node.props = out;
    if (action) node.action = action;
    if (value.visible !== undefined && type !== 'modal') node.visible = value.visible;
    if (Array.isArray(value.children) && value.children.length > 0) {
      node.children = value.children.map(
        (child, i) => this.node(child, `${at}.children[${i}]`, depth + 1) as unknown as Json,
      );
    }
    if (itemTemplate) node.itemTemplate = itemTemplate as unknown as Json;
    return node as unknown as SpecNode;
  }
}

/**
 * Converts a FactoredUI 0.5 spec (or a 0.5 signed envelope, whose `spec` is taken) to the
 * current format: `{ action }` becomes `{ name }`, renamed props move (`text.value` → `content`,
 * `image.source` → `src`, `tabs.items` → `labels`, `select.selectedValue` → `value`,
 * `list.props.itemTemplate` → the node's `itemTemplate`, ...), renamed enum values are mapped
 * (`subheading` → `subtitle`, `outline` → `tertiary`, `between` → `space-between`, ...), and
 * props that became required are filled in. Bindings (`{path}`) are unchanged. Everything that
 * was not carried over exactly is listed in `warnings`. Validate the result with `validateSpec`,
 * then sign it (`factoredui convert-spec` does all three steps for a file).
 *
 * @throws FactoredError `invalid_input` when the input is not a 0.5 spec.
 */
export function convertSpecFrom05(spec05: unknown): ConvertedSpec {
  const source =
    isRecord(spec05) && isRecord(spec05.spec) && spec05.root === undefined ? spec05.spec : spec05;
  if (!isRecord(source) || !isRecord(source.root)) {
    throw new FactoredError(
      'invalid_input',
      'convertSpecFrom05 takes a 0.5 spec { spec_version, renderer_min, root } or a 0.5 signed envelope { spec, signature, ... }.',
    );
  }
  const converter = new Converter();
  const root = converter.node(source.root, 'root', 0);
  const rendererMin =
    typeof source.renderer_min === 'number' && source.renderer_min >= 1
      ? Math.min(source.renderer_min, RENDERER_VERSION)
      : 1;
  return {
    spec: { spec_version: SPEC_VERSION, renderer_min: rendererMin, root },
    warnings: converter.warnings,
  };
}
