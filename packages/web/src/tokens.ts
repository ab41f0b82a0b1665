/**
 * The session's token over time. A token runs out at its `exp`, and the hub
 * then closes the connection (1008). With a token URL a new one is fetched
 * ahead of time (a minute before, or half-way for a short-lived token) and
 * the keeper says `renewed`, so the connection can move to it; without, it
 * says `expired` at `exp`, and the person goes back to sign-in.
 */
import type { WebConfig } from './config.js';
import { errorText } from './model/errors.js';
import { msUntilExpiry } from './model/token.js';
import { fetchToken, saveSession, SignInError, type Session } from './session.js';

/** Renew a token from the token URL this long before it expires. */
const RENEW_BEFORE_MS = 60_000;
/** A (re)connect with a token this close to its expiry fetches a new one first. */
const CONNECT_MARGIN_MS = 10_000;
/** A renewal that failed is tried again this much later (while the token lasts). */
const RETRY_MS = 10_000;

export interface TokenEvents {
  /** A new token is in the session: reconnect with it. */
  renewed(): void;
  /** The token ran out and no new one can be had. */
  expired(sentence: string): void;
}

export class TokenKeeper {
  #session: Session;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #renewing: Promise<void> | undefined;
  #stopped = false;

  constructor(
    session: Session,
    private readonly config: WebConfig,
    private readonly events: TokenEvents,
  ) {
    this.#session = session;
  }

  get session(): Session {
    return this.#session;
  }

  /** True when the token has (all but) run out. */
  get expired(): boolean {
    return (msUntilExpiry(this.#session.token) ?? Infinity) <= 1000;
  }

  get renewable(): boolean {
    return this.#session.refreshable;
  }

  /** The token to connect with: renewed first when it would not last the connect. */
  async current(): Promise<string> {
    const left = msUntilExpiry(this.#session.token);
    if (left !== undefined && left < CONNECT_MARGIN_MS && this.#session.refreshable) await this.renew();
    return this.#session.token;
  }

  /** Fetches a new token from the token URL (one fetch at a time) and keeps it. */
  renew(): Promise<void> {
    this.#renewing ??= (async () => {
      try {
        const s = await fetchToken(this.config);
        if (s.userId !== this.#session.userId) throw new SignInError('The sign-in service now names another user; sign in again.');
        this.#session = s;
        saveSession(s);
        this.arm();
      } finally {
        this.#renewing = undefined;
      }
    })();
    return this.#renewing;
  }

  /** Plans the next renewal (or the expiry) of the token as it is now. */
  arm(): void {
    clearTimeout(this.#timer);
    const left = msUntilExpiry(this.#session.token);
    if (left === undefined || this.#stopped) return;
    const at = this.#session.refreshable ? Math.max(0, left - RENEW_BEFORE_MS, left / 2) : Math.max(0, left);
    // setTimeout holds at most 2^31-1 ms; a longer-lived token is re-armed on the way.
    this.#timer = setTimeout(() => this.#due(), Math.min(at, 2 ** 31 - 1));
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #due(): void {
    if (this.#stopped) return;
    if (!this.#session.refreshable) {
      if (!this.expired) return this.arm();
      this.events.expired('Your session has expired; sign in again to go on.');
      return;
    }
    this.renew().then(
      () => this.events.renewed(),
      (err: unknown) => {
        if ((msUntilExpiry(this.#session.token) ?? Infinity) <= 0) this.events.expired(`Your session has expired and could not be renewed: ${errorText(err)}`);
        else this.#timer = setTimeout(() => this.#due(), RETRY_MS);
      },
    );
  }
}
