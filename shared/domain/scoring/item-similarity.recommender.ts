/*
 * Item-based collaborative filtering on implicit feedback (Sarwar et al. 2001; Deshpande & Karypis 2004).
 *
 * 1. Interactions: purchase lines are folded into a sparse customer × item matrix. Lines of the same item on
 *    the same basket (invoice) count once, so a basket that lists an item twice is not two purchases. The
 *    cell's weight is 1 (`binary`), log(1 + number of baskets) (`log-baskets`) or log(1 + total quantity)
 *    (`log-quantity`).
 * 2. Similarity: cosine between item columns, shrunk towards 0 when few customers share the pair,
 *    sim(i, j) = cos(i, j) · n_ij / (n_ij + shrinkage), n_ij = customers who bought both. It is computed one
 *    item at a time (for item i: walk the customers who bought i, then their items j, accumulating into a
 *    dense scratch row), so memory is O(items) besides the kept neighbours and time is Σ_c |items of c|².
 *    Customers with very long histories (wholesalers) would dominate that sum and carry little signal per
 *    pair, so each customer contributes at most `maxItemsPerCustomer` items (their heaviest) to the
 *    similarities. Only the top `neighbours` items per item are kept.
 * 3. Scoring: score(j) = Σ_{i owned} w_i · sim(i, j) over the owned items whose neighbour lists hold j; the
 *    owned item with the largest term is the "because you bought X" evidence.
 *
 * Items are indexed in sorted id order, so every tie (neighbours, recommendations, popularity) is broken by
 * item id, ascending: results are deterministic.
 */

export class RecommenderInputError extends Error {
  override readonly name = 'RecommenderInputError';
}

/** One purchase line: `basketId` is the invoice; lines of one item on one basket are merged. */
export type PurchaseLine = {
  readonly customerId: string;
  readonly itemId: string;
  readonly basketId: string;
  readonly quantity: number;
};

export type InteractionWeighting = 'binary' | 'log-baskets' | 'log-quantity';

/**
 * Sparse customer × item matrix in compressed-row form: customer c's cells are
 * `offsets[c] … offsets[c + 1] - 1` of `itemIndex` / `weights` / `baskets` / `quantities`, by item index.
 */
export type InteractionMatrix = {
  /** Customer ids, sorted. */
  readonly customers: readonly string[];
  /** Item ids, sorted; an item's index is its position here. */
  readonly items: readonly string[];
  readonly offsets: Int32Array;
  readonly itemIndex: Int32Array;
  readonly weights: Float64Array;
  /** Distinct baskets holding the item, per cell. */
  readonly baskets: Int32Array;
  /** Total quantity, per cell. */
  readonly quantities: Float64Array;
};

export type InteractionOptions = {
  /** Cell weight. @default 'binary' */
  readonly weighting?: InteractionWeighting | undefined;
};

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const cellWeight = (weighting: InteractionWeighting, baskets: number, quantity: number): number =>
  weighting === 'binary' ? 1 : weighting === 'log-baskets' ? Math.log1p(baskets) : Math.log1p(quantity);

/** Folds purchase lines into the customer × item matrix. Lines with a non-positive quantity are refused. */
export const buildInteractionMatrix = (
  lines: Iterable<PurchaseLine>,
  options: InteractionOptions = {},
): InteractionMatrix => {
  const weighting = options.weighting ?? 'binary';
  // customer → item → { baskets seen, quantity }
  const cells = new Map<string, Map<string, { basketIds: Set<string>; quantity: number }>>();
  const itemSet = new Set<string>();
  for (const line of lines) {
    if (!(Number.isFinite(line.quantity) && line.quantity > 0))
      throw new RecommenderInputError(
        `quantity must be positive: ${line.quantity} (customer ${line.customerId}, item ${line.itemId})`,
      );
    let row = cells.get(line.customerId);
    if (!row) {
      row = new Map();
      cells.set(line.customerId, row);
    }
    const cell = row.get(line.itemId);
    if (cell) {
      cell.basketIds.add(line.basketId);
      cell.quantity += line.quantity;
    } else row.set(line.itemId, { basketIds: new Set([line.basketId]), quantity: line.quantity });
    itemSet.add(line.itemId);
  }
  const items = [...itemSet].sort(compareIds);
  const indexOf = new Map(items.map((id, i) => [id, i]));
  const customers = [...cells.keys()].sort(compareIds);
  let total = 0;
  for (const row of cells.values()) total += row.size;
  const offsets = new Int32Array(customers.length + 1);
  const itemIndex = new Int32Array(total);
  const weights = new Float64Array(total);
  const baskets = new Int32Array(total);
  const quantities = new Float64Array(total);
  let at = 0;
  customers.forEach((customer, c) => {
    offsets[c] = at;
    const row = [...(cells.get(customer) ?? new Map()).entries()]
      .map(([id, cell]) => ({ index: indexOf.get(id) ?? 0, cell }))
      .sort((p, q) => p.index - q.index);
    for (const { index, cell } of row) {
      itemIndex[at] = index;
      baskets[at] = cell.basketIds.size;
      quantities[at] = cell.quantity;
      weights[at] = cellWeight(weighting, cell.basketIds.size, cell.quantity);
      at++;
    }
  });
  offsets[customers.length] = at;
  return { customers, items, offsets, itemIndex, weights, baskets, quantities };
};

