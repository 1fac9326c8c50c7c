import type { NodeEvent } from '@herald/core';

type ClockEvent = Extract<NodeEvent, { type: 'clock' }>;

/**
 * `1 h 2 min`, `4 min 3 s`: an offset people read at a glance. From 10 minutes on, to the minute: a measured offset
 * is a few hundred ms to a second off, and "59 min 59 s" would hide the hour it means.
 */
export function describeDuration(ms: number): string {
  const exact = Math.round(Math.abs(ms) / 1000);
  let seconds = exact >= 600 ? Math.round(exact / 60) * 60 : exact;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const parts = [hours ? `${hours} h` : '', minutes ? `${minutes} min` : '', seconds || (!hours && !minutes) ? `${seconds} s` : ''];
  return parts.filter(Boolean).join(' ');
}

/** The stderr line `herald listen`/`send` print once per source when a clock is off. */
export function describeClock(event: ClockEvent): string {
  const amount = `${describeDuration(event.offsetMs)} (${event.offsetMs > 0 ? '+' : ''}${event.offsetMs} ms)`;
  if (event.source.startsWith('contact ')) {
    return `warning: clock of ${event.source} is ${amount} ${event.offsetMs > 0 ? 'ahead of' : 'behind'} this machine's: tell them to set it\n`;
  }
  // A relay ahead of us means this machine's clock is behind, and the other way round.
  const direction = event.offsetMs > 0 ? 'behind' : 'ahead of';
  const then = event.applied ? 'sealing and checking with the corrected time' : (event.reason ?? 'not corrected');
  return `warning: this machine's clock is ${amount} ${direction} ${event.source}: ${then}; set the system clock\n`;
}
