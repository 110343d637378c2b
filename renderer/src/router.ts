/** Hash routing (#/home, #/customers, …) and keyboard helpers; no router dependency. */
import { useSyncExternalStore } from 'react';
import { hrefOf, parseRoute, routeParam, type RouteId } from './nav';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const snapshot = (): string => window.location.hash;

/** The current route from `location.hash` ("#/customers"); null when the path is unknown. */
export function useRoute(): RouteId | null {
  return parseRoute(useSyncExternalStore(subscribe, snapshot));
}

/** The current route's parameter ("#/customer/123" -> "123"). */
export function useRouteParam(): string | null {
  return routeParam(useSyncExternalStore(subscribe, snapshot));
}

/** Opens one customer's 360 page. */
export function openCustomer(id: number): void {
  window.location.hash = `#/customer/${id}`;
}

export function navigate(id: RouteId): void {
  const href = hrefOf(id);
  if (window.location.hash !== href) window.location.hash = href;
}

/** Whether a key press happened while typing (shortcuts must not steal characters). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
}

/** Whether a modal dialog is showing (page shortcuts stay quiet under it). */
export function anyModalOpen(): boolean {
  return document.querySelector('dialog[open]') !== null;
}
