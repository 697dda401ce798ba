import type { SpecRegistry, SpecRenderOptions } from '@factoredui/react/spec';
import type { CSSProperties } from 'react';

export type {
  SpecComponent,
  SpecComponentProps,
  SpecRenderIssue,
} from '@factoredui/react/spec';

/** Components by node type, plus the theme and stylesheet they use. */
export interface ComponentRegistry extends SpecRegistry {
  /**
   * CSS variables for the tokens passed to `createComponentRegistry` (only those), set on the
   * spec's root element.
   */
  readonly style: CSSProperties;
  /** CSS the renderer injects once into `document.head`, or `null` not to inject any. */
  readonly stylesheet: string | null;
  /** CSP nonce of the injected `<style>`. */
  readonly nonce: string | undefined;
}

/** How {@link renderSpec} renders: registry, actions, data and error reporting. */
export interface RenderContext extends SpecRenderOptions {
  /** Components by node type. Default: `createComponentRegistry()` with the default theme. */
  registry?: ComponentRegistry;
}
