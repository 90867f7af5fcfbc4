/**
 * The interactive reference at /docs: a self-contained page (no CDN, works offline) that lists
 * every operation of the OpenAPI document and lets staff try one with their API key.
 */
import { createHash } from 'node:crypto';

/** The page's only script: sends a form's request with the key typed in. */
const DOCS_SCRIPT = `
for (const form of document.querySelectorAll('form')) form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const out = form.querySelector('.out');
  const body = form.body ? form.body.value : undefined;
  const res = await fetch(form.path.value, { method: form.dataset.method.toUpperCase(),
    headers: { authorization: 'Bearer ' + document.getElementById('key').value, ...(body ? { 'content-type': 'application/json' } : {}) }, body });
  out.textContent = res.status + ' ' + res.statusText + '\\n' + await res.text();
});
`;

/**
 * The Content-Security-Policy source that lets exactly that script run: the page's inline script
 * by its hash, so the policy needs no 'unsafe-inline' for scripts.
 */
export const DOCS_SCRIPT_SOURCE = `'sha256-${createHash('sha256').update(DOCS_SCRIPT, 'utf8').digest('base64')}'`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function docsPage(document: { info: { title: string; version: string }; paths: Record<string, Record<string, unknown>> }): string {
  const ops = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op: op as { operationId: string; summary: string; requestBody?: { content: Record<string, { example?: unknown }> }; 'x-roles'?: string[] } })),
  );
  const items = ops
    .map(({ path, method, op }) => {
      const example = op.requestBody?.content['application/json']?.example;
      return `<details><summary><code class="m">${method.toUpperCase()}</code> <code>${escapeHtml(path)}</code> — ${escapeHtml(op.summary)}</summary>
<p>operationId <code>${escapeHtml(op.operationId)}</code>${op['x-roles'] ? ` · roles: ${escapeHtml(op['x-roles'].join(', '))}` : ''}</p>
<form data-method="${method}" data-path="${escapeHtml(path)}">
<label>Path (edit the {placeholders}) <input name="path" value="${escapeHtml(path)}"></label>
${method === 'get' ? '' : `<label>Body (JSON) <textarea name="body" rows="6">${escapeHtml(example === undefined ? '{}' : JSON.stringify(example, null, 2))}</textarea></label>`}
<button>Send</button><pre class="out" aria-live="polite"></pre></form></details>`;
    })
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(document.info.title)} — API reference</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}details{border:1px solid #ccc;border-radius:6px;margin:.4rem 0;padding:.4rem .6rem}
code.m{font-weight:bold}label{display:block;margin:.3rem 0}input,textarea{width:100%;font:13px monospace}pre{background:#f5f5f5;padding:.5rem;overflow:auto}</style></head>
<body><h1>${escapeHtml(document.info.title)} <small>v${escapeHtml(document.info.version)}</small></h1>
<p>The machine-readable contract is <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Errors are <code>application/problem+json</code>.</p>
<label>API key <input id="key" type="password" autocomplete="off" placeholder="wy_…"></label>
<p><small>With <code>npm start</code> the demo keys are printed at startup and kept in <code>.data/demo-keys.json</code> (the front desk's <code>S-FD1</code> may create a repair). A manager issues keys with <code>POST /api/v1/staff/{staffId}/keys</code>; the first manager of a deployment gets one from <code>npm run staff</code>.</small></p>
${items}
<script>${DOCS_SCRIPT}</script></body></html>`;
}
