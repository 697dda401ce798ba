import { Component, Element, Flow, Page, useCapture, useFlag } from '@factoredui/react';
import { type FormEvent, type JSX, useRef, useState } from 'react';
import { EXPERIMENT_NAME, PATHS } from '../lib/config.js';
import { hrefFor } from '../router.js';
import { CaptureInspector } from './CaptureInspector.js';
import { type CartLine, cart, useCart } from './cart.js';
import { findProduct, formatPrice } from './catalog-data.js';
import { useScreen } from './useScreen.js';

type Fields = { name: string; email: string; card: string };
const EMPTY: Fields = { name: '', email: '', card: '' };

function validate(fields: Fields): Partial<Record<keyof Fields, string>> {
  const errors: Partial<Record<keyof Fields, string>> = {};
  if (fields.name.trim().length < 2) errors.name = 'Enter the name on the card.';
  if (!/^\S+@\S+\.\S+$/.test(fields.email)) errors.email = 'Enter a valid email.';
  if (fields.card.replace(/\D/g, '').length !== 16) errors.card = 'Card numbers have 16 digits.';
  return errors;
}

const SHIPPING = 500;

function Success({ names, variant }: { names: string; variant: string }): JSX.Element {
  useScreen(PATHS.success, 'Order placed');
  return (
    <Flow name="checkout">
      <Page name="success">
        <div className="card success" data-testid="success">
          <div className="success-mark" aria-hidden="true">
            ✓
          </div>
          <h2>Order placed</h2>
          <p>
            Your {names} {names.includes(' and ') ? 'are' : 'is'} on its way. You saw the{' '}
            <strong>{variant}</strong> button.
          </p>
          <p className="toolbar center">
            <a className="btn" href={hrefFor({ name: 'catalog' })}>
              Keep shopping
            </a>
            <a className="btn btn-primary" href={hrefFor({ name: 'governor' })}>
              See it in the governor
            </a>
          </p>
        </div>
      </Page>
    </Flow>
  );
}

function PromoCode(): JSX.Element {
  const capture = useCapture();
  const [code, setCode] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  return (
    <Component name="order-summary">
      <div className="promo-code">
        <Element name="code">
          <input
            aria-label="Promo code"
            placeholder="Promo code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
        </Element>
        <Element name="apply-code">
          <button
            type="button"
            className="btn"
            data-testid="apply-code"
            onClick={() => {
              setMessage(code ? `“${code}” is not a valid code.` : 'Enter a code first.');
              capture.track('custom', 'checkout/payment/order-summary/apply-code', {
                name: 'promo_rejected',
              });
            }}
          >
            Apply
          </button>
        </Element>
      </div>
      {message ? <p className="field-error">{message}</p> : null}
    </Component>
  );
}

const FIELD_ORDER: (keyof Fields)[] = ['name', 'email', 'card'];

/**
 * Checkout of the cart (or, for `#/checkout/<id>` links with an empty cart, of that product):
 * a form, the order summary, and the experiment's submit button.
 */
