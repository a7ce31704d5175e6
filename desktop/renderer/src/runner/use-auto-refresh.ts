import { useEffect, useRef } from 'react';

/**
 * Calls `refresh` now and then every `intervalMs` while the page is visible
 * (a hidden window or tab costs the runner nothing); at once when it shows again.
 */
export function useAutoRefresh(refresh: () => Promise<void> | void, intervalMs: number): void {
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
  }, [intervalMs]);
}
