/** A product of the demo shop. */
export interface Product {
  id: string;
  name: string;
  tagline: string;
  priceCents: number;
  /** Two-stop gradient for the product art (no image downloads needed). */
  colors: [string, string];
  emoji: string;
}

export const PRODUCTS: readonly Product[] = [
  {
    id: 'aurora-lamp',
    name: 'Aurora Lamp',
    tagline: 'Warm light that follows the sun.',
    priceCents: 8900,
    colors: ['#f59e0b', '#ef4444'],
    emoji: '💡',
  },
  {
    id: 'field-notebook',
    name: 'Field Notebook',
    tagline: 'Dot grid, lay-flat, 160 pages.',
    priceCents: 1800,
    colors: ['#10b981', '#0ea5e9'],
    emoji: '📓',
  },
  {
    id: 'pour-over',
    name: 'Pour-Over Kit',
    tagline: 'Glass dripper, kettle and filters.',
    priceCents: 6400,
    colors: ['#a16207', '#78350f'],
    emoji: '☕',
  },
  {
    id: 'trail-bottle',
    name: 'Trail Bottle',
    tagline: 'Keeps cold for 24 hours.',
    priceCents: 3200,
    colors: ['#6366f1', '#06b6d4'],
    emoji: '🧴',
  },
  {
    id: 'desk-plant',
    name: 'Desk Plant',
    tagline: 'A pothos that forgives you.',
    priceCents: 2400,
    colors: ['#22c55e', '#15803d'],
    emoji: '🪴',
  },
  {
    id: 'wool-throw',
    name: 'Wool Throw',
    tagline: 'Merino, woven in Portugal.',
    priceCents: 11900,
    colors: ['#ec4899', '#8b5cf6'],
    emoji: '🧣',
  },
];

/** Formats cents as dollars. */
export function formatPrice(cents: number): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100);
}

/** The product with this id, or the first one. */
export function findProduct(id: string | undefined): Product {
  return PRODUCTS.find((p) => p.id === id) ?? (PRODUCTS[0] as Product);
}
