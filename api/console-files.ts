/**
 * Serves the staff console (docs/console.md): the files Vite built into dist/console (by `npm
 * start`, the tests' setup and the production image's build), with the single page's index for
 * every other path under /console so that a link into it (a work order from its mail) opens. The
 * hashed assets are cached for good; the index never, so a new build is picked up at once.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Express, Response } from 'express';
import type { Config } from '../config';

/** dist/console beside the compiled API (dist/api), or under the project root when run from source. */
export const CONSOLE_DIR = resolve(__dirname, __filename.endsWith('.js') ? '../console' : '../dist/console');

const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Ant Design writes its styles at run time (CSS-in-JS).
  "style-src 'self' 'unsafe-inline'",
  // Photo previews before upload and the signature pad's image.
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export function mountConsole(app: Express, _config: Config, dir = CONSOLE_DIR): void {
  const index = join(dir, 'index.html');
  const sendIndex = (res: Response) => {
    res.setHeader('Content-Security-Policy', CONSOLE_CSP);
    res.setHeader('Cache-Control', 'no-cache');
    if (!existsSync(index)) {
      res.status(503).type('text').send('The console is not built: run `npm run build:console` (npm start and the production image build it).');
      return;
    }
    res.sendFile(index);
  };
  app.get('/', (_req, res) => res.redirect(302, '/console/'));
  // Non-strict routing: this also answers /console/ itself, which is the index.
  app.get('/console', (req, res) => (req.path.endsWith('/') ? sendIndex(res) : res.redirect(301, '/console/')));
  app.get('/console/*path', (req, res, next) => {
    const rest = (req.params as { path: string[] }).path.join('/');
    if (rest.startsWith('assets/')) {
      res.setHeader('Content-Security-Policy', CONSOLE_CSP);
      res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      // sendFile with `root` refuses any path that climbs out of it.
      return res.sendFile(rest, { root: dir, dotfiles: 'deny' }, (error) => {
        if (error) next();
      });
    }
    sendIndex(res);
  });
}
