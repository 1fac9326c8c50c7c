import { defineCommand } from '../command.js';
import { writeStderr, writeStdout } from '../io.js';
import { formatMessage } from '../message-output.js';
import { NODE_FLAGS, startNode } from '../node-runtime.js';

const IDLE_MS = 3000;

export const inbox = defineCommand({
  name: 'inbox',
  summary: 'print the messages waiting in the inbox, each once, without any channel',
  synopsis: '--key KEY --data-dir DIR [--json]',
  description: `
Prints the messages DIR's node holds and has not yet handed out: those taken in
by herald bundle import, herald groups --read or herald qr --read, or left by a
listen that stopped before printing them. Each is printed once, as herald
listen prints it, and then removed from the inbox; their end-to-end acks were
queued when they were taken in. Opens no channel: nothing is sent or collected.
Exit 0 (an empty inbox says so on stderr).`,
  flags: {
    key: NODE_FLAGS.key,
    'data-dir': NODE_FLAGS['data-dir'],
    'passphrase-file': NODE_FLAGS['passphrase-file'],
    'epoch-retain': NODE_FLAGS['epoch-retain'],
    json: { type: 'boolean', description: 'one JSON object per line' },
  },
  async run({ flags }) {
    const running = await startNode(flags, { withoutChannels: true });
    try {
      let waiting = (await running.store.listInbox()).length;
      if (waiting === 0) return writeStderr('the inbox is empty\n');
      const done = new AbortController();
      // Stored messages are handed out at once; a record that can no longer be opened is never handed out, so a
      // quiet spell ends the wait rather than the count alone.
      let idle = setTimeout(() => done.abort(), IDLE_MS);
      try {
        for await (const message of running.node.messages({ signal: done.signal })) {
          clearTimeout(idle);
          await writeStdout(await formatMessage(message, running.dir.path, flags.json === true));
          await message.ack();
          if (--waiting === 0) break;
          idle = setTimeout(() => done.abort(), IDLE_MS);
        }
      } finally {
        clearTimeout(idle);
      }
    } finally {
      await running.close();
    }
  },
});
