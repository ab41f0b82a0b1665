/**
 * Pure paging rules over a group's log, shared by group.join and
 * message.history. Inputs are the newest `limit + 1` messages read from the
 * log (oldest first): the extra one tells whether more exist.
 */
import { compareMessageIds, type Message } from '@next-chat/core';

export interface JoinHistory {
  history: Message[];
  complete: boolean;
}

/**
 * group.join: without `since`, the latest `limit` messages; with `since`, the
 * messages after it, the latest `limit` of them when more were missed.
 * `complete` is true when nothing older that the client asked for is left out.
 * `top` is the log's newest entry: a `since` beyond it is a place this log
 * never had or no longer has (a failover lost its newest entries, or the
 * group was deleted and made again), so the client cannot pick up from it:
 * it gets the newest messages with `complete: false`, and resynchronises.
 */
export function joinHistory(newest: Message[], limit: number, since: string | undefined, top: string | null = null): JoinHistory {
  let candidates = newest;
  if (since !== undefined && top !== null && compareMessageIds(since, top) > 0) {
    return { history: newest.slice(Math.max(0, newest.length - limit)), complete: false };
  }
  if (since !== undefined) {
    let i = 0;
    while (i < newest.length && compareMessageIds((newest[i] as Message).id, since) <= 0) i++;
    candidates = newest.slice(i);
  }
  const complete = candidates.length <= limit;
  const history = complete ? candidates : candidates.slice(candidates.length - limit);
  return { history, complete };
}

/** message.history: a page of `limit`, and the cursor of the older page. */
export function historyPage(newest: Message[], limit: number): { messages: Message[]; next: string | null } {
  if (newest.length <= limit) return { messages: newest, next: null };
  const messages = newest.slice(newest.length - limit);
  return { messages, next: (messages[0] as Message).id };
}
