/**
 * Stands in for the `ws` package in the browser bundle (vite.config.ts
 * aliases it here). The SDK loads `ws` only when it runs in Node; in a
 * browser it uses the native WebSocket, so this is never called.
 */
export class WebSocket {
  constructor() {
    throw new Error('the ws package is for Node; browsers use their own WebSocket');
  }
}
export default { WebSocket };
