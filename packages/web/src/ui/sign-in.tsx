/**
 * Sign-in. Trust mode: a user id. Jwt mode: the token URL (tried at once),
 * or a token pasted by hand; a `#token=...` link never shows this screen
 * unless its token is refused. `notice` says why the person is here again
 * (an expired session).
 */
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { WebConfig } from '../config.js';
import { useFocusOnMount } from './hooks.js';
import { fetchToken, jwtSession, lastUserId, SignInError, trustSession, type Session } from '../session.js';

function sentence(err: unknown): string {
  return err instanceof SignInError ? err.message : err instanceof Error ? err.message : 'Signing in failed; try again.';
}

export function SignIn(props: { config: WebConfig; notice?: string; busy?: boolean; onSession: (s: Session) => Promise<void> }) {
  const { config } = props;
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [userId, setUserId] = useState(lastUserId());
  const [token, setToken] = useState('');
  const errorId = useId();
  const noticeId = useId();
  const tried = useRef(false);
  const userInput = useFocusOnMount<HTMLInputElement>();

  const attempt = async (make: () => Session | Promise<Session>) => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onSession(await make());
    } catch (err) {
      setError(sentence(err));
    } finally {
      setBusy(false);
    }
  };

  // With a token URL, the organisation's login is tried at once (unless the person was just sent back here).
  useEffect(() => {
    if (config.authMode === 'jwt' && config.tokenUrl !== undefined && !tried.current && props.notice === undefined) {
      tried.current = true;
      void attempt(() => fetchToken(config));
    }
  }, []);

  const described = [props.notice ? noticeId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;

  return (
    <main class="sign-in" aria-labelledby="sign-in-title">
      <div class="sign-in-card">
        <h1 id="sign-in-title">
          <span class="logo" aria-hidden="true" />
          Next Chat
        </h1>
        {props.notice && (
          <p id={noticeId} class="callout" role="status">
            {props.notice}
          </p>
        )}
        {config.authMode === 'trust' ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void attempt(() => trustSession(userId));
            }}
          >
            <label for="user-id">User id</label>
            <input
              id="user-id"
              name="user"
              autocomplete="username"
              autocapitalize="none"
              spellcheck={false}
              required
              maxLength={64}
              value={userId}
              aria-describedby={described}
              aria-invalid={error ? 'true' : undefined}
              onInput={(e) => setUserId((e.target as HTMLInputElement).value)}
              ref={userInput}
            />
            <p class="hint">This hub trusts the name you give (development mode).</p>
            <button class="button primary wide" type="submit" disabled={busy || props.busy}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
          </form>
        ) : (
          <div>
            {config.tokenUrl !== undefined && (
              <>
                <p>Sign in with your organisation's account.</p>
                <button class="button primary wide" type="button" disabled={busy || props.busy} onClick={() => void attempt(() => fetchToken(config))}>
                  {busy ? 'Signing in…' : 'Sign in'}
                </button>
              </>
            )}
            {config.tokenUrl === undefined && <p>Open the sign-in link you were given (it ends in #token=…), or paste a token here.</p>}
            <details class="token-form" open={config.tokenUrl === undefined}>
              <summary>{config.tokenUrl === undefined ? 'Sign in with a token' : 'Use a token instead'}</summary>
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  void attempt(() => jwtSession(token, false));
                }}
              >
                <label for="token">Token</label>
                <textarea
                  id="token"
                  rows={4}
                  spellcheck={false}
                  autocapitalize="none"
                  value={token}
                  aria-describedby={described}
                  onInput={(e) => setToken((e.target as HTMLTextAreaElement).value)}
                />
                <button class="button primary wide" type="submit" disabled={busy || token.trim() === ''}>
                  Sign in
                </button>
              </form>
            </details>
          </div>
        )}
        {error && (
          <p id={errorId} class="error-text" role="alert">
            {error}
          </p>
        )}
      </div>
    </main>
  );
}
