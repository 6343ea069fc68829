import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findWebRoot } from './web-root';

describe('findWebRoot', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'web-root-'));
    writeFileSync(join(root, 'package.json'), '{}');
    mkdirSync(join(root, 'src', 'demo-ui'), { recursive: true });
    mkdirSync(join(root, 'dist', 'src', 'demo-ui'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds dist/web from the compiled service and from the sources alike', () => {
    mkdirSync(join(root, 'dist', 'web'));
    writeFileSync(join(root, 'dist', 'web', 'index.html'), '<!doctype html>');
    expect(findWebRoot(join(root, 'dist', 'src', 'demo-ui'))).toBe(join(root, 'dist', 'web'));
    expect(findWebRoot(join(root, 'src', 'demo-ui'))).toBe(join(root, 'dist', 'web'));
  });

  it('is undefined when the client was not built', () => {
    expect(findWebRoot(join(root, 'src', 'demo-ui'))).toBeUndefined();
    mkdirSync(join(root, 'dist', 'web'));
    expect(findWebRoot(join(root, 'src', 'demo-ui'))).toBeUndefined();
  });
});
