import { useEffect, useRef } from 'react';

/**
 * Calls `refresh` now and then every `intervalMs` while the page is visible
 * (a hidden window or tab costs the runner nothing); at once when it shows again,
 * and at once when `reading` changes (a filter or a page: no wait for the next tick).
 */
export function useAutoRefresh(
  refresh: () => Promise<void> | void,
  intervalMs: number,
  reading?: string,
): void {
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    const tick = () => {
      if (document.visibilityState === 'visible') void latest.current();
    };
    tick();
    const timer = setInterval(tick, intervalMs);
    document.addEventListener('visibilitychange', tick);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', tick);
    };
  }, [intervalMs, reading]);
}
