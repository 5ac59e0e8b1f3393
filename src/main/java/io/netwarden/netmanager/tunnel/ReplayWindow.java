package io.netwarden.netmanager.tunnel;

/**
 * Which packet counters of one key were seen: the highest one and a window of {@link #WINDOW} below it, as IPsec and
 * WireGuard keep it (RFC 6479: a ring of 64-bit words, one more than the window needs, cleared a word at a time as the
 * window moves). A counter above the highest moves the window; one inside it is taken once; one below it is too old.
 *
 * <pre>
 *   counter ─ &gt; highest ─▶ FRESH          ─ in (highest − WINDOW, highest], not seen ─▶ FRESH
 *           ─ seen ─▶ REPLAYED             ─ ≤ highest − WINDOW ─▶ TOO_OLD
 *   check first, then mark once the packet's tag is verified (a forged counter must not move the window)
 * </pre>
 *
 * Thread safety: synchronized; one instance per received key.
 */
final class ReplayWindow {

    /** Bits in the ring. */
    private static final int SIZE = 2048;
    private static final int WORDS = SIZE / 64;
    /** Counters accepted below the highest: the ring less the word the highest is in. */
    static final int WINDOW = SIZE - 64;

    enum Verdict {
        FRESH, REPLAYED, TOO_OLD
    }

    private final long[] seen = new long[WORDS];
    private long highest = -1;

    synchronized Verdict check(long counter) {
        if (counter < 0) {
            return Verdict.TOO_OLD;
        }
        if (counter > highest) {
            return Verdict.FRESH;
        }
        if (highest - counter >= WINDOW) {
            return Verdict.TOO_OLD;
        }
        return (seen[word(counter)] & bit(counter)) != 0 ? Verdict.REPLAYED : Verdict.FRESH;
    }

    /** Marks a verified counter; false when it was taken meanwhile (checked twice, marked once). */
    synchronized boolean mark(long counter) {
        if (check(counter) != Verdict.FRESH) {
            return false;
        }
        if (counter > highest) {
            long shift = highest < 0 ? SIZE : counter - highest;
            if (shift >= SIZE) {
                java.util.Arrays.fill(seen, 0L);
            } else {
                // clear the words the window moves over, from the one after the highest up to the counter's
                long from = highest / 64 + 1;
                long to = counter / 64;
                for (long w = from; w <= to && w - from < WORDS; w++) {
                    seen[(int) (w % WORDS)] = 0L;
                }
            }
            highest = counter;
        }
        seen[word(counter)] |= bit(counter);
        return true;
    }

    private static int word(long counter) {
        return (int) ((counter / 64) % WORDS);
    }

    private static long bit(long counter) {
        return 1L << (counter % 64);
    }
}
