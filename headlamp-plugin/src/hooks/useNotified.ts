// Module-level stores (rules read ahead, reporter security, NRC's events) are
// shared by every cell of a 5,000-row table; each tells its readers it changed
// by calling its listeners, and this is how a component listens.
import { useEffect, useState } from 'react';

/** Re-renders the caller when any of `listeners` is called, while `active`; `onSubscribe` runs as it starts listening. */
export function useNotified(listeners: Set<() => void>, key: string, active = true, onSubscribe?: () => void): void {
  const [, setVersion] = useState(0);
  useEffect(() => {
    if (!active) return undefined;
    const listener = () => setVersion((version) => version + 1);
    listeners.add(listener);
    onSubscribe?.();
    return () => {
      listeners.delete(listener);
    };
    // onSubscribe starts idempotent reads keyed by the cluster: a new closure each render is not a new subscription.
  }, [listeners, key, active]);
}
