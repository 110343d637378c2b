/**
 * Where each page was scrolled, kept in its history entry, as a browser does between documents: the
 * hash routes are one document, so a drill from a desktop scrolled down used to land on the customer
 * grid scrolled down too (its drill chip off screen), and Back returned to the top. Now a new route
 * starts at the top and Back/Forward return to where that page was, once its content is tall enough.
 */
let restoring = 0;

function saveScroll(): void {
  if (restoring) return;
  const state = (history.state ?? {}) as Record<string, unknown>;
  if (state.scrollY === window.scrollY) return;
  history.replaceState({ ...state, scrollY: window.scrollY }, '');
}

/** Scrolls to y as soon as the page is tall enough (its data arrives after the route renders), for up to 2 s. */
function restore(y: number): void {
  const token = ++restoring;
  const started = performance.now();
  const step = () => {
    if (token !== restoring) return;
    window.scrollTo(0, y);
    if (Math.abs(window.scrollY - y) < 2 || performance.now() - started > 2000) {
      restoring = 0;
      return;
    }
    requestAnimationFrame(step);
  };
  step();
}

let installed = false;

export function installScrollMemory(): void {
  if (installed) return;
  installed = true;
  history.scrollRestoration = 'manual';
  let queued = false;
  window.addEventListener(
    'scroll',
    () => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        saveScroll();
      });
    },
    { passive: true },
  );
  // a user's own scroll wins over a restore still waiting for the content
  const cancel = () => {
    restoring = 0;
  };
  window.addEventListener('wheel', cancel, { passive: true });
  window.addEventListener('keydown', cancel);
  window.addEventListener('hashchange', () => {
    const y = (history.state as { scrollY?: unknown } | null)?.scrollY;
    if (typeof y === 'number' && y > 0) restore(y);
    else {
      restoring = 0;
      window.scrollTo(0, 0);
    }
  });
}
