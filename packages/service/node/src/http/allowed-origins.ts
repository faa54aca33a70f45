import { NodeConfigError } from '../errors.ts';

/**
 * Web origins whose pages may call this node from a browser (CORS). Each is `scheme://host[:port]`
 * exactly as browsers send it in `Origin`, or `*` for any page.
 *
 * Why it is safe to open the API to other origins at all: the node authenticates with bearer
 * session tokens, never cookies, so a page can act for a user only with a token that user's own
 * keys signed in for; a browser sends no credential on its own. The list still matters: it is
 * the operator's statement of which web apps their users are meant to use with this node, and a
 * page from anywhere else cannot read the node's answers.
 */
export function parseAllowedOrigins(origins: readonly string[]): string[] {
  const parsed = new Set<string>();
  for (const raw of origins) {
    const value = raw.trim();
    if (value === '*') {
      parsed.add('*');
      continue;
    }
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    // An origin with a path, query or user name would never equal a browser's Origin header:
    // refused rather than silently allowing nothing. Case and a trailing slash are normalised.
    const originOnly =
      url !== undefined &&
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.pathname === '/' &&
      url.search === '' &&
      url.hash === '' &&
      url.username === '' &&
      url.password === '';
    if (!url || !originOnly) {
      throw new NodeConfigError(`"${value}" is not a web origin.`, {
        hint: 'Give scheme, host and port only, e.g. https://app.example.org or http://localhost:5173, or * for any page.',
      });
    }
    parsed.add(url.origin);
  }
  return parsed.has('*') ? ['*'] : [...parsed];
}