export function Checkout({ id }: { id?: string }): JSX.Element {
  const cartLines = useCart();
  const [ordered, setOrdered] = useState<CartLine[] | null>(null);
  const lines: CartLine[] =
    ordered ?? (cartLines.length > 0 ? cartLines : id ? [{ productId: id, quantity: 1 }] : []);
  useScreen(PATHS.checkout, 'Checkout');
  const capture = useCapture();
  const flag = useFlag(EXPERIMENT_NAME);
  const variant = flag.variantKey ?? 'control';
  const express = flag.config?.style === 'express';
  const label = typeof flag.config?.label === 'string' ? flag.config.label : 'Place order';
  const [fields, setFields] = useState<Fields>(EMPTY);
  const [errors, setErrors] = useState<Partial<Record<keyof Fields, string>>>({});
  const [placing, setPlacing] = useState(false);
  const [placed, setPlaced] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const form = useRef<HTMLFormElement>(null);
  const names = lines.map((line) => findProduct(line.productId).name).join(' and ');
  const subtotal = lines.reduce(
    (sum, line) => sum + findProduct(line.productId).priceCents * line.quantity,
    0,
  );

  if (placed) return <Success names={names} variant={variant} />;
  if (lines.length === 0)
    return (
      <div className="card panel">
        <h1>Checkout</h1>
        <p className="empty">Your cart is empty.</p>
        <a className="btn" href={hrefFor({ name: 'catalog' })}>
          Browse products
        </a>
      </div>
    );

  const complete = () => {
    setPlacing(true);
    capture.track('submit', PATHS.shippingForm);
    // completion_rate of the experiment's path counts sessions with this navigation.
    capture.track('navigation', PATHS.placeOrder, { action: 'complete', variant });
    setOrdered(lines);
    cart.clear();
    setTimeout(() => setPlaced(true), 450);
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (placing) return;
    if (express) return complete();
    const problems = validate(fields);
    setErrors(problems);
    const invalid = FIELD_ORDER.filter((name) => problems[name]);
    if (invalid.length > 0) {
      // Focus the first invalid field and announce what is wrong (a polite live region).
      form.current?.querySelector<HTMLInputElement>(`#f-${invalid[0]}`)?.focus();
      const message = `${invalid.length} ${invalid.length === 1 ? 'field needs' : 'fields need'} attention: ${invalid
        .map((name) => problems[name])
        .join(' ')}`;
      // The same words twice would not be announced again: vary them invisibly.
      setAnnouncement((previous) => (previous === message ? `${message}\u00a0` : message));
      capture.track('error', PATHS.submit, {
        kind: 'validation',
        fields: Object.keys(problems).join(','),
      });
      return;
    }
    complete();
  };

  const field = (
    name: keyof Fields,
    label: string,
    props: { type?: string; placeholder?: string; inputMode?: 'numeric' },
  ) => (
    <Element name={name}>
      <div className="field">
        <label htmlFor={`f-${name}`}>{label}</label>
        <input
          id={`f-${name}`}
          value={fields[name]}
          aria-invalid={errors[name] ? 'true' : undefined}
          aria-describedby={errors[name] ? `e-${name}` : undefined}
          onChange={(e) => setFields({ ...fields, [name]: e.target.value })}
          {...props}
        />
        {errors[name] ? (
          <span id={`e-${name}`} className="field-error">
            {errors[name]}
          </span>
        ) : null}
      </div>
    </Element>
  );

  return (
    <Flow name="checkout">
      <Page name="payment">
        <p>
          <a href={hrefFor({ name: 'cart' })}>← Back to the cart</a>
        </p>
        <h1>Checkout</h1>
        <p className="lede">
          Experiment <code>{EXPERIMENT_NAME}</code>: you are in{' '}
          <span className={`pill pill-variant-${variant}`} data-testid="variant">
            {flag.isLoading ? 'loading…' : variant}
          </span>
        </p>
        <p className="sr-only" aria-live="polite" data-testid="announcer">
          {announcement}
        </p>
        <form className="checkout" onSubmit={onSubmit} noValidate ref={form}>
          <div className="card panel">
            <Component name="shipping-form">
              <h2>{express ? 'Express checkout' : 'Payment details'}</h2>
              {express ? (
                <div className="wallet">
                  <div className="wallet-card" aria-hidden="true">
                    VISA
                  </div>
                  <div>
                    <strong>Visa •••• 4242</strong>
                    <div className="muted small">Saved card · ships to 12 Harbour St, Lisbon</div>
                  </div>
                </div>
              ) : (
                <>
                  {field('name', 'Name on card', { placeholder: 'Ada Lovelace' })}
                  {field('email', 'Email', { type: 'email', placeholder: 'ada@example.com' })}
                  {field('card', 'Card number', {
                    inputMode: 'numeric',
                    placeholder: '4242 4242 4242 4242',
                  })}
                </>
              )}
            </Component>
            <Component name="place-order">
              <Element name="submit">
                <button
                  type="submit"
                  className={express ? 'btn btn-express' : 'btn btn-primary btn-wide'}
                  disabled={placing || flag.isLoading}
                  data-testid="submit"
                >
                  {placing ? 'Placing order…' : label}
                </button>
              </Element>
            </Component>
            {flag.error ? <p className="field-error">Flags: {flag.error.message}</p> : null}
          </div>
          <div className="side">
            <div className="card panel">
              <h2>Order summary</h2>
              {lines.map((line) => {
                const product = findProduct(line.productId);
                return (
                  <div className="summary-line" key={line.productId}>
                    <span>
                      {product.name}
                      {line.quantity > 1 ? ` × ${line.quantity}` : ''}
                    </span>
                    <span>{formatPrice(product.priceCents * line.quantity)}</span>
                  </div>
                );
              })}
              <div className="summary-line">
                <span>Shipping</span>
                <span>{formatPrice(SHIPPING)}</span>
              </div>
              <div className="summary-line total">
                <span>Total</span>
                <span>{formatPrice(subtotal + SHIPPING)}</span>
              </div>
              <PromoCode />
            </div>
            <CaptureInspector />
          </div>
        </form>
      </Page>
    </Flow>
  );
}
