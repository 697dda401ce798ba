import { Component, Element, Flow, Page } from '@factoredui/react';
import type { JSX } from 'react';
import { PATHS } from '../lib/config.js';
import { hrefFor } from '../router.js';
import { cart, useCart } from './cart.js';
import { findProduct, formatPrice } from './catalog-data.js';
import { ProductArt } from './ProductArt.js';
import { useScreen } from './useScreen.js';

/** The cart: its lines with quantities, the subtotal, and the way to checkout. */
export function Cart(): JSX.Element {
  useScreen(PATHS.cart, 'Cart');
  const lines = useCart();
  const subtotal = lines.reduce(
    (sum, line) => sum + findProduct(line.productId).priceCents * line.quantity,
    0,
  );
  return (
    <Flow name="shop">
      <Page name="cart">
        <h1>Your cart</h1>
        {lines.length === 0 ? (
          <div className="card panel">
            <p className="empty">Your cart is empty.</p>
            <a className="btn" href={hrefFor({ name: 'catalog' })}>
              Browse products
            </a>
          </div>
        ) : (
          <div className="checkout">
            <Component name="lines">
              <ul className="card panel cart-lines" aria-label="Items in your cart">
                {lines.map((line) => {
                  const product = findProduct(line.productId);
                  return (
                    <li key={line.productId} className="cart-line" data-testid="cart-line">
                      <ProductArt product={product} />
                      <div className="cart-line-body">
                        <a href={hrefFor({ name: 'product', id: product.id })}>{product.name}</a>
                        <span className="muted small">{formatPrice(product.priceCents)} each</span>
                      </div>
                      <Element name="quantity">
                        <label className="quantity">
                          <span className="sr-only">Quantity of {product.name}</span>
                          <input
                            type="number"
                            min={0}
                            max={99}
                            value={line.quantity}
                            onChange={(e) =>
                              cart.setQuantity(
                                product.id,
                                Math.max(0, Math.min(99, Math.floor(Number(e.target.value) || 0))),
                              )
                            }
                          />
                        </label>
                      </Element>
                      <Element name="remove">
                        <button
                          type="button"
                          className="btn btn-ghost"
                          onClick={() => cart.setQuantity(product.id, 0)}
                          aria-label={`Remove ${product.name}`}
                        >
                          Remove
                        </button>
                      </Element>
                    </li>
                  );
                })}
              </ul>
            </Component>
            <div className="card panel">
              <h2>Summary</h2>
              <div className="summary-line total">
                <span>Subtotal</span>
                <span data-testid="cart-subtotal">{formatPrice(subtotal)}</span>
              </div>
              <Element name="checkout">
                <a
                  className="btn btn-primary btn-wide"
                  href={hrefFor({ name: 'checkout' })}
                  data-testid="to-checkout"
                >
                  Checkout
                </a>
              </Element>
            </div>
          </div>
        )}
      </Page>
    </Flow>
  );
}
