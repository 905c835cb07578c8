/**
 * Test fixture for evaluate.test.ts: runs the engine in a separate Node process, to show that a
 * snapshot gives the same answers in any process. Reads `{ snapshot, users }` as JSON on stdin and
 * writes the users' resolutions as JSON on stdout.
 */
import { readFileSync } from 'node:fs';
import { evaluate } from './evaluate';
import type { ConfigSnapshot, UserContext } from './snapshot';

const { snapshot, users } = JSON.parse(readFileSync(0, 'utf8')) as { snapshot: ConfigSnapshot; users: UserContext[] };
process.stdout.write(JSON.stringify(users.map((user) => evaluate(snapshot, user))));
