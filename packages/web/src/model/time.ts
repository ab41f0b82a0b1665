/** Dates and times as the message view shows them, in the browser's time zone and language. */

/** The local calendar day of a time, as `YYYY-MM-DD`: what day separators group by. */
export function dayKey(at: string | number | Date, timeZone?: string): string {
  const d = new Date(at);
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** "Today", "Yesterday" or the full date, for a day separator. */
export function dayLabel(key: string, now: Date = new Date(), locale?: string, timeZone?: string): string {
  if (key === dayKey(now, timeZone)) return 'Today';
  if (key === dayKey(now.getTime() - 86_400_000, timeZone)) return 'Yesterday';
  const [y, m, d] = key.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d, 12));
  const sameYear = key.slice(0, 4) === dayKey(now, timeZone).slice(0, 4);
  return new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', ...(sameYear ? {} : { year: 'numeric' }), timeZone: 'UTC' }).format(date);
}

/** The clock time of a message: `14:05`, or as the locale writes it. */
export function timeLabel(at: string, locale?: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone }).format(new Date(at));
}

/** Date and time in full, for a tooltip and for screen readers. */
export function fullTimeLabel(at: string, locale?: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone }).format(new Date(at));
}
