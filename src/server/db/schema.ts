/** Table types for Kysely. Times are Unix milliseconds; ids are random base64url strings. */
export interface UsersTable {
  id: string;
  /** As the user typed it (after NFKC), shown to others. */
  username: string;
  /** Lower-cased username: the uniqueness key, so "Alice" and "alice" are one account. */
  username_key: string;
  password_hash: string;
  created_at: number;
  /** What the name looks like (src/shared/confusables.ts): unique, so look-alike names are refused. */
  username_skeleton: string | null;
  /** For a guest: the one room they may enter, and when the guest account ends. */
  guest_room_id: string | null;
  expires_at: number | null;
}

export interface SessionsTable {
  /** SHA-256 of the cookie token: a stolen database does not yield live sessions. */
  token_hash: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  /** The browser's User-Agent at sign-in, shortened; shown in the session list. */
  user_agent: string | null;
}

export interface RoomsTable {
  id: string;
  name: string;
  owner_id: string;
  created_at: number;
  /** Highest chat sequence number handed out in this room. */
  last_seq: number;
  /** 1: only members may join the call. */
  locked: number;
  /** Chat messages older than this many days are deleted; null keeps them. */
  chat_retention_days: number | null;
  /** SHA-256 of the guest link's token, and when the link stops working; null: no guest link. */
  guest_token_hash: string | null;
  guest_expires_at: number | null;
}

export interface RoomMembersTable {
  room_id: string;
  user_id: string;
  joined_at: number;
}

export interface InvitationsTable {
  id: string;
  room_id: string;
  from_user_id: string;
  to_user_id: string;
  created_at: number;
}

export interface ChatMessagesTable {
  room_id: string;
  seq: number;
  client_id: string;
  user_id: string;
  text: string;
  created_at: number;
}

export interface BlocksTable {
  /** Who blocks… */
  user_id: string;
  /** …whom, from inviting or ringing them. */
  blocked_id: string;
  created_at: number;
}

export interface RingsTable {
  id: string;
  room_id: string;
  from_user_id: string;
  to_user_id: string;
  created_at: number;
  state: 'ringing' | 'accepted' | 'declined' | 'missed';
  ended_at: number | null;
}

export interface ServerKeysTable {
  name: string;
  value: string;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  rooms: RoomsTable;
  room_members: RoomMembersTable;
  invitations: InvitationsTable;
  chat_messages: ChatMessagesTable;
  server_keys: ServerKeysTable;
  blocks: BlocksTable;
  rings: RingsTable;
}
