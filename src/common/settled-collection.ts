import v8 from 'node:v8';
import vm from 'node:vm';

let fullCollection: (() => void) | null | undefined;

/** V8's full garbage collection, made callable at run time (as `--expose-gc` would); null if this V8 refuses. */
export function fullGarbageCollection(): (() => void) | null {
  if (fullCollection === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      fullCollection = vm.runInNewContext('gc') as () => void;
    } catch {
      fullCollection = null;
    }
  }
  return fullCollection;
}

function collectTwice(): void {
  const collect = fullGarbageCollection();
  // The second finds the first's sweeping done and returns the emptied pages to the system.
  collect?.();
  collect?.();
}

/**
 * One full collection once a burst of work has settled. Each configuration rebuild replaces a
 * snapshot that lived long enough to be promoted to the old generation; after a burst of changes
 * (1,000 experiments made through the API) that garbage is most of the heap, and V8 collects it
 * only when the old generation next fills, which an idle instance never does: it kept 90 MB of
 * dead snapshots resident (bench:memory). The pause is two full collections of a small live heap
 * (a few tens of ms), once per burst of changes.
 */
export class SettledCollection {
  private timer?: NodeJS.Timeout;
  private pokes = 0;

  /** `minimumPokes`: a burst smaller than this leaves too little garbage to be worth a full collection. */
  constructor(
    private readonly settleMs: number,
    private readonly minimumPokes: number,
    private readonly collect: () => void = collectTwice,
  ) {}

  /** Something made garbage: once nothing more has come for `settleMs`, collect if the burst was big enough. */
  poke(): void {
    this.pokes++;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const pokes = this.pokes;
      this.pokes = 0;
      if (pokes >= this.minimumPokes) this.collect();
    }, this.settleMs);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
