/**
 * The operator's synchronous moderation hook (docs/api.md, "Moderation
 * hook"), asked before a message or an edit is stored.
 */
export interface ModerationInput {
  kind: 'message' | 'edit';
  groupId: string;
  authorId: string;
  text: string;
  /** The edited message (kind `edit`). */
  messageId?: string;
  clientMessageId?: string;
}

export type ModerationVerdict =
  | { action: 'allow' }
  /** `reason`: a sentence for the sender. */
  | { action: 'reject'; reason: string }
  /** The text to store instead (already checked like any message's text). */
  | { action: 'replace'; text: string };

export interface Moderator {
  /**
   * The verdict. A hook that fails or times out resolves per
   * NEXT_CHAT_MODERATION_FAILURE: `allow` when open, a 4503 RpcError when closed.
   */
  check(input: ModerationInput): Promise<ModerationVerdict>;
}
