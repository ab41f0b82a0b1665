/**
 * Pub/sub of the production engine on a subscriber connection: SUBSCRIBE and
 * PUBLISH on one Redis, SSUBSCRIBE and SPUBLISH on a cluster, where sharded
 * channels live in a slot like keys, so a group's announcements stay within
 * its shard instead of being copied to every node (ioredis keeps one
 * subscriber connection per primary). A sharded subscription names one slot
 * per command, so channels are subscribed one by one there.
 */
import type { RedisClient } from './connection.js';

export class Channels {
  constructor(
    readonly conn: RedisClient,
    private readonly sharded: boolean,
    onMessage: (channel: string, payload: string) => void,
  ) {
    conn.on(sharded ? 'smessage' : 'message', onMessage);
  }

  get status(): string {
    return this.conn.status;
  }

  async subscribe(...channels: string[]): Promise<void> {
    if (channels.length === 0) return;
    if (!this.sharded) {
      await this.conn.subscribe(...channels);
      return;
    }
    await Promise.all(channels.map((c) => this.conn.ssubscribe(c)));
  }

  async unsubscribe(...channels: string[]): Promise<void> {
    if (channels.length === 0) return;
    if (!this.sharded) {
      await this.conn.unsubscribe(...channels);
      return;
    }
    await Promise.all(channels.map((c) => this.conn.sunsubscribe(c)));
  }

  disconnect(): void {
    this.conn.disconnect();
  }
}

/** PUBLISH, or SPUBLISH on a cluster (see {@link Channels}). */
export async function publish(conn: RedisClient, sharded: boolean, channel: string, payload: string): Promise<void> {
  await (sharded ? conn.spublish(channel, payload) : conn.publish(channel, payload));
}
