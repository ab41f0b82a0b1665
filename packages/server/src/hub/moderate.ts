/**
 * What the moderation hook's verdict means for the text to store: the one
 * place that turns it into the text or the sender's error.
 */
import { errors } from '@next-chat/core';
import type { ModerationInput, Moderator } from '../ports/moderation.js';

export async function moderatedText(moderator: Moderator, input: ModerationInput): Promise<string> {
  const v = await moderator.check(input);
  switch (v.action) {
    case 'allow':
      return input.text;
    case 'replace':
      return v.text;
    case 'reject':
      throw errors.messageRejected(v.reason);
  }
}
