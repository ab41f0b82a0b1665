export * from './errors.js';
export * from './message-id.js';
export * from './types.js';
export * from './limits.js';
export * from './methods.js';
export * from './rpc.js';
export * from './webhooks.js';
