/**
 * The console's one way to the API: openapi-fetch typed by the paths generated from /openapi.json
 * (scripts/console-types.ts). The session cookie rides along by itself; every request that changes
 * something carries the session's CSRF token.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './generated/api';

let csrfToken = '';
export const setCsrfToken = (token: string) => {
  csrfToken = token;
};

const csrf: Middleware = {
  onRequest({ request }) {
    if (!['GET', 'HEAD', 'OPTIONS'].includes(request.method)) request.headers.set('x-csrf-token', csrfToken);
    // The API's errors come in the console's language, not the browser's (docs/messages.md).
    request.headers.set('Accept-Language', localStorage.getItem('console.lang') === 'en' ? 'en' : 'zh-CN');
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: '/', credentials: 'same-origin' });
api.use(csrf);

/** An RFC 9457 problem the API answered, with what it says is wrong. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly invalid: { name: string; reason: string }[] = [],
  ) {
    super(detail);
  }
}

/** The data of an answer, or an ApiProblem for an error answer. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    const problem = (result.error ?? {}) as { detail?: string; title?: string; 'invalid-params'?: { name: string; reason: string }[] };
    throw new ApiProblem(result.response.status, problem.detail ?? problem.title ?? result.response.statusText, problem['invalid-params']);
  }
  return result.data as T;
}
