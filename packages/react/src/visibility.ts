/** Path wrappers render `display: contents`: they have no box, so look through them. */
function isContentsWrapper(element: Element): boolean {
  return (element as HTMLElement).style?.display === 'contents';
}

/** The first elements with a box under `wrapper`, looking through nested wrappers. */
function boxedChildren(wrapper: Element, into: Element[] = []): Element[] {
  for (const child of wrapper.children) {
    if (isContentsWrapper(child)) boxedChildren(child, into);
    else into.push(child);
  }
  return into;
}

/**
 * Calls `onVisible` once, when any boxed child of `wrapper` first intersects the viewport.
 * Children mounted later are picked up. Where `IntersectionObserver` is missing (old
 * browsers, jsdom) the content counts as visible at once. Returns a cleanup function.
 */
export function observeFirstVisible(wrapper: Element, onVisible: () => void): () => void {
  if (typeof IntersectionObserver === 'undefined') {
    onVisible();
    return () => {};
  }
  const observed = new Set<Element>();
  let mutations: MutationObserver | null = null;
  const intersections = new IntersectionObserver((entries) => {
    if (!entries.some((entry) => entry.isIntersecting)) return;
    cleanup();
    onVisible();
  });
  const collect = () => {
    for (const child of boxedChildren(wrapper)) {
      if (observed.has(child)) continue;
      observed.add(child);
      intersections.observe(child);
    }
  };
  function cleanup() {
    intersections.disconnect();
    mutations?.disconnect();
  }
  collect();
  if (typeof MutationObserver !== 'undefined') {
    mutations = new MutationObserver(collect);
    mutations.observe(wrapper, { childList: true, subtree: true });
  }
  return cleanup;
}

const MAX_WALK = 5000;

/**
 * The structural factors of DESIGN §5, measured once per impression (never in an event
 * listener): `component_depth` is the deepest element nesting inside the wrapper,
 * `sibling_count` the number of elements beside it in its container, `form_field_count` the
 * number of visible form fields (input, select, textarea) inside. Walks at most 5000 elements.
 */
export function structureOf(wrapper: Element): {
  component_depth: number;
  sibling_count: number;
  form_field_count: number;
} {
  const roots = boxedChildren(wrapper);
  let depth = 0;
  let fields = 0;
  let walked = 0;
  const stack: [Element, number][] = roots.map((root) => [root, 1]);
  while (stack.length > 0 && walked < MAX_WALK) {
    const [element, level] = stack.pop()!;
    walked += 1;
    const counted = isContentsWrapper(element) ? level - 1 : level;
    if (counted > depth) depth = counted;
    const tag = element.tagName;
    if (
      (tag === 'INPUT' && (element as HTMLInputElement).type !== 'hidden') ||
      tag === 'SELECT' ||
      tag === 'TEXTAREA'
    ) {
      fields += 1;
    }
    for (const child of element.children) stack.push([child, counted + 1]);
  }
  // Siblings live in the nearest ancestor with a box; our own roots are not siblings.
  let container = wrapper.parentElement;
  while (container && isContentsWrapper(container)) container = container.parentElement;
  const siblings = container ? boxedChildren(container).length - Math.max(1, roots.length) : 0;
  return { component_depth: depth, sibling_count: Math.max(0, siblings), form_field_count: fields };
}
