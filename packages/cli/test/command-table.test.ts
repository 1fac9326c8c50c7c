import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/commands/index.js';

describe('the command table', () => {
  it('lists each command once, under the name and summary the command itself declares', async () => {
    expect(new Set(COMMANDS.map((entry) => entry.name)).size).toBe(COMMANDS.length);
    for (const entry of COMMANDS) {
      const command = await entry.load();
      expect(command.name).toBe(entry.name);
      expect(command.summary, entry.name).toBe(entry.summary);
    }
  });
});
