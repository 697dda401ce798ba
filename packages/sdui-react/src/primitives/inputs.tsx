import {
  type ChangeEvent,
  type JSX,
  type KeyboardEvent,
  type MouseEvent,
  useId,
  useState,
} from 'react';
import type { SpecComponentProps } from '../types.js';
import { bool, common, num, oneOf, text } from './values.js';

/**
 * Inputs are controlled by the host when their `value` prop is set (usually a binding to host
 * state, updated by the host's action handler from `{ value }`); without one they keep their
 * own state, so a spec that only reports changes still works.
 */
function useValue<T>(hostValue: T | undefined, initial: T): [T, (next: T) => void] {
  const [local, setLocal] = useState<T>(hostValue ?? initial);
  return [hostValue !== undefined ? hostValue : local, setLocal];
}

const INPUT_TYPES = ['text', 'email', 'number', 'password', 'tel', 'url', 'search'] as const;

/** `textinput`: a labelled `<input>`; emits `{ value }` on every change. */
export function TextInput({ props, emit }: SpecComponentProps): JSX.Element {
  const id = useId();
  const [value, setValue] = useValue(text(props.value), '');
  const error = text(props.error);
  const errorId = `${id}-error`;
  const onChange = (event: ChangeEvent<HTMLInputElement>) => {
    setValue(event.target.value);
    emit?.({ value: event.target.value });
  };
  return (
    <div className="fui-field">
      <label className="fui-label" htmlFor={id}>
        {text(props.label)}
      </label>
      <input
        id={id}
        className="fui-input"
        type={oneOf(props.inputType, INPUT_TYPES, 'text')}
        value={value}
        placeholder={text(props.placeholder)}
        disabled={bool(props.disabled)}
        required={bool(props.required)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        onChange={onChange}
        {...common(props)}
      />
      {error ? (
        <p id={errorId} className="fui-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

const BUTTON_VARIANTS = ['primary', 'secondary', 'tertiary', 'danger', 'link'] as const;

/**
 * `button`: a native `<button>` emitting its action when pressed. `loading` sets `aria-busy`
 * and ignores presses while keeping focus (a disabled button would drop it).
 */
export function Button({ props, emit }: SpecComponentProps): JSX.Element {
  const loading = bool(props.loading) === true;
  const onClick = (event: MouseEvent<HTMLButtonElement>) => {
    if (loading) {
      event.preventDefault();
      return;
    }
    emit?.();
  };
  return (
    <button
      type="button"
      className={`fui-button fui-button--${oneOf(props.variant, BUTTON_VARIANTS, 'primary')}`}
      disabled={bool(props.disabled)}
      aria-busy={loading || undefined}
      onClick={onClick}
      {...common(props)}
    >
      {text(props.label)}
    </button>
  );
}

/** `toggle`: a labelled switch (`role="switch"` checkbox; Space toggles); emits `{ value }`. */
export function Toggle({ props, emit }: SpecComponentProps): JSX.Element {
  const [checked, setChecked] = useValue(bool(props.value), false);
  const onChange = (event: ChangeEvent<HTMLInputElement>) => {
    setChecked(event.target.checked);
    emit?.({ value: event.target.checked });
  };
  return (
    <label className="fui-switch">
      <input
        type="checkbox"
        role="switch"
        checked={checked}
        aria-checked={checked}
        disabled={bool(props.disabled)}
        onChange={onChange}
        {...common(props)}
      />
      <span>{text(props.label)}</span>
    </label>
  );
}

interface Option {
  label: string;
  value: unknown;
}

function optionsOf(value: unknown): Option[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((option) => {
    if (typeof option !== 'object' || option === null) return [];
    const { label, value: optionValue } = option as { label?: unknown; value?: unknown };
    const shown = text(label) ?? text(optionValue);
    return shown === undefined ? [] : [{ label: shown, value: optionValue }];
  });
}

/** Option values are any JSON: compare them structurally. */
const sameValue = (a: unknown, b: unknown) =>
  a === b || (typeof a === 'object' && JSON.stringify(a) === JSON.stringify(b));

/** Where arrow keys, Home and End move a selection (up and left go back). */
function stepFor(key: string): -1 | 1 | 'first' | 'last' | null {
  switch (key) {
    case 'ArrowUp':
    case 'ArrowLeft':
      return -1;
    case 'ArrowDown':
    case 'ArrowRight':
      return 1;
    case 'Home':
      return 'first';
    case 'End':
      return 'last';
    default:
      return null;
  }
}

/**
 * `select`: a labelled native `<select>` (a combobox to assistive technology), with any JSON
 * option values; emits `{ value }` with the option's original value. Arrow keys, Home and End
 * change the selection in place on every platform (macOS would otherwise open the menu);
 * Space/Enter and Alt+Down still open it, and typing jumps to an option.
 */
export function Select({ props, emit }: SpecComponentProps): JSX.Element {
  const id = useId();
  const options = optionsOf(props.options);
  const [value, setValue] = useValue<unknown>(props.value, undefined);
  const index = options.findIndex((option) => sameValue(option.value, value));
  const placeholder = text(props.placeholder);
  const choose = (next: number) => {
    const option = options[next];
    if (!option || next === index) return;
    setValue(option.value);
    emit?.({ value: option.value });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLSelectElement>) => {
    const step = event.altKey ? null : stepFor(event.key);
    if (step === null || options.length === 0) return;
    event.preventDefault();
    if (step === 'first') choose(0);
    else if (step === 'last') choose(options.length - 1);
    else choose(index === -1 ? (step === 1 ? 0 : options.length - 1) : index + step);
  };
  return (
    <div className="fui-field">
      <label className="fui-label" htmlFor={id}>
        {text(props.label)}
      </label>
      <select
        id={id}
        className="fui-select"
        value={index === -1 ? '' : String(index)}
        disabled={bool(props.disabled)}
        onChange={(event) => choose(Number(event.target.value))}
        onKeyDown={onKeyDown}
        {...common(props)}
      >
        {index === -1 || placeholder ? (
          <option value="" disabled>
            {placeholder ?? ''}
          </option>
        ) : null}
        {options.map((option, i) => (
          // Options have no identity but their position; values may be objects.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <option key={i} value={String(i)}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The value a key moves a slider to (up and right increase), or `null` for other keys. */
function sliderKeys(key: string, value: number, min: number, max: number, step: number) {
  switch (key) {
    case 'ArrowUp':
    case 'ArrowRight':
      return value + step;
    case 'ArrowDown':
    case 'ArrowLeft':
      return value - step;
    case 'PageUp':
      return value + 10 * step;
    case 'PageDown':
      return value - 10 * step;
    case 'Home':
      return min;
    case 'End':
      return max;
    default:
      return null;
  }
}

const decimals = (n: number) => (Number.isInteger(n) ? 0 : (String(n).split('.')[1]?.length ?? 0));

/**
 * `slider`: a labelled range input (`role="slider"`), emitting `{ value }`. Arrow keys move one
 * step, PageUp/PageDown ten, Home/End to the ends; handled here so every browser steps the
 * same way and the value is always a multiple of `step` from `min`.
 */
export function Slider({ props, emit }: SpecComponentProps): JSX.Element {
  const id = useId();
  const min = num(props.min) ?? 0;
  const max = Math.max(min, num(props.max) ?? 100);
  const step = num(props.step) || 1;
  const [raw, setValue] = useValue(num(props.value), min);
  const clamp = (n: number) => {
    const snapped = min + Math.round((n - min) / step) * step;
    return Number(Math.min(max, Math.max(min, snapped)).toFixed(decimals(step)));
  };
  const value = clamp(raw);
  const set = (next: number) => {
    const clamped = clamp(next);
    if (clamped === value) return;
    setValue(clamped);
    emit?.({ value: clamped });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const next = sliderKeys(event.key, value, min, max, step);
    if (next === null) return;
    event.preventDefault();
    set(next);
  };
  const valueText = `${value}`;
  return (
    <div className="fui-field">
      <div className="fui-row" style={{ justifyContent: 'space-between' }}>
        <label className="fui-label" htmlFor={id}>
          {text(props.label)}
        </label>
        <span className="fui-slider-value" aria-hidden="true">
          {valueText}
        </span>
      </div>
      <input
        id={id}
        className="fui-slider"
        type="range"
        min={min}
        max={max}
        step={step}
        value={value}
        aria-valuetext={valueText}
        disabled={bool(props.disabled)}
        onChange={(event) => set(Number(event.target.value))}
        onKeyDown={onKeyDown}
        {...common(props)}
      />
    </div>
  );
}
