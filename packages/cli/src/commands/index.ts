/** Every command, in the order `--help` lists them. */
import * as interactive from './interactive.js';
import * as list from './list.js';
import * as create from './create.js';
import * as info from './info.js';
import * as set from './set.js';
import * as title from './title.js';
import * as topic from './topic.js';
import * as join from './join.js';
import * as leave from './leave.js';
import * as say from './say.js';
import * as edit from './edit.js';
import * as history from './history.js';
import * as members from './members.js';
import * as dm from './dm.js';
import * as conversations from './conversations.js';
import * as invite from './invite.js';
import * as invitations from './invitations.js';
import * as decline from './decline.js';
import * as role from './role.js';
import * as kick from './kick.js';
import * as ban from './ban.js';
import * as unban from './unban.js';
import * as bans from './bans.js';
import * as del from './delete.js';
import * as block from './block.js';
import * as unblock from './unblock.js';
import * as blocked from './blocked.js';

export const commands = [
  interactive,
  list,
  create,
  info,
  set,
  title,
  topic,
  join,
  leave,
  say,
  edit,
  history,
  members,
  dm,
  conversations,
  invite,
  invitations,
  decline,
  role,
  kick,
  ban,
  unban,
  bans,
  del,
  block,
  unblock,
  blocked,
] as const;
