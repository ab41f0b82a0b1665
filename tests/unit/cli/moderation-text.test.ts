import { describe, expect, it } from 'vitest';
import { errors } from '@next-chat/core';
import { errorToText, exitCodeFor, ExitCode } from '../../../packages/cli/src/errors-to-text.js';

describe("the moderation hook's answers in the console client", () => {
  it('a 4022 rejection is shown as the sentence the hook wrote', () => {
    const err = errors.messageRejected('Please keep phone numbers out of public rooms.');
    expect(errorToText(err)).toBe('Please keep phone numbers out of public rooms.');
    expect(exitCodeFor(err)).toBe(ExitCode.Refused);
  });

  it('a fail-closed hook that is down is named as the moderation service, not the messaging layer', () => {
    expect(errorToText(errors.unavailable('moderation service'))).toBe('the hub cannot reach its moderation service right now, so nothing can be sent; try again in 1 s');
  });
});
