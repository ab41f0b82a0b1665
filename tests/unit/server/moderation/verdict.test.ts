import { describe, expect, it } from 'vitest';
import { readVerdict } from '../../../../packages/server/src/moderation/verdict.js';

describe("readVerdict: the hook's answer, read strictly", () => {
  it.each([
    ['{"action":"allow"}', { action: 'allow' }],
    ['{"action":"reject","reason":"Not here, please."}', { action: 'reject', reason: 'Not here, please.' }],
    ['{"action":"replace","text":"**** it"}', { action: 'replace', text: '**** it' }],
    [`{"action":"reject","reason":"${'é'.repeat(500)}"}`, { action: 'reject', reason: 'é'.repeat(500) }],
    [`{"action":"replace","text":"${'😀'.repeat(4000)}"}`, { action: 'replace', text: '😀'.repeat(4000) }],
  ])('%s', (body, verdict) => {
    expect(readVerdict(body)).toEqual({ verdict });
  });

  it.each([
    ['', 'not JSON'],
    ['allow', 'not JSON'],
    ['[]', 'not a JSON object'],
    ['null', 'not a JSON object'],
    ['{}', 'unknown action'],
    ['{"action":"maybe"}', 'unknown action "maybe"'],
    ['{"action":"ALLOW"}', 'unknown action'],
    ['{"action":"allow","text":"x"}', 'unexpected key'],
    ['{"action":"reject"}', 'non-empty reason'],
    ['{"action":"reject","reason":"  "}', 'non-empty reason'],
    ['{"action":"reject","reason":42}', 'non-empty reason'],
    [`{"action":"reject","reason":"${'x'.repeat(501)}"}`, 'over 500'],
    ['{"action":"reject","reason":"\\ud800"}', 'not valid Unicode'],
    ['{"action":"replace"}', 'needs a text'],
    ['{"action":"replace","text":""}', 'must not be empty'],
    ['{"action":"replace","text":"\\u200b "}', 'visible character'],
    [`{"action":"replace","text":"${'y'.repeat(4001)}"}`, 'at most 4000'],
  ])('%s is a failure (%s)', (body, problem) => {
    const r = readVerdict(body);
    expect('problem' in r && r.problem).toContain(problem);
  });
});
