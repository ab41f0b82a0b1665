/** Every command, in the order `--help` lists them. */
import * as interactive from './interactive.js';
import * as list from './list.js';
import * as create from './create.js';
import * as join from './join.js';
import * as leave from './leave.js';
import * as say from './say.js';
import * as history from './history.js';
import * as members from './members.js';

export const commands = [interactive, list, create, join, leave, say, history, members] as const;
