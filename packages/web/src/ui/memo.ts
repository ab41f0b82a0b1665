/**
 * `memo` without preact/compat: a component that re-renders only when a
 * prop changed (by identity). For rows of long lists.
 */
import { Component, type ComponentChild, type FunctionComponent } from 'preact';

export function memo<P extends object>(fn: FunctionComponent<P>): new (props: P) => Component<P> {
  return class Memo extends Component<P> {
    override shouldComponentUpdate(next: P): boolean {
      const prev = this.props as Record<string, unknown>;
      const n = next as Record<string, unknown>;
      for (const k in n) if (k !== 'children' && n[k] !== prev[k]) return true;
      for (const k in prev) if (!(k in n)) return true;
      return false;
    }
    override render(props: P): ComponentChild {
      return fn(props);
    }
  };
}
