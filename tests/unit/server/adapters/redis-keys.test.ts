import { describe, expect, it } from 'vitest';
import { RedisKeys } from '../../../../packages/server/src/adapters/redis/keys.js';
import { toRpcError } from '../../../../packages/server/src/adapters/redis/connection.js';
import { parseMysqlUrl } from '../../../../packages/server/src/adapters/mysql/mysql-history-store.js';
import { RpcError } from '@next-chat/core';
import calculateSlot from 'cluster-key-slot';

describe('RedisKeys', () => {
  const k = new RedisKeys('nc:test');

  it('hash-tags per-group keys with the group id', () => {
    expect(k.stream('ops')).toBe('nc:test:{ops}:stream');
    expect(k.meta('ops')).toBe('nc:test:{ops}:meta');
    expect(k.members('ops')).toBe('nc:test:{ops}:members');
    expect(k.joined('ops')).toBe('nc:test:{ops}:joined');
    expect(k.notify('ops')).toBe('nc:test:{ops}:notify');
    expect(k.dedupe('ops', 'ann', 'c-1')).toBe('nc:test:dedupe:{ops}:ann:c-1');
    expect(k.groups()).toBe('nc:test:groups');
    expect(k.history()).toBe('nc:test:history');
    expect(k.presence('ann')).toBe('nc:test:presence:ann');
    expect(k.admins('ops')).toBe('nc:test:{ops}:admins');
    expect(k.invites('ops')).toBe('nc:test:{ops}:invites');
    expect(k.bans('ops')).toBe('nc:test:{ops}:bans');
  });

  it('hash-tags per-user keys with the user id, and splits them around it for the scripts', () => {
    expect(k.userRooms('ann')).toBe('nc:test:user:{ann}:rooms');
    expect(k.userInvitations('ann')).toBe('nc:test:user:{ann}:invitations');
    expect(k.userBlocks('ann')).toBe('nc:test:user:{ann}:blocks');
    const [rb, ra] = k.userRoomsParts();
    expect(rb + 'ann@x.y' + ra).toBe(k.userRooms('ann@x.y'));
    const [ib, ia] = k.userInvitationsParts();
    expect(ib + 'ann' + ia).toBe(k.userInvitations('ann'));
  });

  it('reads the group id back from stream keys and notify channels', () => {
    for (const g of ['a', 'Ops.team-1_x', 'x'.repeat(64)]) {
      expect(k.groupOfStream(k.stream(g))).toBe(g);
      expect(k.groupOfNotify(k.notify(g))).toBe(g);
    }
  });
});

describe('toRpcError', () => {
  it('turns connection trouble into 4503 and leaves script bugs alone', () => {
    const timeout = toRpcError(new Error('Command timed out'));
    expect(timeout).toBeInstanceOf(RpcError);
    expect((timeout as RpcError).code).toBe(4503);
    const loading = Object.assign(new Error('LOADING Redis is loading the dataset in memory'), { name: 'ReplyError' });
    expect((toRpcError(loading) as RpcError).code).toBe(4503);
    const bug = Object.assign(new Error('ERR user_script:1: Script attempted to access nonexistent global variable'), { name: 'ReplyError' });
    expect(toRpcError(bug)).toBe(bug);
  });
});

describe('parseMysqlUrl', () => {
  it('splits a mysql URL, decoding user and password', () => {
    expect(parseMysqlUrl('mysql://app:p%40ss@db.example:3307/chat')).toEqual({ host: 'db.example', port: 3307, user: 'app', password: 'p@ss', database: 'chat' });
    expect(parseMysqlUrl('mysql://root@127.0.0.1/nc')).toEqual({ host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'nc' });
  });
  it("on a cluster, a group's history stream is in the group's slot, and there is one stream per slot", () => {
    const c = new RedisKeys('nc', true);
    for (const g of ['room-1', 'general', 'dm:alice:bob', 'ünïcode', 'x'.repeat(128)]) {
      expect(calculateSlot(c.historyOf(g))).toBe(calculateSlot(c.meta(g)));
      expect(c.historyOf(g)).not.toBe(c.history());
    }
    const all = c.historyStreams();
    expect(all).toHaveLength(16384);
    expect(new Set(all.map((key) => calculateSlot(key))).size).toBe(16384);
    // One Redis keeps the one stream.
    expect(new RedisKeys('nc').historyOf('room-1')).toBe('nc:history');
    expect(new RedisKeys('nc').historyStreams()).toEqual(['nc:history']);
  });
});
