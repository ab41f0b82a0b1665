/** Entry point of the `next-chat` bin: run, then set the exit code (never process.exit). */
import { hideBin } from 'yargs/helpers';
import { run } from './run.js';

process.exitCode = await run(hideBin(process.argv));
