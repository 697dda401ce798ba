import type { JSX } from 'react';
import type { Product } from './catalog-data.js';

/** A product's gradient art (no image downloads). */
export function ProductArt({ product }: { product: Product }): JSX.Element {
  return (
    <div
      className="product-art"
      style={{ background: `linear-gradient(135deg, ${product.colors[0]}, ${product.colors[1]})` }}
      aria-hidden="true"
    >
      {product.emoji}
    </div>
  );
}
