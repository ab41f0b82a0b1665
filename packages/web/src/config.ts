/**
 * What the hub tells the page about itself, in the `next-chat-config` meta
 * tag it fills in when serving index.html (packages/server/src/gateway/web-app.ts):
 * the auth mode, the token URL (NEXT_CHAT_WEB_TOKEN_URL) and the WebSocket
 * path. The WebSocket lives on the page's own origin.
 */
export interface WebConfig {
  authMode: 'trust' | 'jwt';
  tokenUrl: string | undefined;
  /** ws(s)://<this host>/next-chat */
  hubUrl: string;
}

export function readConfig(doc: Document = document, loc: Location = location): WebConfig {
  let raw: Record<string, unknown> = {};
  try {
    const content = doc.querySelector('meta[name="next-chat-config"]')?.getAttribute('content') ?? '{}';
    const parsed = JSON.parse(content) as unknown;
    if (parsed !== null && typeof parsed === 'object') raw = parsed as Record<string, unknown>;
  } catch {
    // A page not served by a hub (vite dev): the defaults below.
  }
  const path = typeof raw.path === 'string' ? raw.path : '/next-chat';
  return {
    authMode: raw.authMode === 'jwt' ? 'jwt' : 'trust',
    tokenUrl: typeof raw.tokenUrl === 'string' && raw.tokenUrl !== '' ? raw.tokenUrl : undefined,
    hubUrl: `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}${path}`,
  };
}
