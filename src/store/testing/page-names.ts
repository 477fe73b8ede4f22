import type { PageRequest } from '../repositories/list-page.js';

/** The names a repository's `list` returns for `request`, following `next` through every page. */
export async function pageNames<T extends { name: string }>(
  list: (request: PageRequest) => Promise<{ items: T[]; next?: PageRequest['after'] }>,
  request: Omit<PageRequest, 'after'>,
): Promise<string[]> {
  const out: string[] = [];
  let after: PageRequest['after'];
  for (;;) {
    const page = await list({ ...request, ...(after ? { after } : {}) });
    out.push(...page.items.map((item) => item.name));
    if (!page.next) return out;
    after = page.next;
  }
}
