import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../common/paths';

/**
 * Every relative link in the repository's Markdown resolves: the file exists inside the repository
 * and, where the link names a heading (`page.md#heading`), the page has that heading.
 */

const SKIPPED_FOLDERS = new Set(['node_modules', '.git', 'dist', '.uplift', 'coverage']);

function markdownFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return SKIPPED_FOLDERS.has(entry.name) ? [] : markdownFiles(path.join(dir, entry.name));
    return entry.name.endsWith('.md') ? [path.join(dir, entry.name)] : [];
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = fs.readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  const anchors = new Set<string>();
  for (const match of text.matchAll(/^#{1,6}\s+(.+)$/gm)) anchors.add(headingAnchor(match[1]));
  return anchors;
}

interface Link {
  file: string;
  target: string;
}

function relativeLinks(file: string): Link[] {
  const text = fs.readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((match) => match[1])
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
    .map((target) => ({ file, target }));
}

function brokenReason({ file, target }: Link): string | null {
  const [filePart, anchor] = target.split('#', 2);
  const resolved = filePart === '' ? file : path.resolve(path.dirname(file), decodeURI(filePart));
  if (path.relative(projectRoot, resolved).startsWith('..')) return 'points outside the repository';
  if (!fs.existsSync(resolved)) return 'no such file';
  if (anchor && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) return `no heading #${anchor}`;
  return null;
}

describe('Markdown links', () => {
  const files = markdownFiles(projectRoot);

  it('finds the guides', () => {
    const names = files.map((file) => path.relative(projectRoot, file));
    expect(names).toEqual(expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'docs/concepts.md', 'bench/README.md']));
  });

  it('resolve to files and headings inside the repository', () => {
    const broken = files
      .flatMap(relativeLinks)
      .map((link) => ({ link, reason: brokenReason(link) }))
      .filter(({ reason }) => reason !== null)
      .map(({ link, reason }) => `${path.relative(projectRoot, link.file)}: (${link.target}) ${reason}`);
    expect(broken).toEqual([]);
  });

  it('detects a broken link and a missing heading', () => {
    const readme = path.join(projectRoot, 'README.md');
    expect(brokenReason({ file: readme, target: 'docs/no-such-page.md' })).toBe('no such file');
    expect(brokenReason({ file: readme, target: 'docs/concepts.md#no-such-heading' })).toBe('no heading #no-such-heading');
    expect(brokenReason({ file: readme, target: '../outside.md' })).toBe('points outside the repository');
    expect(brokenReason({ file: readme, target: 'docs/concepts.md#the-teams-rules' })).toBeNull();
  });
});
