import type { Spec } from '@factoredui/core';

/** The cookie that carries the visitor's id (set by `src/proxy.ts` on the first request). */
export const USER_COOKIE = 'fui_uid';

/** The experiment the home page renders: the hero's headline copy. */
export const HERO_FLAG = 'hero-copy';
/** Where the hero lives (its component path). */
export const HERO_PATH = 'home/landing/hero/headline';

/** The server-driven promo slot. */
export const PROMO_SLOT = { name: 'home-promo', platform: 'web' } as const;

/** Rendered when no verified promo spec is available. */
export const PROMO_BASELINE: Spec = {
  spec_version: 1,
  renderer_min: 1,
  root: { id: 'promo', type: 'text', props: { content: 'Welcome to the example shop.' } },
};

/** The spec the server signs and publishes at start-up. */
export const PROMO_SPEC: Spec = {
  spec_version: 1,
  renderer_min: 1,
  root: {
    id: 'promo',
    type: 'column',
    props: { gap: 1, testId: 'promo-signed' },
    children: [
      { id: 'title', type: 'text', props: { content: 'Spring sale', variant: 'title' } },
      {
        id: 'body',
        type: 'text',
        props: { content: 'Signed on the server, verified before render.' },
      },
    ],
  },
};
