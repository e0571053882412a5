interface Node<T> {
  /** Created on first use: most nodes of a large file are leaves. */
  children?: Map<string, Node<T>>
  /** Items whose filter ends at this node. */
  items?: T[]
}

/**
 * Filters indexed by level, to find the ones that cover a given filter (as filterCovers decides)
 * without comparing against every filter: lint asks this once per rule, and a 100,000-line file
 * has sections of thousands of rules.
 */
export class FilterIndex<T> {
  private readonly root: Node<T> = {}

  add(filter: string, item: T): void {
    let at = this.root
    for (const level of filter.split('/')) {
      at.children ??= new Map()
      let next = at.children.get(level)
      if (!next) at.children.set(level, (next = {}))
      at = next
    }

    at.items ??= []
    at.items.push(item)
  }

  /** An item whose filter covers `filter` and that `accept`s, preferring "#", then exact levels. */
  findCovering(filter: string, accept: (item: T) => boolean): T | undefined {
    const levels = filter.split('/')
    const dollar = filter.startsWith('$')
    const walk = (at: Node<T>, i: number): T | undefined => {
      // "x/#" covers everything below x, and x itself; at the first level not a $ topic.
      const hash = at.children?.get('#')
      if (hash && !(i === 0 && dollar)) {
        const found = hash.items?.find(accept)
        if (found !== undefined) return found
      }

      if (i === levels.length) return at.items?.find(accept)
      const level = levels[i]
      if (level === '#') return undefined // only "#" covers "#", handled above
      const exact = at.children?.get(level)
      const viaExact = exact ? walk(exact, i + 1) : undefined
      if (viaExact !== undefined) return viaExact
      const plus = at.children?.get('+')
      if (plus && level !== '+' && !(i === 0 && level.startsWith('$'))) return walk(plus, i + 1)
      return undefined
    }

    return walk(this.root, 0)
  }
}
