/**
 * @next-chat/client: the Next Chat SDK. Typed JSON-RPC over WebSocket with
 * request timeouts, rate-limit retries, reconnect with backoff and gap-free
 * resume of joined groups.
 *
 * ```ts
 * const client = new NextChatClient({ url: 'ws://localhost:5000/next-chat', token: 'alice' });
 * client.on('message', (m) => console.log(m.groupId, m.authorId, m.text));
 * await client.connect();
 * await client.join('lobby');
 * await client.send('lobby', 'hello');
 * ```
 */
export { NextChatClient, TYPING_INTERVAL_MS } from './client.js';
export type {
  ClientEvents,
  ConnectionState,
  ConnectOptions,
  ConversationsParams,
  CreateGroupParams,
  MessageUpdatedEvent,
  PageParams,
  RequestOptions,
  UpdateGroupParams,
} from './client.js';
export type { ClientOptions, ReconnectOptions } from './options.js';
export {
  ClientError,
  ConnectError,
  ConnectionClosedError,
  ConnectionLostError,
  NotConnectedError,
  RequestTimeoutError,
  ResumeError,
} from './errors.js';
export { Backoff, backoffDelay, backoffCeiling, DEFAULT_BACKOFF, type BackoffOptions } from './reconnect.js';
export {
  LastSeen,
  KnownChanges,
  mergeMissed,
  mergeResume,
  firstPageBefore,
  nextPageBefore,
  pickUpdates,
  updatesOverflow,
  overflowPage,
  laterCursor,
  changeKey,
  idAfter,
  type LiveEntry,
} from './resume.js';
export { normalizeHubUrl } from './url.js';
export type { WebSocketConstructor, WebSocketLike } from './transport.js';
export type { Listener } from './emitter.js';
export { RpcError, ErrorCode, CloseCode } from '@next-chat/core';
export type {
  Ban,
  Conversation,
  Group,
  GroupKind,
  Invitation,
  LeaveReason,
  Member,
  MemberEvent,
  MemberLeftEvent,
  MemberReadEvent,
  MemberRoleEvent,
  Message,
  MessageUpdate,
  MethodName,
  Notifications,
  ParamsInput,
  ReadEvent,
  RemovedReason,
  Results,
  Role,
  TypingEvent,
  Visibility,
} from '@next-chat/core';