/** A customer's items with their weights, as the recommenders take them. */
export const customerItems = (matrix: InteractionMatrix, customerId: string): Map<string, number> => {
  const out = new Map<string, number>();
  // Binary search: customers are sorted.
  let lo = 0;
  let hi = matrix.customers.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const cmp = compareIds(matrix.customers[mid] ?? '', customerId);
    if (cmp === 0) {
      for (let k = matrix.offsets[mid] ?? 0; k < (matrix.offsets[mid + 1] ?? 0); k++)
        out.set(matrix.items[matrix.itemIndex[k] ?? 0] ?? '', matrix.weights[k] ?? 0);
      return out;
    }
    if (cmp < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return out;
};

/** What a customer owns: item ids (weight 1 each) or item → weight. */
export type OwnedItems = ReadonlyMap<string, number> | readonly string[];

export type RecommendOptions = {
  /** Leave out items the customer already owns. @default true */
  readonly excludeOwned?: boolean | undefined;
};

export type Recommendation = {
  readonly itemId: string;
  readonly score: number;
  /** "Because you bought X": the owned item that contributed most to the score (none for popularity). */
  readonly because?: { readonly itemId: string; readonly contribution: number } | undefined;
};

export type Recommender = {
  /** Top `n` items, best first; ties broken by item id. May return fewer than `n`. */
  readonly recommend: (owned: OwnedItems, n: number, options?: RecommendOptions) => Recommendation[];
};

export type Neighbour = { readonly itemId: string; readonly similarity: number; readonly coBuyers: number };

export type ItemSimilarityRecommender = Recommender & {
  readonly items: readonly string[];
  /** The kept neighbours of an item, most similar first (empty for an unknown item). */
  readonly neighbours: (itemId: string) => Neighbour[];
};

export type ItemSimilarityOptions = {
  /** Neighbours kept per item. @default 50 */
  readonly neighbours?: number | undefined;
  /** n_ij / (n_ij + shrinkage) damps pairs few customers share. @default 10 */
  readonly shrinkage?: number | undefined;
  /** Items per customer used for similarities (their heaviest, ties by item id). @default 300 */
  readonly maxItemsPerCustomer?: number | undefined;
  /** Pairs shared by fewer customers are dropped. @default 1 */
  readonly minCoBuyers?: number | undefined;
};

const checkCount = (name: string, value: number, min: number): void => {
  if (!(Number.isInteger(value) && value >= min))
    throw new RecommenderInputError(`${name} must be an integer ≥ ${min}: ${value}`);
};

const ownedEntries = (owned: OwnedItems): [string, number][] =>
  Array.isArray(owned)
    ? (owned as readonly string[]).map((id): [string, number] => [id, 1])
    : [...(owned as ReadonlyMap<string, number>).entries()];

/** `a` ranks before `b`: higher score, then smaller index. */
const ranksBefore = (sa: number, a: number, sb: number, b: number): boolean =>
  sa > sb || (sa === sb && a < b);

/**
 * The best `k` of `candidates[0 … count-1]` by score desc, then index asc, best first. A size-k heap whose
 * root is the worst kept candidate: O(count · log k).
 */
const topIndices = (
  candidates: ArrayLike<number>,
  count: number,
  score: (i: number) => number,
  k: number,
): number[] => {
  const heap: number[] = [];
  const heapScore: number[] = [];
  const worse = (x: number, y: number): boolean =>
    ranksBefore(heapScore[y] ?? 0, heap[y] ?? 0, heapScore[x] ?? 0, heap[x] ?? 0);
  const swap = (x: number, y: number): void => {
    [heap[x], heap[y]] = [heap[y] ?? 0, heap[x] ?? 0];
    [heapScore[x], heapScore[y]] = [heapScore[y] ?? 0, heapScore[x] ?? 0];
  };
  const siftDown = (from: number): void => {
    for (let x = from; ; ) {
      const l = 2 * x + 1;
      const r = l + 1;
      let w = x;
      if (l < heap.length && worse(l, w)) w = l;
      if (r < heap.length && worse(r, w)) w = r;
      if (w === x) return;
      swap(x, w);
      x = w;
    }
  };
  if (k <= 0) return [];
  for (let t = 0; t < count; t++) {
    const i = candidates[t] ?? 0;
    const s = score(i);
    if (heap.length < k) {
      heap.push(i);
      heapScore.push(s);
      for (let x = heap.length - 1; x > 0; ) {
        const parent = (x - 1) >> 1;
        if (!worse(x, parent)) break;
        swap(x, parent);
        x = parent;
      }
    } else if (ranksBefore(s, i, heapScore[0] ?? 0, heap[0] ?? 0)) {
      heap[0] = i;
      heapScore[0] = s;
      siftDown(0);
    }
  }
  return heap
    .map((i, x) => ({ i, s: heapScore[x] ?? 0 }))
    .sort((p, q) => (ranksBefore(p.s, p.i, q.s, q.i) ? -1 : 1))
    .map((e) => e.i);
};

/**
 * A recommender over kept neighbour lists in compressed form: item i's neighbours are entries
 * `neighbourStart[i] … neighbourStart[i + 1] - 1`, most similar first.
 */
const overNeighbours = (
  items: readonly string[],
  neighbourStart: ArrayLike<number>,
  neighbourItem: ArrayLike<number>,
  neighbourSim: ArrayLike<number>,
  neighbourCo: ArrayLike<number>,
): ItemSimilarityRecommender => {
  const indexOf = new Map(items.map((id, i) => [id, i]));

  const neighbours = (itemId: string): Neighbour[] => {
    const i = indexOf.get(itemId);
    if (i === undefined) return [];
    const out: Neighbour[] = [];
    for (let p = neighbourStart[i] ?? 0; p < (neighbourStart[i + 1] ?? 0); p++)
      out.push({
        itemId: items[neighbourItem[p] ?? 0] ?? '',
        similarity: neighbourSim[p] ?? 0,
        coBuyers: neighbourCo[p] ?? 0,
      });
    return out;
  };

  const recommend = (owned: OwnedItems, n: number, recommendOptions: RecommendOptions = {}) => {
    checkCount('n', n, 0);
    const excludeOwned = recommendOptions.excludeOwned ?? true;
    const ownedIndex = new Map<number, number>();
    for (const [id, weight] of ownedEntries(owned)) {
      const i = indexOf.get(id);
      if (i !== undefined && weight > 0) ownedIndex.set(i, weight);
    }
    const score = new Map<number, number>();
    const best = new Map<number, { from: number; contribution: number }>();
    // Owned items in index order, so equal contributions credit the smallest item id.
    for (const i of [...ownedIndex.keys()].sort((a, b) => a - b)) {
      const w = ownedIndex.get(i) ?? 0;
      for (let p = neighbourStart[i] ?? 0; p < (neighbourStart[i + 1] ?? 0); p++) {
        const j = neighbourItem[p] ?? 0;
        if (excludeOwned && ownedIndex.has(j)) continue;
        const contribution = w * (neighbourSim[p] ?? 0);
        score.set(j, (score.get(j) ?? 0) + contribution);
        const current = best.get(j);
        if (!current || contribution > current.contribution) best.set(j, { from: i, contribution });
      }
    }
    const candidates = [...score.keys()];
    return topIndices(candidates, candidates.length, (j) => score.get(j) ?? 0, n).map((j) => {
      const evidence = best.get(j);
      return {
        itemId: items[j] ?? '',
        score: score.get(j) ?? 0,
        because: evidence && { itemId: items[evidence.from] ?? '', contribution: evidence.contribution },
      };
    });
  };

  return { items, neighbours, recommend };
};

/** Kept neighbours as plain data, for storage: item id → [neighbour id, similarity, co-buyers], most similar first. */
export type NeighbourTable = Readonly<Record<string, readonly (readonly [string, number, number])[]>>;

/** The recommender's neighbour lists (at most `perItem` per item) as a table that survives JSON. */
export const neighbourTable = (recommender: ItemSimilarityRecommender, perItem = 50): NeighbourTable => {
  checkCount('perItem', perItem, 1);
  const table: Record<string, (readonly [string, number, number])[]> = {};
  for (const id of recommender.items) {
    const kept = recommender.neighbours(id).slice(0, perItem);
    if (kept.length > 0) table[id] = kept.map((n) => [n.itemId, n.similarity, n.coBuyers] as const);
  }
  return table;
};

/** The recommender again from a stored table: the same recommendations as the one it was taken from. */
export const recommenderFromNeighbourTable = (table: NeighbourTable): ItemSimilarityRecommender => {
  const ids = new Set<string>();
  for (const [id, list] of Object.entries(table)) {
    ids.add(id);
    for (const [j] of list) ids.add(j);
  }
  const items = [...ids].sort(compareIds);
  const indexOf = new Map(items.map((id, i) => [id, i]));
  const neighbourStart = new Int32Array(items.length + 1);
  const neighbourItem: number[] = [];
  const neighbourSim: number[] = [];
  const neighbourCo: number[] = [];
  items.forEach((id, i) => {
    neighbourStart[i] = neighbourItem.length;
    for (const [j, similarity, coBuyers] of Object.hasOwn(table, id) ? (table[id] ?? []) : []) {
      neighbourItem.push(indexOf.get(j) ?? 0);
      neighbourSim.push(similarity);
      neighbourCo.push(coBuyers);
    }
  });
  neighbourStart[items.length] = neighbourItem.length;
  return overNeighbours(items, neighbourStart, neighbourItem, neighbourSim, neighbourCo);
};

/** Trains item-item cosine similarities on the matrix (see the header comment). */
export const buildItemSimilarityRecommender = (
  matrix: InteractionMatrix,
  options: ItemSimilarityOptions = {},
): ItemSimilarityRecommender => {
  const k = options.neighbours ?? 50;
  const shrinkage = options.shrinkage ?? 10;
  const cap = options.maxItemsPerCustomer ?? 300;
  const minCoBuyers = options.minCoBuyers ?? 1;
  checkCount('neighbours', k, 1);
  checkCount('maxItemsPerCustomer', cap, 2);
  checkCount('minCoBuyers', minCoBuyers, 1);
  if (!(Number.isFinite(shrinkage) && shrinkage >= 0))
    throw new RecommenderInputError(`shrinkage must be ≥ 0: ${shrinkage}`);

  const nItems = matrix.items.length;
  const nCustomers = matrix.customers.length;

  // Capped rows (CSR again): each customer's heaviest `cap` items, kept in item order.
  const rowStart = new Int32Array(nCustomers + 1);
  const rowItems: number[] = [];
  const rowWeights: number[] = [];
  for (let c = 0; c < nCustomers; c++) {
    rowStart[c] = rowItems.length;
    const from = matrix.offsets[c] ?? 0;
    const to = matrix.offsets[c + 1] ?? 0;
    let cells = Array.from({ length: to - from }, (_, i) => from + i);
    if (cells.length > cap)
      cells = cells
        .sort((p, q) => (matrix.weights[q] ?? 0) - (matrix.weights[p] ?? 0) || p - q)
        .slice(0, cap)
        .sort((p, q) => p - q);
    for (const cell of cells) {
      rowItems.push(matrix.itemIndex[cell] ?? 0);
      rowWeights.push(matrix.weights[cell] ?? 0);
    }
  }
  rowStart[nCustomers] = rowItems.length;

  // Columns: the customers (and weights) of each item, and its norm.
  const colStart = new Int32Array(nItems + 1);
  for (const i of rowItems) colStart[i + 1] = (colStart[i + 1] ?? 0) + 1;
  for (let i = 0; i < nItems; i++) colStart[i + 1] = (colStart[i + 1] ?? 0) + (colStart[i] ?? 0);
  const colCustomers = new Int32Array(rowItems.length);
  const colWeights = new Float64Array(rowItems.length);
  const fill = colStart.slice(0, nItems);
  const squaredNorms = new Float64Array(nItems);
  for (let c = 0; c < nCustomers; c++)
    for (let p = rowStart[c] ?? 0; p < (rowStart[c + 1] ?? 0); p++) {
      const i = rowItems[p] ?? 0;
      const w = rowWeights[p] ?? 0;
      const slot = fill[i] ?? 0;
      colCustomers[slot] = c;
      colWeights[slot] = w;
      fill[i] = slot + 1;
      squaredNorms[i] = (squaredNorms[i] ?? 0) + w * w;
    }

  // One item at a time: dot products and co-buyer counts with every item sharing a customer.
  const dot = new Float64Array(nItems);
  const co = new Int32Array(nItems);
  const touched = new Int32Array(nItems);
  const positive = new Int32Array(nItems);
  const sim = new Float64Array(nItems);
  const neighbourStart = new Int32Array(nItems + 1);
  const neighbourItem: number[] = [];
  const neighbourSim: number[] = [];
  const neighbourCo: number[] = [];
  for (let i = 0; i < nItems; i++) {
    neighbourStart[i] = neighbourItem.length;
    let nTouched = 0;
    for (let p = colStart[i] ?? 0; p < (colStart[i + 1] ?? 0); p++) {
      const c = colCustomers[p] ?? 0;
      const wi = colWeights[p] ?? 0;
      for (let q = rowStart[c] ?? 0; q < (rowStart[c + 1] ?? 0); q++) {
        const j = rowItems[q] ?? 0;
        if (j === i) continue;
        if (co[j] === 0) touched[nTouched++] = j;
        co[j] = (co[j] ?? 0) + 1;
        dot[j] = (dot[j] ?? 0) + wi * (rowWeights[q] ?? 0);
      }
    }
    let kept = 0;
    for (let t = 0; t < nTouched; t++) {
      const j = touched[t] ?? 0;
      const n = co[j] ?? 0;
      // √(‖i‖²‖j‖²) rather than ‖i‖·‖j‖: identical columns then give exactly 1.
      const denominator = Math.sqrt((squaredNorms[i] ?? 0) * (squaredNorms[j] ?? 0));
      const s =
        n >= minCoBuyers && denominator > 0 ? ((dot[j] ?? 0) / denominator) * (n / (n + shrinkage)) : 0;
      sim[j] = s;
      if (s > 0) positive[kept++] = j;
    }
    for (const j of topIndices(positive, kept, (j) => sim[j] ?? 0, k)) {
      neighbourItem.push(j);
      neighbourSim.push(sim[j] ?? 0);
      neighbourCo.push(co[j] ?? 0);
    }
    for (let t = 0; t < nTouched; t++) {
      const j = touched[t] ?? 0;
      dot[j] = 0;
      co[j] = 0;
      sim[j] = 0;
    }
  }
  neighbourStart[nItems] = neighbourItem.length;

  return overNeighbours(matrix.items, neighbourStart, neighbourItem, neighbourSim, neighbourCo);
};

export type PopularityOptions = {
  /** What "most purchased" counts: distinct customers, baskets, or units. @default 'customers' */
  readonly by?: 'customers' | 'baskets' | 'quantity' | undefined;
};

/** Baseline: the items most purchased in the matrix's period, the same list for everyone (minus owned). */
export const popularityRecommender = (
  matrix: InteractionMatrix,
  options: PopularityOptions = {},
): Recommender & { readonly ranking: readonly Recommendation[] } => {
  const by = options.by ?? 'customers';
  const counts = new Float64Array(matrix.items.length);
  for (let p = 0; p < matrix.itemIndex.length; p++) {
    const i = matrix.itemIndex[p] ?? 0;
    counts[i] =
      (counts[i] ?? 0) +
      (by === 'customers' ? 1 : by === 'baskets' ? (matrix.baskets[p] ?? 0) : (matrix.quantities[p] ?? 0));
  }
  const order = Array.from({ length: matrix.items.length }, (_, i) => i);
  const ranking: Recommendation[] = topIndices(order, order.length, (i) => counts[i] ?? 0, order.length).map(
    (i) => ({ itemId: matrix.items[i] ?? '', score: counts[i] ?? 0 }),
  );
  const recommend = (owned: OwnedItems, n: number, recommendOptions: RecommendOptions = {}) => {
    checkCount('n', n, 0);
    const excludeOwned = recommendOptions.excludeOwned ?? true;
    const ownedIds = new Set(ownedEntries(owned).map(([id]) => id));
    const out: Recommendation[] = [];
    for (const r of ranking) {
      if (out.length >= n) break;
      if (!(excludeOwned && ownedIds.has(r.itemId))) out.push(r);
    }
    return out;
  };
  return { ranking, recommend };
};
