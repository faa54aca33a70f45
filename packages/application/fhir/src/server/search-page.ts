import type { FhirDataSource } from './data-source.ts';
import { pageToken } from './parse-search.ts';
import { resourceOut } from './resource-out.ts';

/** A match found while listing: which resource, not yet read. */
export type MatchKey = { resourceType: string; id: string };

/**
 * Builds one page of a searchset Bundle from the (already ordered) matches: each resource on the
 * page is read from the source (the audited read), so nothing leaves the server unread. A match
 * that can no longer be read (revoked, deleted meanwhile) is left out of the page.
 */
export async function searchPage(options: {
  source: FhirDataSource;
  baseUrl: string;
  /** The path of the search, without query: `Observation`, `Patient/x/$everything`. */
  path: string;
  matches: readonly MatchKey[];
  used: readonly [string, string][];
  count: number;
  offset: number;
}): Promise<Record<string, unknown>> {
  const { source, baseUrl, matches, count, offset } = options;
  const link = (relation: string, at: number | undefined) => {
    const query = new URLSearchParams();
    for (const [name, value] of options.used) {
      if (name !== '_page' && name !== '_count') query.append(name, value);
    }
    query.append('_count', String(count));
    if (at !== undefined && at > 0) query.append('_page', pageToken(at));
    return { relation, url: `${baseUrl}/${options.path}?${query}` };
  };
  const page = matches.slice(offset, offset + count);
  const entry = [];
  for (const match of page) {
    const stored = await source.read(match.resourceType, match.id);
    if (stored === undefined) continue;
    entry.push({
      fullUrl: `${baseUrl}/${match.resourceType}/${match.id}`,
      resource: resourceOut(stored),
      search: { mode: 'match' },
    });
  }
  const links = [link('self', offset)];
  if (count > 0 && offset + count < matches.length) links.push(link('next', offset + count));
  if (count > 0 && offset > 0) links.push(link('previous', Math.max(0, offset - count)));
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: matches.length,
    link: links,
    ...(entry.length > 0 ? { entry } : {}),
  };
}
