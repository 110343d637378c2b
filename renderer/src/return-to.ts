/**
 * Where a customer 360 was opened from, so its way back says and goes there (消息提醒, 商机管理, a desktop, a
 * report…) rather than always 返回客户列表. The last page that was not a customer's, as its whole hash
 * (a list's filter or a drill stays in it); kept for the window's life, like the browser's own history.
 */
import { parseRoute, type RouteId } from './nav';

let last: string | null = null;

function note(hash: string): void {
  const route = parseRoute(hash);
  if (route !== null && route !== 'customer') last = hash;
}

if (typeof window !== 'undefined') {
  note(window.location.hash);
  window.addEventListener('hashchange', (e) => note(new URL(e.newURL).hash));
}

/** The page to go back to from a customer 360: its route and hash; the customer list when there was none. */
export function returnTo(): { route: RouteId; href: string } {
  const route = last ? parseRoute(last) : null;
  if (!last || route === null || route === 'customer') return { route: 'customers', href: '#/customers' };
  // the sign-in URL's "#token=…" is the home page
  return { route, href: route === 'home' ? '#/home' : last };
}
