// @vitest-environment jsdom
import { resolveComponentPath } from '@factoredui/core';
import { describe, expect, it } from 'vitest';

function dom(html: string): (id: string) => Element {
  document.body.innerHTML = html;
  return (id) => document.getElementById(id)!;
}

describe('resolveComponentPath', () => {
  it('joins the nearest flow, page, component and element attributes, outermost first', () => {
    const get = dom(`
      <div data-factored-flow="checkout">
        <div data-factored-page="review">
          <form data-factored-component="payment-form">
            <span><button id="b" data-factored-element="submit"><i id="icon"></i></button></span>
            <p id="p">text</p>
          </form>
        </div>
      </div>`);
    expect(resolveComponentPath(get('b'))).toBe('checkout/review/payment-form/submit');
    expect(resolveComponentPath(get('icon'))).toBe('checkout/review/payment-form/submit');
    expect(resolveComponentPath(get('p'))).toBe('checkout/review/payment-form');
  });

  it('uses the nearest component when components nest', () => {
    const get = dom(`
      <div data-factored-page="home">
        <div data-factored-component="outer"><div data-factored-component="inner"><a id="a">x</a></div></div>
      </div>`);
    expect(resolveComponentPath(get('a'))).toBe('home/inner');
  });

  it('reads several levels from one element and skips levels that are absent', () => {
    const get = dom(`<div id="d" data-factored-flow="f" data-factored-component="c"></div>`);
    expect(resolveComponentPath(get('d'))).toBe('f/c');
  });

  it('ignores an inner-level attribute found above an outer one', () => {
    const get = dom(`
      <div data-factored-element="stray">
        <div data-factored-component="card"><span id="s"></span></div>
      </div>`);
    expect(resolveComponentPath(get('s'))).toBe('card');
  });

  it('returns null without any level, and skips empty or slash-containing values', () => {
    const get = dom(`
      <div data-factored-component="a/b"><div data-factored-element="  "><span id="s"></span></div></div>
      <p id="none"></p>`);
    expect(resolveComponentPath(get('s'))).toBeNull();
    expect(resolveComponentPath(get('none'))).toBeNull();
    expect(resolveComponentPath(null)).toBeNull();
  });
});
