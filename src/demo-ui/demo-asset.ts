import type { IncomingMessage } from 'node:http';

const ASSET_PATH = /^\/(?:|index\.html|demo-settings\.json|[\w-]+(?:\/[\w-]+)*\.(?:js|css|svg))$/;

/**
 * Whether a request fetches a file of the demo web client (the page, its scripts, styles and icon). Loading
 * the page asks for a score of them: they are left out of the request log so that it keeps showing the API
 * calls and the verification codes.
 */
export function isDemoAssetRequest(request: Pick<IncomingMessage, 'method' | 'url'>): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = (request.url ?? '').split('?')[0];
  return ASSET_PATH.test(path);
}
