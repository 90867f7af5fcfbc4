/**
 * Committed workflow histories and their replay. A history recorded on the current code and committed
 * is what a running case looks like to the next version of the code: replaying it proves a change
 * keeps running cases working (see docs/architecture.md, "Versioning"). `RECORD_HISTORIES=1` records
 * them again — before the first release, after any intended change to a workflow.
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { sealedDataConverter } from '../../payload-codec';
import { TEST_PAYLOAD_KEYS } from '../helpers/payload-keys';
import type { TestStack } from '../helpers/stack';

export const RECORDING = process.env.RECORD_HISTORIES === '1';

/** Saves a workflow's history (its last run, or `runId`) as `${dir}/${name}.json`, once the run is over. */
export async function saveHistory(stack: TestStack, dir: string, workflowId: string, name: string, runId?: string): Promise<void> {
  const handle = stack.client.workflow.getHandle(workflowId, runId);
  if (!runId) await handle.result();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(JSON.parse(historyToJSON(await handle.fetchHistory())), null, 1)}\n`);
}

export function readHistory(dir: string, file: string): temporal.api.history.v1.IHistory {
  return historyFromJSON(JSON.parse(readFileSync(join(dir, file), 'utf8')));
}

export const historyFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

/** Replays each history on the suite's workflow bundle: the error of each (undefined when it replayed). */
export async function replay(histories: { name: string; history: temporal.api.history.v1.IHistory }[]): Promise<{ file: string; error?: unknown }[]> {
  const results: { file: string; error?: unknown }[] = [];
  const input = histories.map(({ name, history }) => ({ workflowId: name, history }));
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, dataConverter: sealedDataConverter(TEST_PAYLOAD_KEYS) }, input)) {
    results.push({ file: result.workflowId, error: result.error });
  }
  return results;
}

/** Replays every committed history of `dir`. */
export const replayDirectory = (dir: string) => replay(historyFiles(dir).map((file) => ({ name: file, history: readHistory(dir, file) })));
