/**
 * How things look on the console: colours only on a TTY and never with
 * NO_COLOR (https://no-color.org), times in local HH:MM:SS, and text from the
 * network stripped of control characters so a message cannot drive the
 * terminal.
 */
import type { Group, Member, MemberEvent, Message } from '@next-chat/client';

export interface Style {
  readonly color: boolean;
  dim(s: string): string;
  bold(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  /** A stable colour per user id, so a conversation is easy to follow. */
  user(id: string): string;
}

const sgr = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;
const USER_COLOURS = [31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96];

export function makeStyle(color: boolean): Style {
  if (!color) {
    const id = (s: string) => s;
    return { color, dim: id, bold: id, red: id, green: id, yellow: id, cyan: id, user: id };
  }
  return {
    color,
    dim: sgr(2, 22),
    bold: sgr(1, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
    user: (id) => {
      let h = 0;
      for (const ch of id) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
      return sgr(USER_COLOURS[h % USER_COLOURS.length], 39)(id);
    },
  };
}

/**
 * Colour or not: an explicit --color/--no-color wins; otherwise only when the
 * stream is a TTY and NO_COLOR is unset or empty.
 */
export function shouldColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, flag?: boolean): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

/** Replaces control characters (ESC, BEL, CR, ...) with visible placeholders. */
export function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) =>
    c === '\r' ? '' : `^${String.fromCharCode((c.charCodeAt(0) + 64) & 0x7f)}`,
  );
}

export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '--:--:--';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** `10:00:01 #lobby alice: hello`; continuation lines of a multi-line text are indented. */
export function formatMessage(m: Message, st: Style): string {
  const head = `${st.dim(formatTime(m.sentAt))} ${st.cyan(`#${m.groupId}`)} ${st.user(m.authorId)}: `;
  const indent = ' '.repeat(visibleLength(head));
  return head + clean(m.text).split('\n').join(`\n${indent}`);
}

export function formatMemberEvent(kind: 'joined' | 'left', e: MemberEvent, st: Style): string {
  return st.dim(`${formatTime(e.at)} #${e.groupId} * ${e.userId} ${kind}`);
}

export function formatGroup(g: Group, st: Style): string {
  const n = `${g.memberCount} member${g.memberCount === 1 ? '' : 's'}`;
  return `${st.cyan(`#${g.id}`)}  ${st.dim(`${n}, created by ${g.createdBy}`)}`;
}

export function formatMember(m: Member, st: Style): string {
  return `${m.online ? st.green('●') : st.dim('○')} ${st.user(m.userId)}${m.online ? '' : st.dim(' (offline)')}`;
}

/** Length without SGR escapes. */
export function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
