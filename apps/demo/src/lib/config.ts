import type {
  ComponentPath,
  ExperimentMetricPlan,
  GovernanceOptions,
  MetricDefinition,
  NewExperiment,
  Spec,
} from '@factoredui/core';

/** The experiment on the checkout submit button. */
export const EXPERIMENT_NAME = 'checkout-button';

/** Component paths of the shop, in one place so the app, the simulation and thresholds agree. */
export const PATHS = {
  catalog: 'shop/catalog',
  catalogPromo: 'shop/catalog/promo',
  catalogGrid: 'shop/catalog/grid',
  productCard: 'shop/catalog/grid/product-card',
  product: 'shop/product',
  productDetails: 'shop/product/details',
  addToCart: 'shop/product/details/add-to-cart',
  cart: 'shop/cart',
  cartCheckout: 'shop/cart/checkout',
  checkout: 'checkout/payment',
  shippingForm: 'checkout/payment/shipping-form',
  placeOrder: 'checkout/payment/place-order',
  submit: 'checkout/payment/place-order/submit',
  success: 'checkout/success',
} as const satisfies Record<string, ComponentPath>;

/** The experiment: `control` "Place order" versus an express one-tap button. */
export const EXPERIMENT: NewExperiment = {
  name: EXPERIMENT_NAME,
  description:
    'Does an express one-tap button on the payment step reduce frustration and lift completion?',
  path: PATHS.placeOrder,
  variants: [
    { key: 'control', weight: 50, config: { label: 'Place order', style: 'standard' } },
    { key: 'express', weight: 50, config: { label: 'Pay now — one tap', style: 'express' } },
  ],
};

/**
 * Minimum practical improvements (DESIGN §7), set at start-up. Lower-is-better factors take
 * `lte` with a negative value, higher-is-better ones `gte` with a positive value.
 */
export const THRESHOLDS = [
  { factor: 'completion_rate', path: PATHS.placeOrder, operator: 'gte', value: 0.05 },
  { factor: 'rage_click_count', path: PATHS.submit, operator: 'lte', value: -0.2 },
  { factor: 'error_rate', path: PATHS.submit, operator: 'lte', value: -0.02 },
] as const;

/**
 * Governance settings of the demo. A simulation of 200 visitors puts roughly 70 users with a
 * value in each arm, so the minimum sample per variant is lowered from the default 100;
 * everything else (sequential inference, Bonferroni, SRM) stays at the library defaults.
 */
export const GOVERNANCE_OPTIONS: GovernanceOptions = { minSamplePerVariant: 40 };

/** The SDUI slot of the catalog's promo banner. */
export const PROMO_SLOT = { name: 'catalog-promo', platform: 'web' } as const;

/** Bundled baseline of the promo slot: rendered when no verified spec is available. */
export const PROMO_BASELINE: Spec = {
  spec_version: 1,
  renderer_min: 1,
  root: {
    id: 'promo',
    type: 'card',
    props: { title: 'Welcome to Factored Goods' },
    children: [{ id: 'promo-body', type: 'text', props: { content: 'Small things, made well.' } }],
  },
};

/** The promo spec the demo signs and publishes at start-up. */
export const PROMO_SPEC: Spec = {
  spec_version: 1,
  renderer_min: 1,
  root: {
    id: 'promo',
    type: 'card',
    props: { padding: 5 },
    children: [
      {
        id: 'promo-row',
        type: 'row',
        props: { gap: 4, align: 'center', justify: 'space-between', wrap: true },
        children: [
          {
            id: 'promo-copy',
            type: 'column',
            props: { gap: 1, align: 'start' },
            children: [
              {
                id: 'promo-chip',
                type: 'chip',
                props: { label: 'Signed SDUI spec', tone: 'success' },
              },
              {
                id: 'promo-title',
                type: 'text',
                props: {
                  content: 'Winter sale: {promo.discount} off everything warm',
                  variant: 'heading',
                },
              },
              {
                id: 'promo-body',
                type: 'text',
                props: {
                  content:
                    'Free shipping over {promo.freeShipping}. This banner is server-driven UI.',
                  tone: 'muted',
                },
              },
            ],
          },
          {
            id: 'promo-cta',
            type: 'button',
            props: { label: 'Shop the Wool Throw', variant: 'primary' },
            action: { name: 'promo.open', params: { productId: 'wool-throw' } },
          },
        ],
      },
    ],
  },
};

/**
 * Metrics the demo defines at start-up (DESIGN §18), computed from the visitors' events after
 * their first exposure: orders placed (the custom `purchase` event), the order value (its
 * `revenue` property, per order) and validation errors at the submit button.
 */
export const METRICS = [
  {
    name: 'checkout-conversion',
    description: 'Exposed visitors who placed an order.',
    kind: 'conversion',
    direction: 'higher',
    event: 'purchase',
    path: PATHS.placeOrder,
  },
  {
    name: 'order-value',
    description: 'Revenue per order, in dollars (delta method).',
    kind: 'mean',
    direction: 'higher',
    event: 'purchase',
    property: 'revenue',
    path: PATHS.placeOrder,
  },
  {
    name: 'checkout-errors',
    description: 'Validation errors at the submit button per exposed visitor.',
    kind: 'count',
    direction: 'lower',
    event: 'error',
    path: PATHS.submit,
  },
] as const satisfies readonly MetricDefinition[];

/**
 * The experiment's metric plan: it concludes on checkout conversion (at least +5 points),
 * provided validation errors are shown not to rise by more than 0.1 per visitor. The order
 * value is monitored beside them (shown in the governor, not part of the verdict).
 *
 * The margin is sized for the demo's default 200 visitors: over 30 seeded simulations the
 * upper end of the errors interval (99%, sequential) stayed below +0.09, so the guardrail
 * holds whenever express is as the behavior model makes it; a tighter margin leaves it
 * undecided (and the experiment running) in about a third of the runs.
 */
export const METRIC_PLAN: ExperimentMetricPlan = {
  primary: { metric: 'checkout-conversion', minimumEffect: 0.05, scale: 'absolute' },
  guardrails: [{ metric: 'checkout-errors', margin: 0.1, scale: 'absolute' }],
};

/** The smallest effect the power panel sizes the experiment for: the primary's minimum effect. */
export const POWER_MDE = 0.05;
