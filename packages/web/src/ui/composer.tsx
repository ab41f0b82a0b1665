/**
 * The message box. Enter sends, Shift+Enter starts a new line; the count of
 * characters shows near the 4,000 limit and a text over it is refused
 * before it is sent, with a sentence. Up in an empty box edits your last
 * message. Drafts are kept per conversation while the page is open.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Chat } from '../chat.js';
import type { Conv } from '../model/store.js';
import { checkText, MAX_TEXT_CODE_POINTS } from '../model/text.js';

const drafts = new Map<string, string>();

export function Composer(props: { chat: Chat; conv: Conv; name: string; onEditLast: () => void }) {
  const { chat, conv } = props;
  const [text, setText] = useState(drafts.get(conv.id) ?? '');
  const [tried, setTried] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const check = checkText(text);

  useEffect(() => {
    setText(drafts.get(conv.id) ?? '');
    setTried(false);
  }, [conv.id]);

  // Grows with its text, up to a third of the screen (then it scrolls).
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight + 2, Math.round(innerHeight / 3))}px`;
  }, [text]);

  const change = (v: string) => {
    setText(v);
    drafts.set(conv.id, v);
    if (v.trim() !== '') chat.typing(conv.id);
  };

  const send = () => {
    setTried(true);
    if (!check.ok) return;
    chat.send(conv.id, text);
    drafts.delete(conv.id);
    setText('');
    setTried(false);
  };

  const problem = check.problem ?? (tried && text.trim() === '' ? 'Write something first.' : undefined);
  const over = check.left < 0;

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <div class="composer-row">
        <label for="composer" class="sr-only">
          Message {props.name}
        </label>
        <textarea
          id="composer"
          ref={box}
          rows={1}
          value={text}
          placeholder={`Message ${props.name}`}
          aria-describedby="composer-help composer-count composer-problem"
          aria-invalid={over ? 'true' : undefined}
          onInput={(e) => change((e.target as HTMLTextAreaElement).value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              send();
            } else if (e.key === 'ArrowUp' && text === '') {
              e.preventDefault();
              props.onEditLast();
            }
          }}
        />
        <button type="submit" class="button primary" disabled={over}>
          Send
        </button>
      </div>
      <div class="composer-info">
        <span id="composer-help" class="hint">
          Enter to send, Shift+Enter for a new line
        </span>
        <span id="composer-count" class={`count${over ? ' over' : ''}`} hidden={!check.showCount}>
          {check.count.toLocaleString('en')} / {MAX_TEXT_CODE_POINTS.toLocaleString('en')}
        </span>
      </div>
      <p id="composer-problem" class="error-text" role="status" hidden={problem === undefined}>
        {problem}
      </p>
    </form>
  );
}
