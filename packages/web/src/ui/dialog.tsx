/**
 * A modal dialog on the native <dialog>: the browser keeps focus inside,
 * Escape closes it, and focus goes back where it was when it closes.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';

export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean; describedBy?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    const before = document.activeElement as HTMLElement | null;
    if (d && !d.open) d.showModal();
    return () => {
      if (d?.open) d.close();
      before?.focus?.();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class={props.wide ? 'dialog wide' : 'dialog'}
      aria-labelledby={titleId}
      aria-describedby={props.describedBy}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      <header class="dialog-head">
        <h2 id={titleId}>{props.title}</h2>
        <button type="button" class="icon-button" aria-label="Close" onClick={props.onClose}>
          <span aria-hidden="true">×</span>
        </button>
      </header>
      <div class="dialog-body">{props.children}</div>
    </dialog>
  );
}

/** Asks before something that cannot be undone. */
export function Confirm(props: { title: string; text: string; action: string; onConfirm: () => void | Promise<void>; onClose: () => void; danger?: boolean }) {
  const textId = useId();
  return (
    <Dialog title={props.title} onClose={props.onClose} describedBy={textId}>
      <p id={textId}>{props.text}</p>
      <div class="row end">
        <button type="button" class="button" onClick={props.onClose}>
          Cancel
        </button>
        <button
          type="button"
          class={props.danger ? 'button danger' : 'button primary'}
          autofocus
          onClick={async () => {
            await props.onConfirm();
            props.onClose();
          }}
        >
          {props.action}
        </button>
      </div>
    </Dialog>
  );
}
