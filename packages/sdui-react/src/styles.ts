import { defaultTheme, themeVariables } from './theme.js';

/**
 * The default stylesheet of the registry, as a CSS string.
 *
 * Every selector is wrapped in `:where()` (zero specificity), so any host rule wins without
 * `!important`; every value reads a `--fui-*` variable whose default is declared on
 * `.fui-root`. The renderer injects it once into `document.head` (see
 * `createComponentRegistry`'s `injectStyles`); hosts with a strict CSP or server rendering can
 * turn injection off and serve this string themselves.
 */
export const stylesheet: string = (() => {
  const defaults = Object.entries(themeVariables(defaultTheme))
    .map(([name, value]) => `${name}:${value}`)
    .join(';');
  const s = 'calc(var(--fui-space)*';
  return `:where(.fui-root){${defaults};font-family:var(--fui-font-family);font-size:var(--fui-font-size-body);color:var(--fui-color-text);line-height:1.4}
:where(.fui-root) *,:where(.fui-root) *::before,:where(.fui-root) *::after{box-sizing:border-box}
:where(.fui-root) :focus-visible{outline:2px solid var(--fui-color-focus);outline-offset:2px}
:where(.fui-column,.fui-row){display:flex;min-width:0}
:where(.fui-column){flex-direction:column}
:where(.fui-row){flex-direction:row}
:where(.fui-stack){display:grid}
:where(.fui-stack)>*{grid-area:1/1}
:where(.fui-scroll){overflow:auto}
:where(.fui-grid){display:grid}
:where(.fui-text){margin:0}
:where(.fui-text--title){font-size:var(--fui-font-size-title);font-weight:700;line-height:1.2}
:where(.fui-text--heading){font-size:var(--fui-font-size-heading);font-weight:650;line-height:1.25}
:where(.fui-text--subtitle){font-size:var(--fui-font-size-subtitle);font-weight:600}
:where(.fui-text--caption){font-size:var(--fui-font-size-caption);color:var(--fui-color-muted)}
:where(.fui-text--label){font-size:var(--fui-font-size-label);font-weight:600}
:where(.fui-text--code){font-family:var(--fui-mono-family);font-size:.9em}
:where(.fui-tone-muted){color:var(--fui-color-muted)}
:where(.fui-tone-success){color:var(--fui-color-success)}
:where(.fui-tone-warning){color:var(--fui-color-warning)}
:where(.fui-tone-danger){color:var(--fui-color-danger)}
:where(.fui-clamp){display:-webkit-box;-webkit-box-orient:vertical;overflow:hidden}
:where(.fui-image){display:block;max-width:100%;height:auto}
:where(.fui-icon){display:inline-block;flex:none;vertical-align:middle}
:where(.fui-divider){border:0;background:var(--fui-color-border);margin:0;align-self:stretch;flex:none;width:auto;height:1px}
:where(.fui-divider--vertical){width:1px;height:auto}
:where(.fui-field){display:flex;flex-direction:column;gap:${s}1)}
:where(.fui-label){font-size:var(--fui-font-size-label);font-weight:600}
:where(.fui-input,.fui-select){font:inherit;color:inherit;background:var(--fui-color-surface);border:1px solid var(--fui-color-border);border-radius:var(--fui-radius-sm);padding:${s}2) ${s}3);min-height:40px}
:where(.fui-input[aria-invalid=true]){border-color:var(--fui-color-danger)}
:where(.fui-error){font-size:var(--fui-font-size-caption);color:var(--fui-color-danger);margin:0}
:where(.fui-button){font:inherit;font-weight:600;display:inline-flex;align-items:center;justify-content:center;gap:${s}2);min-height:40px;padding:${s}2) ${s}4);border-radius:var(--fui-radius-md);border:1px solid transparent;cursor:pointer;background:var(--fui-color-primary);color:var(--fui-color-on-primary)}
:where(.fui-button--secondary){background:var(--fui-color-surface);color:var(--fui-color-primary);border-color:var(--fui-color-primary)}
:where(.fui-button--tertiary){background:transparent;color:var(--fui-color-primary)}
:where(.fui-button--danger){background:var(--fui-color-danger);color:var(--fui-color-on-primary)}
:where(.fui-button--link){background:none;border:0;padding:0;min-height:0;color:var(--fui-color-primary);text-decoration:underline}
:where(.fui-button:disabled,.fui-button[aria-busy=true],.fui-chip:disabled){opacity:.55;cursor:not-allowed}
:where(.fui-switch){display:inline-flex;align-items:center;gap:${s}2);cursor:pointer}
:where(.fui-switch input){appearance:none;margin:0;width:40px;height:24px;border-radius:12px;background:var(--fui-color-border);position:relative;cursor:inherit;flex:none;transition:background .15s}
:where(.fui-switch input)::before{content:"";position:absolute;top:3px;left:3px;width:18px;height:18px;border-radius:50%;background:var(--fui-color-surface);transition:transform .15s}
:where(.fui-switch input:checked){background:var(--fui-color-primary)}
:where(.fui-switch input:checked)::before{transform:translateX(16px)}
:where(.fui-slider){accent-color:var(--fui-color-primary);width:100%}
:where(.fui-slider-value){font-size:var(--fui-font-size-label);color:var(--fui-color-muted)}
:where(.fui-card){position:relative;background:var(--fui-color-surface);border:1px solid var(--fui-color-border);border-radius:var(--fui-radius-md);display:flex;flex-direction:column;gap:${s}2)}
:where(.fui-card-title){margin:0;font-size:var(--fui-font-size-subtitle);font-weight:600}
:where(.fui-card-subtitle){margin:0;color:var(--fui-color-muted);font-size:var(--fui-font-size-label)}
:where(.fui-card-action){all:unset;cursor:pointer}
:where(.fui-card-action)::after{content:"";position:absolute;inset:0;border-radius:inherit}
:where(.fui-card-action:focus-visible){outline:none}
:where(.fui-card:has(.fui-card-action:focus-visible)){outline:2px solid var(--fui-color-focus);outline-offset:2px}
:where(.fui-list){list-style:none;margin:0;padding:0;display:flex;flex-direction:column}
:where(.fui-tablist){display:flex;gap:${s}1);border-bottom:1px solid var(--fui-color-border)}
:where(.fui-tab){font:inherit;background:none;border:0;border-bottom:2px solid transparent;padding:${s}2) ${s}3);color:var(--fui-color-muted);cursor:pointer}
:where(.fui-tab[aria-selected=true]){color:var(--fui-color-primary);border-bottom-color:var(--fui-color-primary);font-weight:600}
:where(.fui-tabpanel){padding-top:${s}3)}
:where(.fui-backdrop){position:fixed;inset:0;background:var(--fui-color-backdrop);display:flex;align-items:center;justify-content:center;padding:${s}4);z-index:1000}
:where(.fui-modal){background:var(--fui-color-surface);border-radius:var(--fui-radius-lg);padding:${s}6);max-width:min(560px,100%);max-height:100%;overflow:auto;display:flex;flex-direction:column;gap:${s}3);box-shadow:0 12px 40px rgba(0,0,0,.25)}
:where(.fui-modal-header){display:flex;align-items:center;justify-content:space-between;gap:${s}3)}
:where(.fui-modal-title){margin:0;font-size:var(--fui-font-size-heading)}
:where(.fui-modal-close){font:inherit;background:none;border:0;border-radius:var(--fui-radius-sm);padding:${s}1);cursor:pointer;color:var(--fui-color-muted);display:inline-flex}
:where(.fui-chip){font:inherit;font-size:var(--fui-font-size-label);display:inline-flex;align-items:center;gap:${s}1);padding:${s}1) ${s}3);border-radius:999px;border:1px solid var(--fui-color-border);background:var(--fui-color-surface);color:var(--fui-color-text)}
:where(button.fui-chip){cursor:pointer}
:where(.fui-chip[aria-pressed=true]){background:var(--fui-color-primary);border-color:var(--fui-color-primary);color:var(--fui-color-on-primary)}
:where(.fui-chip--info){border-color:var(--fui-color-info);color:var(--fui-color-info)}
:where(.fui-chip--success){border-color:var(--fui-color-success);color:var(--fui-color-success)}
:where(.fui-chip--warning){border-color:var(--fui-color-warning);color:var(--fui-color-warning)}
:where(.fui-chip--danger){border-color:var(--fui-color-danger);color:var(--fui-color-danger)}
:where(.fui-empty){color:var(--fui-color-muted);margin:0}
@media (prefers-reduced-motion:reduce){:where(.fui-root) *{transition:none!important}}`;
})();

const STYLE_ID = 'fui-default-styles';

/**
 * Adds `css` to `document.head` once (a `<style id="fui-default-styles">`). No-op without a
 * document (server rendering) or when it is already there.
 */
export function injectStylesheet(css: string, nonce?: string): void {
  if (typeof document === 'undefined' || document.getElementById(STYLE_ID)) return;
  const style = document.createElement('style');
  style.id = STYLE_ID;
  if (nonce) style.nonce = nonce;
  style.textContent = css;
  document.head.prepend(style);
}
