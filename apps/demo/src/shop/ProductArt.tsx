import type { JSX } from 'react';
import type { Product } from './catalog-data.js';

/** A product's art: its gradient and a monogram (no image or emoji font needed). */
export function ProductArt({ product }: { product: Product }): JSX.Element {
  const monogram = product.name
    .split(' ')
    .map((word) => word[0])
    .join('')
    .slice(0, 2);
  return (
    <div
      className="product-art"
      style={{ background: `linear-gradient(135deg, ${product.colors[0]}, ${product.colors[1]})` }}
      aria-hidden="true"
    >
      <span className="monogram">{monogram}</span>
    </div>
  );
}
