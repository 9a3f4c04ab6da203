import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckReport } from '../report';
import { formatHtml } from './html';
import { formatJunit } from './junit';
import { formatList } from './list';

export const REPORTERS = ['list', 'json', 'junit', 'html'] as const;
export type ReporterName = (typeof REPORTERS)[number];

/**
 * A fresh folder per run, named by its start time: `check-20261122T100000Z`, then `-2`, `-3`…
 * when two runs start in the same second. `mkdir` without `recursive` fails on an existing
 * folder, so a report can never overwrite another.
 */
export async function createRunFolder(root: string, startedAt: Date = new Date()): Promise<string> {
  await mkdir(root, { recursive: true });
  const stamp = startedAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  for (let n = 1; n < 10_000; n++) {
    const folder = join(root, n === 1 ? `check-${stamp}` : `check-${stamp}-${n}`);
    try {
      await mkdir(folder);
      return folder;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`cannot create a new report folder in ${root}`);
}

/** The report as report.json has it: the HTML report's charts (`SessionCheck.picture`) are drawn, not written as data. */
export function withoutPictures(report: CheckReport): CheckReport {
  return { ...report, scenarios: report.scenarios.map((scenario) => ({ ...scenario, sessions: scenario.sessions.map(({ picture: _picture, ...session }) => session) })) };
}

/** Writes the file reporters' outputs (and the ground truth) into a new folder; returns the files. */
export async function writeReports(report: CheckReport, reporters: readonly ReporterName[], root: string): Promise<{ folder: string; files: string[] }> {
  const folder = await createRunFolder(root, new Date(report.startedAt));
  const files: string[] = [];
  const write = async (name: string, text: string): Promise<void> => {
    const path = join(folder, name);
    await writeFile(path, text, { flag: 'wx' });
    files.push(path);
  };
  if (reporters.includes('list')) await write('report.txt', `${formatList(report)}\n`);
  if (reporters.includes('json')) await write('report.json', `${JSON.stringify(withoutPictures(report), null, 2)}\n`);
  if (reporters.includes('junit')) await write('junit.xml', formatJunit(report));
  if (reporters.includes('html')) await write('report.html', formatHtml(report));
  await write(
    'ground-truth.json',
    `${JSON.stringify(
      report.scenarios.map((s) => s.truth),
      null,
      2,
    )}\n`,
  );
  return { folder, files };
}
