import { roomTextCommand } from './room-text.js';

export const { command, desc, builder, exec, handler } = roomTextCommand('topic', 'all things UI');
