/** Label values that no GraphQL operation name can take (names never contain parentheses). */
export const ANONYMOUS_OPERATION = '(anonymous)';
export const OTHER_OPERATION = '(other)';
/** A request that never reached a resolved operation: unparsable, invalid, or refused before validation. */
export const UNRESOLVED_OPERATION = '(unresolved)';

/** GraphQL names are short in practice; a longer one is cut, so one label value stays small. */
const MAX_NAME_LENGTH = 64;

/**
 * Operation names are chosen by clients, so as metric labels they must be bounded: every distinct
 * label value is a time series kept forever by the process and by Prometheus. Only names of
 * operations that passed validation get here. With a fixed list (METRICS_OPERATION_NAMES) only
 * those names are labels; otherwise the first `max` distinct names seen are, and every later new
 * name is counted as "(other)"; only authenticated requests admit names. The number of label
 * values is therefore at most `max` + 3.
 */
export class OperationNameLabels {
  private readonly admitted: Set<string>;
  private readonly fixed: boolean;

  constructor(
    fixedNames: readonly string[],
    private readonly max: number,
  ) {
    this.fixed = fixedNames.length > 0;
    this.admitted = new Set(fixedNames);
  }

  /**
   * The label value for a resolved operation's name (null: an anonymous operation). Only an
   * authenticated caller's request (`mayAdmit`) takes a free slot, so anonymous clients cannot use
   * the slots up and push the real operations into "(other)".
   */
  labelOf(name: string | null | undefined, mayAdmit = true): string {
    if (!name) return ANONYMOUS_OPERATION;
    const label = name.length > MAX_NAME_LENGTH ? name.slice(0, MAX_NAME_LENGTH) : name;
    if (this.admitted.has(label)) return label;
    if (this.fixed || !mayAdmit || this.admitted.size >= this.max) return OTHER_OPERATION;
    this.admitted.add(label);
    return label;
  }

  /** Distinct names admitted so far (fixed ones included). */
  get size(): number {
    return this.admitted.size;
  }
}
