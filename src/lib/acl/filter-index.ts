interface Node<T> {
  /** The first child inline: most nodes of a large file have one child or none, and a Map each costs ~100 bytes. */
  key?: string
  child?: Node<T>
  /** The other children, created on first use. */
  children?: Map<string, Node<T>>
  /** Items whose filter ends at this node. */
  items?: T[]
}

const childOf = <T>(at: Node<T>, level: string): Node<T> | undefined =>
  at.key === level ? at.child : at.children?.get(level)

/**
 * Filters indexed by level, to find the ones that cover a given filter (as filterCovers decides)
 * without comparing against every filter: lint asks this once per rule, and a 100,000-line file
 * has sections of thousands of rules.
 */
export class FilterIndex<T> {
  private readonly root: Node<T> = {}

  add(filter: string, item: T): void {
    this.addUnless(filter, item, () => false)
  }

  /** Adds item unless an item at the same filter is `same`; returns that item instead. */
  addUnless(filter: string, item: T, same: (existing: T) => boolean): T | undefined {
    let at = this.root
    for (const level of filter.split('/')) {
      let next = childOf(at, level)
      if (!next) {
        next = {}
        if (at.child === undefined) {
          at.key = level
          at.child = next
        } else {
          at.children ??= new Map()
          at.children.set(level, next)
        }
      }

      at = next
    }

    const found = at.items?.find(same)
    if (found !== undefined) return found
    at.items ??= []
    at.items.push(item)
    return undefined
  }

  /** An item whose filter covers `filter` and that `accept`s, preferring "#", then exact levels. */
  findCovering(filter: string, accept: (item: T) => boolean): T | undefined {
    const levels = filter.split('/')
    const dollar = filter.startsWith('$')
    const walk = (at: Node<T>, i: number): T | undefined => {
      // "x/#" covers everything below x, and x itself; at the first level not a $ topic.
      const hash = childOf(at, '#')
      if (hash && !(i === 0 && dollar)) {
        const found = hash.items?.find(accept)
        if (found !== undefined) return found
      }

      if (i === levels.length) return at.items?.find(accept)
      const level = levels[i]
      if (level === '#') return undefined // only "#" covers "#", handled above
      const exact = childOf(at, level)
      const viaExact = exact ? walk(exact, i + 1) : undefined
      if (viaExact !== undefined) return viaExact
      const plus = childOf(at, '+')
      if (plus && level !== '+' && !(i === 0 && level.startsWith('$'))) return walk(plus, i + 1)
      return undefined
    }

    return walk(this.root, 0)
  }
}
