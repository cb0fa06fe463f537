import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Service groups that only this test's containers belong to (by the gdm.group label with
 * a run id in the group name), so that what a test user sees on a shared engine is exactly
 * what the test made. Returns the env for the app and a cleanup.
 */
export function privateGroups(runId: string, names: readonly string[]): { env: Record<string, string>; group: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'gdm-test-groups-'));
  const group = (name: string) => `${name}-${runId}`;
  const file = join(dir, 'groups.yaml');
  writeFileSync(file, `groups:\n${names.map((n) => `  ${group(n)}:\n    description: test group ${n}\n`).join('')}`);
  return { env: { SERVICE_GROUPS_FILE: file }, group, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
