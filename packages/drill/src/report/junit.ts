import type { DrillResult } from '../result.js';

interface Case {
  readonly name: string;
  /** The failure's one-line message and its detail; absent when the case passed. */
  readonly failure?: { readonly message: string; readonly detail: string };
}

const xml = (text: string): string =>
  // Characters XML 1.0 cannot carry at all are dropped; the five specials are escaped.
  text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/gu, '').replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** One test case per thing the drill judges: exactly once (lost, duplicated), sends refused, each target, and the verdict. */
function cases(result: DrillResult): Case[] {
  const once = result.exactlyOnce;
  const problems = once.problems.join('\n');
  const list: Case[] = [
    { name: 'nothing lost', ...(once.lost > 0 ? { failure: { message: `${once.lost} lost of ${once.expected}`, detail: problems } } : {}) },
    { name: 'nothing duplicated', ...(once.duplicates > 0 ? { failure: { message: `${once.duplicates} duplicated`, detail: problems } } : {}) },
    { name: 'no send refused', ...(result.counts.sendFailed > 0 ? { failure: { message: `${result.counts.sendFailed} refused at send`, detail: '' } } : {}) },
  ];
  for (const target of result.targets) list.push({ name: `target: ${target.name}`, ...(target.ok ? {} : { failure: { message: `missed: ${target.measured}`, detail: '' } }) });
  list.push({ name: 'verdict', ...(result.passed ? {} : { failure: { message: result.failures.join(', '), detail: result.errors.join('\n') } }) });
  return list;
}

/** The drill as a JUnit XML report (`herald drill --junit FILE`), which CI systems show as tests. */
export function junitXml(result: DrillResult): string {
  const all = cases(result);
  const failures = all.filter((each) => each.failure).length;
  const suite = `herald drill ${result.scenario.name}`;
  const seconds = (result.durationMs / 1000).toFixed(3);
  const body = all.map((each) => {
    const open = `    <testcase classname="${xml(suite)}" name="${xml(each.name)}" time="0"`;
    if (!each.failure) return `${open}/>`;
    return `${open}>\n      <failure message="${xml(each.failure.message)}" type="drill">${xml(each.failure.detail)}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="herald drill" tests="${all.length}" failures="${failures}" time="${seconds}">`,
    `  <testsuite name="${xml(suite)}" tests="${all.length}" failures="${failures}" errors="0" skipped="0" time="${seconds}" timestamp="${xml(result.startedAt)}">`,
    ...body,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
