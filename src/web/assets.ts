import path from 'node:path';
import express, { type Router } from 'express';
import { projectRoot } from '../common/paths';

/** Browser modules every page Uplift serves may load, as files (no inline script under the pages' CSP). */
const MODULES: Record<string, string> = {
  'dom.js': 'src/web/dom.js',
  'sign-in.js': 'src/web/sign-in.js',
  'sign-in.css': 'src/web/sign-in.css',
};

/** Served under `/assets`; revalidated on each load, so that a new version is picked up at once. */
export function webAssets(): Router {
  const router = express.Router();
  for (const [name, file] of Object.entries(MODULES)) {
    const absolute = path.join(projectRoot, file);
    router.get(`/${name}`, (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(absolute);
    });
  }
  return router;
}
