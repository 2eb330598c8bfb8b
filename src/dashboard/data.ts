// Loading what a view shows: useData runs the request when its inputs change and again on
// reload() (a live change, an action), keeping what it showed until the new answer arrives, so a
// refresh never flashes the page empty. An answer that arrives after a newer request is dropped.

import { useCallback, useEffect, useRef, useState } from "preact/hooks";

export interface Data<T> {
  data: T | null;
  error: Error | null;
  loading: boolean;
  reload: () => void;
}

export function useData<T>(load: () => Promise<T>, inputs: unknown[]): Data<T> {
  const [state, setState] = useState<{ data: T | null; error: Error | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const latest = useRef(0);
  const loader = useRef(load);
  loader.current = load;
  const run = useCallback(() => {
    const n = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    loader.current().then(
      (data) => n === latest.current && setState({ data, error: null, loading: false }),
      (error: Error) => n === latest.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
  }, []);
  useEffect(() => {
    // new inputs: what was shown belonged to the old ones
    setState({ data: null, error: null, loading: true });
    run();
  }, inputs);
  return { ...state, reload: run };
}

/** Re-renders every `ms` (relative times stay true). */
export function useTick(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
