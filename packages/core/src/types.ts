/** Wire objects of docs/protocol.md §3. Times are ISO-8601 UTC with milliseconds. */

export interface Message {
  id: string;
  groupId: string;
  authorId: string;
  text: string;
  sentAt: string;
  clientMessageId?: string;
}

export interface Group {
  id: string;
  createdBy: string;
  createdAt: string;
  memberCount: number;
}

export interface Member {
  userId: string;
  joinedAt: string;
  online: boolean;
}

export interface MemberEvent {
  groupId: string;
  userId: string;
  at: string;
}
