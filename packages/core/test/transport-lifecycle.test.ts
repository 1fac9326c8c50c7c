import { describe, expect, it } from 'vitest';
import { OptionsError, transportLifecycle, type LifecycleHooks } from '@herald/core';

/** What the hooks saw, and a way to hold `open` and a send until the test lets them go. */
function probe(overrides: Partial<LifecycleHooks> = {}) {
  const calls: string[] = [];
  let releaseOpen!: () => void;
  const opened = new Promise<void>((resolve) => (releaseOpen = resolve));
  const lifecycle = transportLifecycle({
    channel: 'test:',
    open: async (_start, signal) => {
      calls.push('open');
      await Promise.race([opened, new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))]);
    },
    stopped: () => calls.push('stopped'),
    close: async (hurry) => void calls.push(hurry.aborted ? 'close (hurried)' : 'close'),
    ...overrides,
  });
  const start = (signal?: AbortSignal) => lifecycle.start({ routingTags: ['ab'], deliver: async () => undefined, ...(signal ? { signal } : {}) });
  return { lifecycle, calls, releaseOpen, start };
}

describe('transportLifecycle', () => {
  it('refuses bad start options with an OptionsError naming the field', async () => {
    const { lifecycle } = probe();
    await expect(lifecycle.start({ routingTags: ['AB'], deliver: async () => undefined })).rejects.toThrow(OptionsError);
    await expect(lifecycle.start({ routingTags: ['ab'] } as never)).rejects.toThrow(/deliver/);
    expect(lifecycle.state, 'a refused start opens nothing').toBe('created');
  });

  it('runs created → starting → running → stopped, calling stopped once and close after open', async () => {
    const { lifecycle, calls, releaseOpen, start } = probe();
    const starting = start();
    expect(lifecycle.state).toBe('starting');
    releaseOpen();
    await starting;
    expect(lifecycle.state).toBe('running');
    await Promise.all([lifecycle.stop(), lifecycle.stop()]);
    await lifecycle.stop();
    expect(lifecycle.state).toBe('stopped');
    expect(calls).toEqual(['open', 'stopped', 'close']);
  });

  it('a send during the start waits for it; stop waits for sends under way', async () => {
    const { lifecycle, releaseOpen, start } = probe();
    const starting = start();
    let sent = false;
    let finishSend!: () => void;
    const sending = lifecycle.send(undefined, async () => {
      sent = true;
      await new Promise<void>((resolve) => (finishSend = resolve));
      return 'receipt';
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent, 'the send ran before the start finished').toBe(false);
    releaseOpen();
    await starting;
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toBe(true);
    expect(lifecycle.sendsInFlight).toBe(1);
    let stopped = false;
    const stopping = lifecycle.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped, 'stop resolved while a send was under way').toBe(false);
    finishSend();
    await expect(sending).resolves.toBe('receipt');
    await stopping;
    await expect(lifecycle.send(undefined, async () => 'late')).rejects.toMatchObject({ code: 'CHANNEL_STOPPED', message: 'test:: send: stopped' });
  });

  it('an open that throws leaves the transport stopped and closed', async () => {
    const { lifecycle, calls, start } = probe({
      open: () => {
        throw new Error('broken option');
      },
    });
    await expect(start()).rejects.toThrow('broken option');
    expect(lifecycle.state).toBe('stopped');
    expect(calls).toEqual(['stopped', 'close']);
  });

  it("a stop() whose signal aborts hurries the close and rejects with ABORTED", async () => {
    const { lifecycle, calls, releaseOpen, start } = probe();
    releaseOpen();
    await start();
    await expect(lifecycle.stop({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
    await lifecycle.stop();
    expect(calls).toEqual(['open', 'stopped', 'close (hurried)']);
  });

  describe('update (updateRoutingTags)', () => {
    const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

    it('refuses bad tags, and updates before start or after stop', async () => {
      const { lifecycle, releaseOpen, start } = probe();
      const job = async (): Promise<void> => undefined;
      await expect(lifecycle.update(['AB'], {}, job)).rejects.toThrow(OptionsError);
      await expect(lifecycle.update(['ab'], {}, job)).rejects.toMatchObject({ code: 'CHANNEL_STOPPED', message: 'test:: updateRoutingTags: not started' });
      releaseOpen();
      await start();
      await expect(lifecycle.update(['ab'], { signal: AbortSignal.abort() }, job)).rejects.toMatchObject({ code: 'ABORTED' });
      await lifecycle.stop();
      await expect(lifecycle.update(['ab'], {}, job)).rejects.toMatchObject({ code: 'CHANNEL_STOPPED', message: 'test:: updateRoutingTags: stopped' });
    });

    it('waits for the start, runs updates one at a time in call order with the tags deduplicated', async () => {
      const { lifecycle, releaseOpen, start } = probe();
      const starting = start();
      const seen: string[] = [];
      let finishFirst!: () => void;
      const first = lifecycle.update(['ab', 'cd', 'ab'], {}, async (tags) => {
        seen.push(`first ${tags.join(',')}`);
        await new Promise<void>((resolve) => (finishFirst = resolve));
        seen.push('first done');
      });
      const second = lifecycle.update(['ef'], {}, async (tags) => void seen.push(`second ${tags.join(',')}`));
      await tick();
      expect(seen, 'an update ran before the start finished').toEqual([]);
      releaseOpen();
      await starting;
      await tick();
      expect(seen, 'the second update ran while the first was under way').toEqual(['first ab,cd']);
      finishFirst();
      await Promise.all([first, second]);
      expect(seen).toEqual(['first ab,cd', 'first done', 'second ef']);
      await lifecycle.stop();
    });

    it('stop waits for the update under way, whose job sees the lifetime end; the update then rejects CHANNEL_STOPPED', async () => {
      const { lifecycle, calls, releaseOpen, start } = probe();
      releaseOpen();
      await start();
      const updating = lifecycle.update(['ab'], {}, (_tags) => new Promise<void>((resolve) => lifecycle.signal.addEventListener('abort', () => setTimeout(resolve, 20), { once: true })));
      const rejected = expect(updating).rejects.toMatchObject({ code: 'CHANNEL_STOPPED' });
      await tick();
      const stopping = lifecycle.stop();
      await tick();
      expect(calls, 'close ran under an update').toEqual(['open', 'stopped']);
      await stopping;
      expect(calls).toEqual(['open', 'stopped', 'close']);
      await rejected;
    });

    it("the caller's signal cuts only its wait short: the update still applies", async () => {
      const { lifecycle, releaseOpen, start } = probe();
      releaseOpen();
      await start();
      let finish!: () => void;
      let applied = false;
      const caller = new AbortController();
      const updating = lifecycle.update(['ab'], { signal: caller.signal }, async () => {
        await new Promise<void>((resolve) => (finish = resolve));
        applied = true;
      });
      await tick();
      caller.abort();
      await expect(updating).rejects.toMatchObject({ code: 'ABORTED' });
      finish();
      await lifecycle.update(['cd'], {}, async () => undefined);
      expect(applied).toBe(true);
      await lifecycle.stop();
    });
  });
});
