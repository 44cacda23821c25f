import {
  type AnchorHTMLAttributes,
  createContext,
  type MouseEvent,
  useContext,
  useEffect,
  useState,
} from 'react';

/**
 * A small history router: the app's pages are a list of patterns ("/t/:id"), matched in order.
 * The node answers every app path with index.html, so deep links and reloads work.
 */
export interface Route {
  pattern: string;
  render: (params: Record<string, string>, query: URLSearchParams) => React.ReactNode;
}

export interface Location {
  path: string;
  query: URLSearchParams;
}

const LocationContext = createContext<Location>({ path: '/', query: new URLSearchParams() });

/** Matches `path` against `pattern`; params decoded; undefined when it does not match. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const part = want[i]!;
    const value = have[i]!;
    if (part.startsWith(':')) {
      try {
        params[part.slice(1)] = decodeURIComponent(value);
      } catch {
        return undefined;
      }
    } else if (part !== value) return undefined;
  }
  return params;
}

function currentLocation(): Location {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

/** Goes to an app path without reloading; `replace` for changes that should not add history (typing). */
export function navigate(to: string, options: { replace?: boolean } = {}) {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new PopStateEvent('popstate'));
  if (options.replace) return;
  const hash = new URL(to, window.location.href).hash.slice(1);
  if (hash) scrollToWhenShown(hash);
  else window.scrollTo(0, 0);
}

/** A link to a part of a page (#id): the page may still be loading, so look for a second. */
function scrollToWhenShown(id: string, deadline = Date.now() + 1000) {
  const element = document.getElementById(decodeURIComponent(id));
  if (element) element.scrollIntoView();
  else if (Date.now() < deadline) setTimeout(() => scrollToWhenShown(id, deadline), 50);
}

export function Router({ routes, fallback }: { routes: Route[]; fallback: React.ReactNode }) {
  const [location, setLocation] = useState(currentLocation);
  useEffect(() => {
    const onChange = () => setLocation(currentLocation());
    window.addEventListener('popstate', onChange);
    return () => window.removeEventListener('popstate', onChange);
  }, []);
  let page: React.ReactNode = fallback;
  for (const route of routes) {
    const params = matchPath(route.pattern, location.path);
    if (params) {
      page = route.render(params, location.query);
      break;
    }
  }
  return <LocationContext.Provider value={location}>{page}</LocationContext.Provider>;
}

export function useLocation(): Location {
  return useContext(LocationContext);
}

/** An ordinary link (open in new tab works) that navigates in place on a plain click. */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const click = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={click} {...rest} />;
}
