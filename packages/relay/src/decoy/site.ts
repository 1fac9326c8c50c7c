import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { OptionsError } from '@herald/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

/** The media types an ordinary small website serves; anything else goes out as application/octet-stream. */
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8', '.htm': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', '.json': 'application/json', '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml', '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg',
  '.gif': 'image/gif', '.webp': 'image/webp', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.pdf': 'application/pdf',
};

const NOT_FOUND = '<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n';

function notFound(response: ServerResponse, status = 404): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(NOT_FOUND) });
  response.end(NOT_FOUND);
}

/**
 * A plain static website from `root`: GET and HEAD of files (a folder serves its index.html), 404 for the rest,
 * 405 for other methods. It carries nothing of Herald: it is what anyone without the knock sees. Paths are resolved
 * inside `root` only (no `..`, no dotfiles, so the relay's own files can never be served from it).
 */
export function staticSite(root: string): (request: IncomingMessage, response: ServerResponse) => void {
  const base = resolve(root) + sep;
  return (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return notFound(response, 405);
    }
    let path: string;
    try {
      path = decodeURIComponent((request.url ?? '/').split('?')[0] ?? '/');
    } catch {
      return notFound(response, 400);
    }
    const file = normalize(join(base, path));
    if (!file.startsWith(base) || path.split('/').some((part) => part.startsWith('.')) || path.includes('\0')) return notFound(response);
    void serveFile(file, path.endsWith('/'), request, response);
  };
}

async function serveFile(file: string, folder: boolean, request: IncomingMessage, response: ServerResponse): Promise<void> {
  try {
    let target = folder ? join(file, 'index.html') : file;
    let info = await stat(target);
    if (info.isDirectory()) {
      target = join(target, 'index.html');
      info = await stat(target);
    }
    if (!info.isFile()) return notFound(response);
    response.writeHead(200, {
      'content-type': TYPES[extname(target).toLowerCase()] ?? 'application/octet-stream',
      'content-length': info.size,
      'last-modified': info.mtime.toUTCString(),
    });
    if (request.method === 'HEAD') return void response.end();
    const stream = createReadStream(target);
    stream.on('error', () => response.destroy());
    stream.pipe(response);
  } catch {
    if (!response.headersSent) notFound(response);
  }
}

/** Refuses to start on a decoy folder that is not there: a site of 404s would give the relay away as well as no site. */
export async function checkSiteFolder(root: string, where: string): Promise<void> {
  const info = await stat(root).catch((error: NodeJS.ErrnoException) => error);
  if (info instanceof Error) throw new OptionsError(`${where}: decoySite: cannot read ${JSON.stringify(root)}: ${info.code ?? info.message}`);
  if (!info.isDirectory()) throw new OptionsError(`${where}: decoySite: ${JSON.stringify(root)} is not a directory`);
}
