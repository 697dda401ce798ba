import { Component, Element, Flow, Page } from '@factoredui/react';
import type { JSX } from 'react';
import { PATHS } from '../lib/config.js';
import { hrefFor } from '../router.js';
import { formatPrice, PRODUCTS } from './catalog-data.js';
import { ProductArt } from './ProductArt.js';
import { PromoBanner } from './PromoBanner.js';
import { useScreen } from './useScreen.js';

/** The catalog: an SDUI promo banner and the product grid. */
export function Catalog(): JSX.Element {
  useScreen(PATHS.catalog, 'Shop');
  return (
    <Flow name="shop">
      <Page name="catalog">
        <h1>Small things, made well</h1>
        <p className="lede">
          Every click here is captured with its component path. Try the checkout: one half of
          visitors gets an express button.
        </p>
        <Component name="promo">
          <PromoBanner />
        </Component>
        <Component name="grid">
          <section className="grid" aria-label="Products">
            {PRODUCTS.map((product) => (
              <Element name="product-card" key={product.id}>
                <a
                  className="card product-card"
                  href={hrefFor({ name: 'product', id: product.id })}
                  data-testid={`product-${product.id}`}
                >
                  <ProductArt product={product} />
                  <div className="product-body">
                    <div className="product-name">{product.name}</div>
                    <p className="product-tagline">{product.tagline}</p>
                    <span className="price">{formatPrice(product.priceCents)}</span>
                  </div>
                </a>
              </Element>
            ))}
          </section>
        </Component>
      </Page>
    </Flow>
  );
}
