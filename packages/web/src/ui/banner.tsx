/**
 * The connection banner: offline, reconnecting (with the next try), closed
 * for good (with a button), and, after a reconnect, "caught up: N missed
 * messages". Short drops (a token refresh, a hub restarting) do not flash
 * it: it shows a state only once it has lasted a moment. One live region,
 * always in the page, so screen readers hear every change.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Chat } from '../chat.js';
import type { ChatState } from '../model/store.js';
import { useNow } from './hooks.js';

const SHOW_AFTER_MS = 1_000;
const CAUGHT_UP_MS = 8_000;

export function Banner(props: { chat: Chat; state: ChatState }) {
  const { connection, caughtUp } = props.state;
  const [shownStatus, setShown] = useState<string>('online');
  const now = useNow(1000, connection.status === 'reconnecting');

  useEffect(() => {
    if (connection.status === 'online') {
      setShown('online');
      return;
    }
    if (connection.status === 'closed' || connection.status === 'offline') {
      setShown(connection.status);
      return;
    }
    const t = setTimeout(() => setShown(connection.status), SHOW_AFTER_MS);
    return () => clearTimeout(t);
  }, [connection.status]);

  useEffect(() => {
    if (!caughtUp) return;
    const t = setTimeout(() => props.chat.store.setCaughtUp(null), CAUGHT_UP_MS);
    return () => clearTimeout(t);
  }, [caughtUp]);

  let tone = '';
  let content: ComponentChildren = null;
  if (shownStatus === 'offline' && connection.status !== 'online') {
    tone = 'warn';
    content = 'You are offline. What you write is sent when the connection is back.';
  } else if (shownStatus === 'reconnecting' && connection.status === 'reconnecting') {
    tone = 'warn';
    const wait = Math.max(0, Math.ceil((connection.retryAt - now) / 1000));
    content = `Connection lost. Reconnecting${wait > 1 ? ` in ${wait} s` : '…'}`;
  } else if (shownStatus === 'connecting' && connection.status === 'connecting') {
    tone = 'info';
    content = 'Connecting…';
  } else if (connection.status === 'closed') {
    tone = 'error';
    content = (
      <>
        {connection.sentence}{' '}
        <button type="button" class="button small" onClick={() => props.chat.reconnectNow()}>
          Reconnect
        </button>
      </>
    );
  } else if (caughtUp && connection.status === 'online') {
    tone = 'ok';
    content = `Back online. Caught up: ${caughtUp.missed} missed ${caughtUp.missed === 1 ? 'message' : 'messages'}${caughtUp.gap ? ' (older ones were skipped)' : ''}.`;
  }
  return (
    <div class={content === null ? 'banner empty' : `banner ${tone}`} role="status">
      {content}
    </div>
  );
}
