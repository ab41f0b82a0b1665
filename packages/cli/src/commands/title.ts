import { roomTextCommand } from './room-text.js';

export const { command, desc, builder, exec, handler } = roomTextCommand('title', 'Design team');
