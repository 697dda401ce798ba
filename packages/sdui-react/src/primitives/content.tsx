import type { CSSProperties, JSX, ReactNode } from 'react';
import type { SpecComponentProps } from '../types.js';
import { common, num, oneOf, text } from './values.js';

const VARIANTS = ['body', 'title', 'heading', 'subtitle', 'caption', 'label', 'code'] as const;
/** Semantic element per variant: titles and headings are real headings. */
const TAGS = {
  title: 'h2',
  heading: 'h3',
  subtitle: 'p',
  body: 'p',
  caption: 'p',
  label: 'span',
  code: 'code',
} as const;
const TONES = ['default', 'muted', 'success', 'warning', 'danger'] as const;

/** `text`: a paragraph, heading (`title` h2, `heading` h3), label or code run. */
export function Text({ props }: SpecComponentProps): JSX.Element {
  const variant = oneOf(props.variant, VARIANTS, 'body');
  const Tag = TAGS[variant];
  const tone = oneOf(props.tone, TONES, 'default');
  const lines = num(props.maxLines);
  const style: CSSProperties = {};
  const align = oneOf(props.align, ['start', 'center', 'end', ''], '');
  if (align) style.textAlign = align;
  let className = `fui-text fui-text--${variant}`;
  if (tone !== 'default') className += ` fui-tone-${tone}`;
  if (lines !== undefined && lines >= 1) {
    className += ' fui-clamp';
    style.WebkitLineClamp = Math.floor(lines);
  }
  return (
    <Tag className={className} style={style} {...common(props)}>
      {text(props.content) ?? ''}
    </Tag>
  );
}

const SAFE_SRC = /^(?:https?:|data:image\/(?:png|jpe?g|gif|webp|avif);|blob:|\/|\.{0,2}\/|[^:]*$)/i;

/**
 * `image`: an `<img>` loaded lazily. An empty `alt` marks it decorative. Only http(s), relative,
 * blob and raster data URLs are loaded: a spec cannot point an image at `javascript:` or SVG
 * data.
 */
export function Image({ props }: SpecComponentProps): JSX.Element | null {
  const src = text(props.src);
  if (!src || !SAFE_SRC.test(src.trim())) return null;
  const width = num(props.width);
  const height = num(props.height);
  const style: CSSProperties = {
    objectFit: oneOf(props.fit, ['cover', 'contain', 'fill'] as const, 'cover'),
  };
  return (
    <img
      className="fui-image"
      src={src}
      alt={text(props.alt) ?? ''}
      width={width}
      height={height}
      loading="lazy"
      decoding="async"
      style={style}
      data-testid={text(props.testId)}
    />
  );
}

/** An icon set: SVG path data (24x24 viewBox, stroked) or any React node, by name. */
export type IconSet = Readonly<Record<string, string | ReactNode>>;

/** The built-in icons (24x24 stroked paths, shapes after Feather icons, MIT). */
export const defaultIcons: IconSet = {
  check: 'M20 6 9 17l-5-5',
  close: 'M18 6 6 18M6 6l12 12',
  plus: 'M12 5v14M5 12h14',
  minus: 'M5 12h14',
  'chevron-left': 'm15 18-6-6 6-6',
  'chevron-right': 'm9 18 6-6-6-6',
  'chevron-up': 'm18 15-6-6-6 6',
  'chevron-down': 'm6 9 6 6 6-6',
  'arrow-left': 'M19 12H5M12 19l-7-7 7-7',
  'arrow-right': 'M5 12h14M12 5l7 7-7 7',
  search: 'M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16zM21 21l-4.35-4.35',
  info: 'M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM12 16v-4M12 8h.01',
  alert:
    'M10.29 3.86 1.82 18a2 2 0 0 0 1.71 3h16.94a2 2 0 0 0 1.71-3L13.71 3.86a2 2 0 0 0-3.42 0zM12 9v4M12 17h.01',
  star: 'm12 2 3.09 6.26L22 9.27l-5 4.87 1.18 6.88L12 17.77l-6.18 3.25L7 14.14 2 9.27l6.91-1.01z',
  heart:
    'M20.84 4.61a5.5 5.5 0 0 0-7.78 0L12 5.67l-1.06-1.06a5.5 5.5 0 0 0-7.78 7.78L12 21.23l8.84-8.84a5.5 5.5 0 0 0 0-7.78z',
  cart: 'M9 21a1 1 0 1 0 0-2 1 1 0 0 0 0 2zM20 21a1 1 0 1 0 0-2 1 1 0 0 0 0 2zM1 1h4l2.68 13.39a2 2 0 0 0 2 1.61h9.72a2 2 0 0 0 2-1.61L23 6H6',
  user: 'M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2M12 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z',
};

/** Renders `name` from `icons` at `size` pixels; `null` when the set lacks it. */
export function renderIcon(icons: IconSet, name: string, size: number): ReactNode {
  const icon = Object.hasOwn(icons, name) ? icons[name] : undefined;
  if (icon === undefined || icon === null) return null;
  if (typeof icon !== 'string') return icon;
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={icon} />
    </svg>
  );
}

/**
 * The `icon` component over an icon set: decorative (hidden from assistive technology) unless
 * it has a `label`, then an `img` with that name. An unknown name renders an empty box of the
 * same size, so layout does not jump.
 */
export function createIcon(icons: IconSet) {
  // Created once per registry, never during render, so its identity is stable.
  // biome-ignore lint/correctness/noComponentHookFactories: see above
  return function Icon({ props }: SpecComponentProps): JSX.Element {
    const size = num(props.size) ?? 20;
    const label = text(props.label) ?? text(props.accessibilityLabel);
    const glyph = renderIcon(icons, text(props.name) ?? '', size);
    const style = { width: size, height: size };
    const testId = text(props.testId);
    if (!label) {
      return (
        <span className="fui-icon" style={style} aria-hidden="true" data-testid={testId}>
          {glyph}
        </span>
      );
    }
    return (
      <span className="fui-icon" style={style} role="img" aria-label={label} data-testid={testId}>
        {glyph}
      </span>
    );
  };
}
