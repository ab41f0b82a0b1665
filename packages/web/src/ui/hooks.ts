import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import type { ChatStore, ChatState } from '../model/store.js';

/** Re-renders the component when the store changes. */
export function useStore(store: ChatStore): ChatState {
  const [, bump] = useState(0);
  useEffect(() => store.subscribe(() => bump((n) => n + 1)), [store]);
  return store.state;
}

/** Calls `fn` on Escape while mounted. */
export function useEscape(fn: () => void): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const h = (e: KeyboardEvent) => {
      if (e.key === 'Escape') ref.current();
    };
    addEventListener('keydown', h);
    return () => removeEventListener('keydown', h);
  }, []);
}

/** A ticking clock (ms), for countdowns. */
export function useNow(intervalMs: number, active = true): number {
  const [now, set] = useReducer((_: number, n: number) => n, Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => set(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs, active]);
  return now;
}

/** Focuses the element once it is in the page (`autofocus` works on page load only); `caretAtEnd` for a text being edited. */
export function useFocusOnMount<T extends HTMLElement>(o: { caretAtEnd?: boolean } = {}): { current: T | null } {
  const ref = useRef<T>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.focus();
    if (o.caretAtEnd && (el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement)) el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  return ref;
}
