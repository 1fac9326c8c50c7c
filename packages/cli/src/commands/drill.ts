import { readFile, writeFile } from 'node:fs/promises';
import { defineCommand } from '../command.js';
import { CliError } from '../errors.js';
import { writeStdout } from '../io.js';
import { untilShutdown } from '../node-runtime.js';

export const drill = defineCommand({
  name: 'drill',
  summary: 'run a failover drill: real processes, a load, faults on a timeline, a report',
  synopsis: 'SCENARIO.yaml [--report-dir DIR] [--junit FILE] [--keep DIR]',
  description: `
Builds the scenario's topology on this machine (a relay, an MQTT broker, the
mail system when installed, Herald nodes as separate processes, a fault-
injecting TCP proxy on every network link), runs its load, applies its faults
on the timeline, then checks that every message reached the receiving
application exactly once and that the scenario's targets were met. Prints a
live progress line (on a terminal), then a summary and the paths of the JSON
and HTML reports. Exit 0 when the drill passed; 1 (DRILL_FAILED) when a message
was lost or duplicated, a send was refused, or a target was missed. SIGINT or
SIGTERM ends it early: it stops what it started and reports it interrupted. How to write a scenario:
docs/drills.md; examples in examples/drills/.`,
  flags: {
    'report-dir': { type: 'string', value: 'DIR', description: 'where SCENARIO.json and SCENARIO.html go (default drill-reports)' },
    junit: { type: 'string', value: 'FILE', description: 'also write the verdict as a JUnit XML report, for CI systems' },
    keep: { type: 'string', value: 'DIR', description: "keep the nodes' and services' data in DIR (default: a temp folder, removed)" },
  },
  args: ['SCENARIO'],
  async run({ flags, args }) {
    // Loaded on use: the drill machinery (services, proxies, reports) must not slow every other command's start.
    const { formatSummary, junitXml, parseScenario, progressLine, runDrill, startReaper, writeReports } = await import('@herald/drill');
    const file = args[0] ?? '';
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new CliError('FILE_NOT_FOUND', `cannot read scenario ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
    }
    // A scenario that does not validate throws the drill's own SCENARIO_INVALID, reported as any HeraldError.
    const scenario = parseScenario(text, file);
    // Should this process be killed outright, a watchdog of its own ends the relay, brokers and mail servers it started.
    startReaper();
    const progress = progressLine(process.stdout);
    // SIGINT or SIGTERM ends the drill early but in order: judged as interrupted, every process it started stopped.
    const finished = new AbortController();
    const shutdown = untilShutdown(finished.signal);
    let result;
    try {
      result = await runDrill(scenario, { signal: shutdown.controller.signal, ...(flags.keep ? { workdir: flags.keep } : {}), ...(progress ? { onProgress: (line: string) => progress.update(line) } : {}) });
    } finally {
      finished.abort();
      progress?.clear();
    }
    const paths = await writeReports(result, flags['report-dir'] ?? 'drill-reports');
    // Overwritten, as CI reruns write the same path.
    if (flags.junit !== undefined) await writeFile(flags.junit, junitXml(result));
    await writeStdout(`${formatSummary(result)}report: ${paths.html}\njson: ${paths.json}\n${flags.junit !== undefined ? `junit: ${flags.junit}\n` : ''}`);
    if (!result.passed) throw new CliError('DRILL_FAILED', `drill ${scenario.name} failed: ${result.failures.join(', ')}`);
  },
});
