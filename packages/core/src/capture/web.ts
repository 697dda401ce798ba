import type { KVStorage } from '../util/kv.js';
import type { CaptureAdapter, CaptureAdapterContext, CaptureEmit } from './adapter.js';
import {
  createRageClickDetector,
  createScrollReversalDetector,
  type RageBurst,
  type RageClickOptions,
  type ScrollReversalDetector,
  type ScrollReversalOptions,
} from './detectors.js';
import type { CaptureLocks } from './ownership.js';
import {
  collectPathLevels,
  IGNORE_ATTRIBUTE,
  isMarked,
  joinPathLevels,
  NO_DEAD_ATTRIBUTE,
  NO_RAGE_ATTRIBUTE,
  resolveComponentPath,
} from './path.js';
import type { ComponentPath, EventPayload, EventType, SessionMetadata } from './types.js';

/** Dead-click thresholds. */
export interface DeadClickOptions {
  /** A click followed by no DOM mutation for this long (ms) may be dead. Default 2500. */
  mutationWindowMs?: number;
  /** A scroll or selection change this soon (ms) after the click means it worked. Default 100. */
  scrollSelectionWindowMs?: number;
}

/** Options of {@link createWebAdapter}. Every threshold has a default; `false` disables a detector. */
export interface WebAdapterOptions {
  /** The window to observe. Default: the global `window`. */
  window?: Window;
  /** Rage-click thresholds, or `false`. Defaults: 3 clicks, 1000 ms, 30 px. */
  rageClick?: RageClickOptions | false;
  /** Dead-click thresholds, or `false`. Defaults: 2500 ms, 100 ms. */
  deadClick?: DeadClickOptions | false;
  /** Scroll-reversal threshold, or `false`. Default: 300 ms. */
  scrollReversal?: ScrollReversalOptions | false;
  /** Scroll positions are read at most this often while scrolling, in ms. Default 100. */
  scrollSampleMs?: number;
  /** A `scroll` event is emitted at most this often per scroll container, in ms. Default 1000. */
  scrollThrottleMs?: number;
  /** One `input` event per field per burst of typing; a burst ends after this idle time (ms). Default 1000. */
  inputIdleMs?: number;
  /** `resize` is emitted once the window has kept its size this long, in ms. Default 500. */
  resizeDebounceMs?: number;
  /** An error is attributed to the last interacted path if it happened this recently (ms). Default 5000. */
  errorAttributionMs?: number;
  /** Record `error`/`unhandledrejection` messages (truncated to 300 chars). Default `true`. */
  errorMessages?: boolean;
  /**
   * The path of page-level events (window scroll, resize, visibility, unattributed errors).
   * Default: the last `trackNavigation` path, else the path of `document.body`.
   */
  pagePath?: () => ComponentPath | null;
  /** Session and queue persistence. Default `localStorage` when usable; `null` for none. */
  storage?: KVStorage | null;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

/**
 * A raw DOM observation, queued by a listener and interpreted off the hot path. The listener
 * keeps the event object itself: its target, coordinates and modifier keys stay readable
 * after dispatch, so reading them is deferred too.
 */
interface Raw {
  kind: 'click' | 'input' | 'focus' | 'blur' | 'submit' | 'visibility';
  event: Event | null;
  at: number;
  /** Mutation count at the time of a click. */
  seq?: number;
  /** `document.visibilityState` when it changed. */
  state?: string;
}

interface DeadCandidate {
  at: number;
  target: Element;
  timer: ReturnType<typeof setTimeout>;
  emit: () => void;
}

const MESSAGE_LIMIT = 300;
// Clicking into a field, a label or an option is a reaction in itself (focus, caret, toggled
// state) without any DOM mutation; counting it would make every form a dead-click factory.
const FORM_CONTROLS =
  'input, textarea, select, option, label, [contenteditable]:not([contenteditable="false"])';

function usableLocalStorage(win: Window): KVStorage | undefined {
  try {
    const storage = win.localStorage;
    const probe = '__factoredui_probe__';
    storage.setItem(probe, probe);
    storage.removeItem(probe);
    return storage;
  } catch {
    // Blocked cookies, private mode or a sandboxed iframe: capture works without persistence.
    return undefined;
  }
}

const tagOf = (target: EventTarget | null): string =>
  (target as Element | null)?.tagName?.toLowerCase() ?? 'unknown';

const isElement = (target: EventTarget | null): target is Element =>
  target !== null && typeof (target as Element).closest === 'function';

function navigates(element: Element): boolean {
  const link = element.closest('a[href]');
  if (!link) return false;
  const href = link.getAttribute('href')?.trim() ?? '';
  return href !== '' && !href.toLowerCase().startsWith('javascript:');
}

function truncate(text: string): string {
  return text.length > MESSAGE_LIMIT ? `${text.slice(0, MESSAGE_LIMIT)}…` : text;
}

/**
 * The web {@link CaptureAdapter}: clicks, rage clicks, dead clicks, scroll and scroll
 * reversals, input/focus/blur (tag and path only, never a value), submit, resize, errors and
 * visibility, each with the component path of its element (see {@link resolveComponentPath}).
 * Elements without a path, and everything inside `data-factored-ignore`, are not captured.
 *
 * Listeners are passive and do O(1) work: they queue the raw target and time; paths, detectors
 * and layout reads (scroll position, viewport) run in a microtask or a throttled timer.
 *
 * SSR-safe: nothing touches `window` until {@link CaptureAdapter.start} (or the storage
 * getters) run in a browser.
 */
export function createWebAdapter(options: WebAdapterOptions = {}): CaptureAdapter {
  const {
    scrollSampleMs = 100,
    scrollThrottleMs = 1000,
    inputIdleMs = 1000,
    resizeDebounceMs = 500,
    errorAttributionMs = 5000,
    errorMessages = true,
    now = Date.now,
  } = options;
  const rageOptions = options.rageClick;
  const deadOptions = options.deadClick === false ? null : (options.deadClick ?? {});
  const deadWindowMs = deadOptions?.mutationWindowMs ?? 2500;
  const quickWindowMs = deadOptions?.scrollSelectionWindowMs ?? 100;
  const reversalOptions = options.scrollReversal;

  const getWindow = (): Window => {
    const win = options.window ?? (globalThis as { window?: Window }).window;
    if (!win)
      throw new Error(
        'createWebAdapter needs a window; on a server, start capture without an adapter.',
      );
    return win;
  };
  let storage: KVStorage | undefined | null;
  const getStorage = () => {
    if (storage === undefined)
      storage =
        options.storage === undefined ? (usableLocalStorage(getWindow()) ?? null) : options.storage;
    return storage ?? undefined;
  };

  let stopCurrent: (() => void) | null = null;

  const start = (emit: CaptureEmit, context: CaptureAdapterContext) => {
    stopCurrent?.();
    const win = getWindow();
    const doc = win.document;
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const later = (fn: () => void, ms: number) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        fn();
      }, ms);
      timers.add(timer);
      return timer;
    };
    const cancel = (timer: ReturnType<typeof setTimeout> | null) => {
      if (timer === null) return;
      clearTimeout(timer);
      timers.delete(timer);
    };

    const send = (type: EventType, path: ComponentPath, payload: EventPayload, at: number) =>
      emit({ type, path, payload, at });

    const pagePath = (): ComponentPath | null =>
      options.pagePath?.() ?? context.currentPath() ?? resolveComponentPath(doc.body);

    let lastInteraction: { path: ComponentPath; at: number } | null = null;

    // ---- mutations: dead clicks, and paths of elements a click handler removed ------------

    let mutationSeq = 0;
    let observing = false;
    /** Parents of nodes removed since the last processing run, by removed node. */
    const removedFrom = new Map<Node, Node>();
    const pending: DeadCandidate[] = [];

    const settleAll = () => {
      for (const candidate of pending) cancel(candidate.timer);
      pending.length = 0;
    };
    const onMutations = (records: readonly MutationRecord[]) => {
      if (records.length === 0) return;
      mutationSeq += 1;
      if (raw.length > 0) {
        for (const record of records)
          for (const node of record.removedNodes) removedFrom.set(node, record.target);
      }
      settleAll();
      if (pending.length === 0 && raw.length === 0) disconnect();
    };
    const Observer = (win as Window & { MutationObserver?: typeof MutationObserver })
      .MutationObserver;
    const observer = typeof Observer === 'function' ? new Observer(onMutations) : null;
    const observe = () => {
      if (observing || !observer) return;
      observing = true;
      observer.observe(doc, {
        subtree: true,
        childList: true,
        attributes: true,
        characterData: true,
      });
    };
    const disconnect = () => {
      if (!observing || !observer) return;
      observing = false;
      observer.disconnect();
    };

    /** Path of a click target, even when a handler detached it before we got to it. */
    const clickPath = (target: Element): ComponentPath | null => {
      const levels = collectPathLevels(target);
      if (!target.isConnected) {
        let root: Node = target;
        while (root.parentNode) root = root.parentNode;
        const parent = removedFrom.get(root);
        if (parent) collectPathLevels(isElement(parent) ? parent : null, levels);
      }
      return joinPathLevels(levels);
    };

    // ---- detectors ------------------------------------------------------------------------

    const rage = rageOptions === false ? null : createRageClickDetector(rageOptions);
    let rageTimer: ReturnType<typeof setTimeout> | null = null;
    const sendRage = (burst: RageBurst | null) => {
      if (!burst) return;
      send(
        'rage_click',
        burst.path,
        {
          clicks: burst.clicks,
          duration_ms: burst.endedAt - burst.startedAt,
          x: burst.x,
          y: burst.y,
        },
        burst.endedAt,
      );
    };
    const armRageTimer = () => {
      cancel(rageTimer);
      const deadline = rage?.deadline();
      rageTimer =
        deadline == null
          ? null
          : later(
              () => {
                rageTimer = null;
                sendRage(rage?.end(now()) ?? null);
                armRageTimer();
              },
              Math.max(0, deadline - now()) + 1,
            );
    };

    let lastQuickActivityAt = Number.NEGATIVE_INFINITY;
    /**
     * The last focus move, visibility change or window blur. A synthetic click is processed after
     * its whole dispatch, so a reaction may already have happened when the click is considered.
     */
    let lastReaction: { at: number; target: EventTarget | null } | null = null;
    /** A scroll or selection change: clicks of the last `quickWindowMs` worked. */
    const quickActivity = (at: number) => {
      lastQuickActivityAt = at;
      for (let i = pending.length - 1; i >= 0; i -= 1) {
        const candidate = pending[i] as DeadCandidate;
        if (at - candidate.at <= quickWindowMs) {
          cancel(candidate.timer);
          pending.splice(i, 1);
        }
      }
    };

    const considerDeadClick = (
      item: Raw,
      click: MouseEvent,
      target: Element,
      path: ComponentPath,
      x: number,
      y: number,
    ) => {
      if (!deadOptions || click.ctrlKey || click.metaKey || click.shiftKey || click.altKey) return;
      if (navigates(target) || target.closest(FORM_CONTROLS) || isMarked(target, NO_DEAD_ATTRIBUTE))
        return;
      // Something already reacted between the click and this run.
      if (mutationSeq !== item.seq || lastQuickActivityAt >= item.at) return;
      if (lastReaction && lastReaction.at >= item.at && lastReaction.target !== target) return;
      const candidate: DeadCandidate = {
        at: item.at,
        target,
        emit: () => send('dead_click', path, { x, y, tag: tagOf(target) }, item.at),
        timer: later(
          () => {
            const index = pending.indexOf(candidate);
            if (index === -1) return;
            pending.splice(index, 1);
            // Flush observations that have not been delivered yet before judging.
            if (observer) onMutations(observer.takeRecords());
            if (mutationSeq === item.seq) candidate.emit();
            if (pending.length === 0) disconnect();
          },
          Math.max(0, item.at + deadWindowMs - now()),
        ),
      };
      pending.push(candidate);
      observe();
    };

    const scrollState = new Map<
      EventTarget,
      { detector: ScrollReversalDetector | null; lastEmitAt: number }
    >();
    const scrolled = new Set<EventTarget>();
    let sampling = false;
    const sampleScroll = () => {
      sampling = false;
      const at = now();
      for (const target of scrolled) {
        const isPage = target === doc || target === doc.documentElement || target === doc.body;
        const element = isElement(target) ? target : null;
        if (element && isMarked(element, IGNORE_ATTRIBUTE)) continue;
        const path = isPage ? pagePath() : resolveComponentPath(element);
        if (!path) continue;
        const position = isPage ? win.scrollY : (element?.scrollTop ?? 0);
        let state = scrollState.get(target);
        if (!state) {
          state = {
            detector:
              reversalOptions === false ? null : createScrollReversalDetector(reversalOptions),
            lastEmitAt: Number.NEGATIVE_INFINITY,
          };
          scrollState.set(target, state);
        }
        const reversal = state.detector?.sample(position, at);
        if (reversal) send('scroll_reversal', path, { direction: reversal, y: position }, at);
        if (at - state.lastEmitAt >= scrollThrottleMs) {
          state.lastEmitAt = at;
          send('scroll', path, { y: position }, at);
        }
      }
      scrolled.clear();
    };

    let resizeTimer: ReturnType<typeof setTimeout> | null = null;
    const lastInputAt = new WeakMap<Element, number>();

    // ---- deferred processing of raw observations ------------------------------------------

    const raw: Raw[] = [];
    let scheduled = false;
    const schedule = () => {
      if (scheduled) return;
      scheduled = true;
      queueMicrotask(process);
    };

    const elementEvent = (item: Raw): { target: Element; path: ComponentPath } | null => {
      const target = item.event?.target ?? null;
      if (!isElement(target) || isMarked(target, IGNORE_ATTRIBUTE)) return null;
      const path = item.kind === 'click' ? clickPath(target) : resolveComponentPath(target);
      return path ? { target, path } : null;
    };

    function process(): void {
      scheduled = false;
      if (observer && observing) onMutations(observer.takeRecords());
      const items = raw.splice(0);
      for (const item of items) {
        try {
          handle(item);
        } catch {
          // A detector bug must never break the page; the event is skipped.
        }
      }
      removedFrom.clear();
      if (pending.length === 0) disconnect();
    }

    const handle = (item: Raw) => {
      switch (item.kind) {
        case 'click': {
          const found = elementEvent(item);
          if (!found) return;
          const { target, path } = found;
          const click = item.event as MouseEvent;
          const x = Math.round(click.clientX);
          const y = Math.round(click.clientY);
          lastInteraction = { path, at: item.at };
          send('click', path, { x, y, button: click.button, tag: tagOf(target) }, item.at);
          if (rage && !isMarked(target, NO_RAGE_ATTRIBUTE)) {
            sendRage(rage.click({ path, x, y, at: item.at }));
            armRageTimer();
          }
          considerDeadClick(item, click, target, path, x, y);
          return;
        }
        case 'input': {
          const found = elementEvent(item);
          if (!found) return;
          const last = lastInputAt.get(found.target);
          lastInputAt.set(found.target, item.at);
          lastInteraction = { path: found.path, at: item.at };
          if (last === undefined || item.at - last > inputIdleMs)
            send('input', found.path, { tag: tagOf(found.target) }, item.at);
          return;
        }
        case 'focus':
        case 'blur':
        case 'submit': {
          const found = elementEvent(item);
          if (!found) return;
          if (item.kind === 'submit') lastInteraction = { path: found.path, at: item.at };
          send(item.kind, found.path, { tag: tagOf(found.target) }, item.at);
          return;
        }
        case 'visibility': {
          const path = pagePath();
          if (path) send('visibility', path, { state: item.state ?? doc.visibilityState }, item.at);
          return;
        }
        default:
          return;
      }
    };

    const sendError = (kind: 'error' | 'unhandledrejection', message: string | undefined) => {
      const at = now();
      // An error thrown by a click handler arrives before that click was processed; errors are
      // rare, so catching up here keeps the attribution right at no cost to the hot path.
      if (raw.length > 0) process();
      const path =
        lastInteraction && at - lastInteraction.at <= errorAttributionMs
          ? lastInteraction.path
          : pagePath();
      if (!path) return;
      const payload: EventPayload = { kind };
      if (errorMessages && message) payload.message = truncate(message);
      send('error', path, payload, at);
    };

    // ---- listeners: O(1), no layout reads --------------------------------------------------

    const onClick = (event: Event) => {
      if (observer) {
        // Mutations before this click must not count as its reaction.
        if (observing) onMutations(observer.takeRecords());
        observe();
      }
      raw.push({ kind: 'click', event, at: now(), seq: mutationSeq });
      schedule();
    };
    const queueRaw = (kind: Raw['kind']) => (event: Event) => {
      raw.push({ kind, event, at: now() });
      schedule();
    };
    const onScroll = (event: Event) => {
      const at = now();
      if (pending.length > 0) quickActivity(at);
      else lastQuickActivityAt = at;
      if (event.target) scrolled.add(event.target);
      if (!sampling) {
        sampling = true;
        later(sampleScroll, scrollSampleMs);
      }
    };
    const onSelection = () => {
      const at = now();
      if (pending.length > 0) quickActivity(at);
      else lastQuickActivityAt = at;
    };
    const queueFocus = queueRaw('focus');
    const onFocusIn = (event: Event) => {
      // Focus moving somewhere other than the clicked element is a reaction (a dialog opened).
      lastReaction = { at: now(), target: event.target };
      if (pending.length > 0 && !pending.some((c) => c.target === event.target)) settleAll();
      queueFocus(event);
    };
    const onVisibility = () => {
      const at = now();
      lastReaction = { at, target: null };
      settleAll();
      raw.push({ kind: 'visibility', event: null, at, state: doc.visibilityState });
      schedule();
    };
    const onBlurWindow = (event: Event) => {
      // The window itself lost focus (another app or tab); element blurs are not a reaction.
      if (event.target !== win && event.type !== 'pagehide') return;
      lastReaction = { at: now(), target: null };
      settleAll();
    };
    const onResize = () => {
      cancel(resizeTimer);
      resizeTimer = later(() => {
        resizeTimer = null;
        const path = pagePath();
        if (path) send('resize', path, { width: win.innerWidth, height: win.innerHeight }, now());
      }, resizeDebounceMs);
    };
    const onError = (event: Event) => {
      const e = event as ErrorEvent;
      // Resource load failures reach window listeners as plain events; only script errors count.
      if (typeof e.message !== 'string' && !e.error) return;
      sendError('error', e.message || (e.error instanceof Error ? e.error.message : undefined));
    };
    const onRejection = (event: Event) => {
      const reason = (event as PromiseRejectionEvent).reason as unknown;
      sendError(
        'unhandledrejection',
        reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : undefined,
      );
    };

    const listen = { capture: true, passive: true } as const;
    const docListeners: [string, (event: Event) => void][] = [
      ['click', onClick],
      ['input', queueRaw('input')],
      ['focusin', onFocusIn],
      ['focusout', queueRaw('blur')],
      ['submit', queueRaw('submit')],
      ['scroll', onScroll],
      ['selectionchange', onSelection],
      ['visibilitychange', onVisibility],
    ];
    const winListeners: [string, (event: Event) => void][] = [
      ['resize', onResize],
      ['blur', onBlurWindow],
      ['pagehide', onBlurWindow],
      ['unhandledrejection', onRejection],
    ];
    for (const [type, fn] of docListeners) doc.addEventListener(type, fn, listen);
    for (const [type, fn] of winListeners) win.addEventListener(type, fn, listen);
    // Bubbling phase: resource errors do not bubble, script errors do.
    win.addEventListener('error', onError);

    stopCurrent = () => {
      for (const [type, fn] of docListeners) doc.removeEventListener(type, fn, listen);
      for (const [type, fn] of winListeners) win.removeEventListener(type, fn, listen);
      win.removeEventListener('error', onError);
      process();
      if (scrolled.size > 0) sampleScroll();
      sendRage(rage?.end() ?? null);
      settleAll();
      disconnect();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      stopCurrent = null;
    };
  };

  return {
    platform: 'web',
    start,
    stop: () => stopCurrent?.(),
    sessionMetadata(): SessionMetadata {
      const win = getWindow();
      const nav = win.navigator;
      return {
        platform: 'web',
        viewport: { width: win.innerWidth, height: win.innerHeight },
        userAgent: nav.userAgent,
        locale: nav.language,
      };
    },
    get sessionStorage() {
      return getStorage();
    },
    get queueStorage() {
      return getStorage();
    },
    get locks() {
      // Web Locks exist in every current browser; the queue falls back to a lease without them.
      return (getWindow().navigator as { locks?: CaptureLocks }).locks;
    },
    onUnload(callback) {
      const win = getWindow();
      const onHide = () => {
        if (win.document.visibilityState === 'hidden') callback();
      };
      win.document.addEventListener('visibilitychange', onHide);
      win.addEventListener('pagehide', callback);
      return () => {
        win.document.removeEventListener('visibilitychange', onHide);
        win.removeEventListener('pagehide', callback);
      };
    },
  };
}
