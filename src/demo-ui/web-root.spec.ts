import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findWebRoot } from './web-root';

describe('findWebRoot', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'web-root-'));
    mkdirSync(join(root, 'src', 'demo-ui'), { recursive: true });
    mkdirSync(join(root, 'dist', 'src', 'demo-ui'), { recursive: true });
    // The client's sources: no index.html at their top, so they are never served by mistake.
    mkdirSync(join(root, 'web', 'static'), { recursive: true });
    writeFileSync(join(root, 'web', 'static', 'index.html'), '<!doctype html>');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function build(): void {
    mkdirSync(join(root, 'dist', 'web'));
    writeFileSync(join(root, 'dist', 'web', 'index.html'), '<!doctype html>');
  }

  it('finds dist/web from the compiled service and from the sources alike', () => {
    build();
    expect(findWebRoot(join(root, 'dist', 'src', 'demo-ui'))).toBe(join(root, 'dist', 'web'));
    expect(findWebRoot(join(root, 'src', 'demo-ui'))).toBe(join(root, 'dist', 'web'));
  });

  it('finds it in an image that holds only dist/', () => {
    build();
    rmSync(join(root, 'src'), { recursive: true });
    rmSync(join(root, 'web'), { recursive: true });
    expect(findWebRoot(join(root, 'dist', 'src', 'demo-ui'))).toBe(join(root, 'dist', 'web'));
  });

  it('is undefined when the client was not built', () => {
    expect(findWebRoot(join(root, 'src', 'demo-ui'))).toBeUndefined();
    expect(findWebRoot(join(root, 'dist', 'src', 'demo-ui'))).toBeUndefined();
    mkdirSync(join(root, 'dist', 'web'));
    expect(findWebRoot(join(root, 'src', 'demo-ui'))).toBeUndefined();
  });
});
