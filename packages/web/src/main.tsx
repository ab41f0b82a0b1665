/**
 * Entry point. First of all, a token handed over in the address
 * (`#token=...`) is taken out of it, so it is neither bookmarked, nor
 * shared, nor left in the history; then the app starts.
 */
import './sdk/zod-jitless.js';
import { render } from 'preact';
import { readConfig } from './config.js';
import { msUntilExpiry, tokenFromFragment } from './model/token.js';
import { clearSession, EXPIRY_MARGIN_MS, jwtSession, loadSession, SignInError, type Session } from './session.js';
import { App, type Boot } from './ui/app.js';
import './styles.css';

function boot(): Boot {
  const config = readConfig();
  const handed = tokenFromFragment(location.hash);
  if (location.hash !== '') history.replaceState(history.state, '', `${location.pathname}${location.search}`);
  if (handed !== undefined) {
    if (config.authMode !== 'jwt') return { config, session: undefined, notice: 'This hub does not use sign-in links; sign in with your user id.' };
    try {
      return { config, session: jwtSession(handed, false), notice: undefined };
    } catch (err) {
      clearSession();
      return { config, session: undefined, notice: err instanceof SignInError ? err.message : 'This sign-in link cannot be used.' };
    }
  }
  const saved: Session | undefined = loadSession();
  if (saved && config.authMode === 'jwt') {
    const left = msUntilExpiry(saved.token);
    if (left !== undefined && left <= EXPIRY_MARGIN_MS && !saved.refreshable) {
      clearSession();
      return { config, session: undefined, notice: 'Your session has expired; sign in again to go on.' };
    }
  }
  // A saved session of the other mode (the hub was reconfigured) is no use.
  const fits = saved && (config.authMode === 'jwt' ? saved.token !== saved.userId : saved.token === saved.userId);
  return { config, session: fits ? saved : undefined, notice: undefined };
}

render(<App boot={boot()} />, document.getElementById('app')!);

// A sign-in link opened in this tab while the app runs changes only the fragment: start over with it.
addEventListener('hashchange', () => {
  if (tokenFromFragment(location.hash) !== undefined) location.reload();
});
