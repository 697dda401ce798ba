import { Component, Element, Flow, Page } from '@factoredui/react';
import type { JSX } from 'react';
import { PATHS } from '../lib/config.js';
import { hrefFor } from '../router.js';
import { cart } from './cart.js';
import { findProduct, formatPrice } from './catalog-data.js';
import { ProductArt } from './ProductArt.js';
import { useScreen } from './useScreen.js';

/** One product, with an add-to-cart button leading to the cart. */
export function ProductPage({ id }: { id: string }): JSX.Element {
  const product = findProduct(id);
  useScreen(PATHS.product, product.name);
  return (
    <Flow name="shop">
      <Page name="product">
        <p>
          <a href={hrefFor({ name: 'catalog' })}>← All products</a>
        </p>
        <Component name="details">
          <article className="product-detail">
            <ProductArt product={product} />
            <div className="card panel">
              <h1>{product.name}</h1>
              <p className="lede">{product.tagline}</p>
              <p className="price big">{formatPrice(product.priceCents)}</p>
              <ul className="perks">
                <li>Free returns for 60 days</li>
                <li>Ships in 1–2 business days</li>
                <li>Carbon-neutral delivery</li>
              </ul>
              <Element name="add-to-cart">
                <button
                  type="button"
                  className="btn btn-primary btn-wide"
                  data-testid="add-to-cart"
                  onClick={() => {
                    cart.add(product.id);
                    window.location.hash = hrefFor({ name: 'cart' });
                  }}
                >
                  Add to cart
                </button>
              </Element>
            </div>
          </article>
        </Component>
      </Page>
    </Flow>
  );
}
