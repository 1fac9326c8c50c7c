import { readFileSync } from 'node:fs';
import { median } from '../measure.js';

/**
 * What a round cost besides its time, so a run says why its figures moved: the CPU the server process and this
 * process (sender and receiver) used, and how many cores everything else on the machine kept busy meanwhile. On a
 * shared machine the last is what moves the relay's ratio most: the relay path needs about three busy processes
 * where the bare forwarder needs little more than one, so other load takes more of its share.
 */
export interface RoundCost {
  /** CPU seconds of the server process during the round. */
  readonly serverCpuSeconds: number;
  /** CPU seconds of the bench process (the sending and receiving transports) during the round. */
  readonly benchCpuSeconds: number;
  /** Cores kept busy by every other process on the machine during the round, on average (NaN off Linux). */
  readonly otherCores: number;
}

/** The clock tick of /proc's CPU times: 100 on every Linux Node.js runs on. */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process used so far, from /proc/PID/stat; NaN where there is none. */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** Busy CPU seconds of the whole machine so far (every core), from /proc/stat; NaN where there is none. */
export function machineBusySeconds(): number {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return (user! + nice! + system! + irq! + softirq! + steal!) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** Starts counting a round's cost; the returned function stops and reports it. */
export function roundCost(serverPid: number | undefined): () => RoundCost {
  const started = performance.now();
  const server = processCpuSeconds(serverPid);
  const bench = process.cpuUsage();
  const machine = machineBusySeconds();
  return () => {
    const seconds = (performance.now() - started) / 1000;
    const serverCpuSeconds = processCpuSeconds(serverPid) - server;
    const used = process.cpuUsage(bench);
    const benchCpuSeconds = (used.user + used.system) / 1e6;
    const others = machineBusySeconds() - machine - serverCpuSeconds - benchCpuSeconds;
    return { serverCpuSeconds, benchCpuSeconds, otherCores: Math.max(0, others) / seconds };
  };
}

/** The median of some values and their range: a run's spread, printed beside its median. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * The subject's throughput over the baseline's, round by round: rounds alternate between contenders, so the two
 * of one round met the same load on the machine, and their ratio moves less than either figure alone.
 */
export function pairedRatios(subject: readonly { perSecond: number }[], baseline: readonly { perSecond: number }[]): number[] {
  return subject.slice(0, baseline.length).map((round, position) => round.perSecond / baseline[position]!.perSecond);
}

/** `0.52 (rounds 0.44–0.61)`: a median with the range of the rounds behind it. */
export function withSpread(of: Spread, digits = 2): string {
  return `${of.median.toFixed(digits)} (rounds ${of.min.toFixed(digits)}–${of.max.toFixed(digits)})`;
}
