'use client';

import { Component, Element, Flow, Page, useFlag } from '@factoredui/react';
import { useState } from 'react';
import { HERO_FLAG } from '../lib/shared';

const DEFAULT_HEADLINE = 'Small things, made well';

/** The flag-dependent part of the page: the headline of the visitor's variant. */
export function Hero() {
  const { variantKey, config } = useFlag(HERO_FLAG);
  const [explored, setExplored] = useState(0);
  const headline = typeof config?.headline === 'string' ? config.headline : DEFAULT_HEADLINE;
  return (
    <Flow name="home">
      <Page name="landing">
        <Component name="hero">
          <Element name="headline">
            <h1 data-testid="headline" data-variant={variantKey ?? 'none'}>
              {headline}
            </h1>
          </Element>
          <Element name="explore">
            <button type="button" data-testid="explore" onClick={() => setExplored((n) => n + 1)}>
              {explored === 0 ? 'Explore the shop' : `Explored ${explored}×`}
            </button>
          </Element>
        </Component>
      </Page>
    </Flow>
  );
}
