// Which view a path shows, and moving between them without reloading (history.pushState): the
// server answers every one of these paths with the same page.

import { useEffect, useState } from "preact/hooks";

export type Route =
  | { view: "executions"; query: URLSearchParams }
  | { view: "execution"; id: string }
  | { view: "queues" }
  | { view: "schedules" }
  | { view: "versions"; name: string | null; query: URLSearchParams }
  | { view: "missing" };

export function routeOf(path: string, search: string): Route {
  const query = new URLSearchParams(search);
  if (path === "/") return { view: "executions", query };
  if (path === "/queues") return { view: "queues" };
  if (path === "/schedules") return { view: "schedules" };
  if (path === "/versions") return { view: "versions", name: null, query };
  let m = /^\/executions\/([^/]+)$/.exec(path);
  if (m) return { view: "execution", id: decodeURIComponent(m[1]) };
  m = /^\/versions\/([^/]+)$/.exec(path);
  if (m) return { view: "versions", name: decodeURIComponent(m[1]), query };
  return { view: "missing" };
}

const listeners = new Set<() => void>();

export function navigate(href: string, replace = false): void {
  if (replace) history.replaceState(null, "", href);
  else history.pushState(null, "", href);
  window.scrollTo(0, 0);
  for (const l of listeners) l();
}

/** The current route; re-renders on navigation and on the browser's back and forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(location.pathname, location.search));
  useEffect(() => {
    const update = () => setRoute(routeOf(location.pathname, location.search));
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return route;
}

/** A click on a same-origin link moves within the app (ctrl/cmd/middle click still open a tab). */
export function onLinkClick(e: MouseEvent): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.target as Element).closest("a");
  if (!a || a.target || a.origin !== location.origin || a.hasAttribute("download")) return;
  e.preventDefault();
  navigate(a.pathname + a.search);
}
