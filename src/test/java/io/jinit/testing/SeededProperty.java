package io.jinit.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Property tests in plain JUnit: a seeded generator, a number of tries, and on failure the seed,
 * the try, the failing case and (when a shrinker is given) the smallest failing case found, so
 * that the failure can be replayed exactly.
 *
 * <p>Seeds: the run's seed is {@code -Djinit.seed=N} when given, else a fresh random one; each
 * try {@code i} draws its own case seed from the run's seed, so {@code -Djinit.seed=N} replays
 * the whole run and {@code -Djinit.case=M} (a case seed from a failure message) replays one case.
 * Every run prints {@code property NAME: T tries, seed N} to stdout.
 *
 * @param <T> the generated case
 */
public final class SeededProperty<T> {
    /** Makes a case from a random source; must use nothing but {@code random} (replayable). */
    @FunctionalInterface
    public interface Generator<T> {
        T generate(SplittableRandom random);
    }

    /** Checks one case; throws (AssertionError or any exception) when the property does not hold. */
    @FunctionalInterface
    public interface Check<T> {
        void check(T value) throws Exception;
    }

    private final String name;
    private final int tries;
    private final Generator<T> generator;
    private Function<T, List<T>> shrinker = v -> List.of();
    private Function<T, String> describe = String::valueOf;
    private int maxShrinkSteps = 500;

    private SeededProperty(String name, int tries, Generator<T> generator) {
        this.name = name;
        this.tries = tries;
        this.generator = generator;
    }

    /**
     * @param name      the property's name, in the printed lines
     * @param tries     how many cases to check (without {@code -Djinit.case})
     * @param generator makes one case from a seeded random source
     */
    public static <T> SeededProperty<T> forAll(String name, int tries, Generator<T> generator) {
        return new SeededProperty<>(name, tries, generator);
    }

    /**
     * @param shrinker smaller candidates of a failing case, most promising (smallest) first; the
     *                 first candidate that still fails is shrunk further (greedy, by hand)
     */
    public SeededProperty<T> shrinkWith(Function<T, List<T>> shrinker) {
        this.shrinker = shrinker;
        return this;
    }

    /** @param maxSteps how many candidate checks the shrink may make at most (each one runs the check) */
    public SeededProperty<T> maxShrinkSteps(int maxSteps) {
        this.maxShrinkSteps = maxSteps;
        return this;
    }

    /** @param describe how a case is shown in the failure message */
    public SeededProperty<T> describedBy(Function<T, String> describe) {
        this.describe = describe;
        return this;
    }

    /**
     * Runs the tries.
     *
     * @return how many cases were checked
     * @throws AssertionError naming the seed, the case seed, the failing and the shrunk case
     */
    public int check(Check<T> check) {
        String caseProperty = System.getProperty("jinit.case");
        if (caseProperty != null && !caseProperty.isBlank()) {
            long caseSeed = Long.parseLong(caseProperty.strip());
            System.out.printf("property %s: 1 tries, case %d (-Djinit.case)%n", name, caseSeed);
            runOne(check, -1, 0L, caseSeed);
            return 1;
        }
        String seedProperty = System.getProperty("jinit.seed");
        long seed = seedProperty != null && !seedProperty.isBlank()
                ? Long.parseLong(seedProperty.strip()) : new SplittableRandom().nextLong();
        System.out.printf("property %s: %d tries, seed %d%n", name, tries, seed);
        SplittableRandom seeds = new SplittableRandom(seed);
        for (int i = 0; i < tries; i++) runOne(check, i, seed, seeds.nextLong());
        return tries;
    }

    private void runOne(Check<T> check, int attempt, long seed, long caseSeed) {
        T value = generator.generate(new SplittableRandom(caseSeed));
        Throwable failure = failure(check, value);
        if (failure == null) return;
        T smallest = value;
        Throwable smallestFailure = failure;
        int steps = 0;
        boolean progress = true;
        while (progress && steps < maxShrinkSteps) {
            progress = false;
            for (T candidate : shrinker.apply(smallest)) {
                if (++steps > maxShrinkSteps) break;
                Throwable f = failure(check, candidate);
                if (f != null) {
                    smallest = candidate;
                    smallestFailure = f;
                    progress = true;
                    break;
                }
            }
        }
        String replay = attempt < 0 ? "-Djinit.case=" + caseSeed
                : "-Djinit.seed=" + seed + " (whole run) or -Djinit.case=" + caseSeed + " (this case)";
        String message = "property " + name + " failed"
                + (attempt < 0 ? "" : " at try " + (attempt + 1) + " of " + tries + ", seed " + seed)
                + ", case seed " + caseSeed + "; replay with " + replay
                + "\n  failing case: " + describe.apply(value)
                + "\n  because: " + failure
                + (smallest == value ? "" : "\n  shrunk to (" + steps + " steps): " + describe.apply(smallest)
                        + "\n  because: " + smallestFailure);
        System.out.println(message);
        AssertionError error = new AssertionError(message, smallestFailure);
        throw error;
    }

    private static <T> Throwable failure(Check<T> check, T value) {
        try {
            check.check(value);
            return null;
        } catch (Exception | AssertionError e) {
            return e;
        }
    }

    /**
     * Smaller lists of a failing list: halves first, then each list with one element left out.
     *
     * @param list a failing list
     * @return candidates, smallest first
     */
    public static <E> List<List<E>> shrinkList(List<E> list) {
        List<List<E>> out = new ArrayList<>();
        int n = list.size();
        if (n == 0) return out;
        if (n > 1) {
            out.add(List.copyOf(list.subList(0, n / 2)));
            out.add(List.copyOf(list.subList(n / 2, n)));
        }
        for (int i = 0; i < n && out.size() < 64; i++) {
            List<E> without = new ArrayList<>(list);
            without.remove(i);
            out.add(List.copyOf(without));
        }
        return out;
    }

    /**
     * Shorter byte arrays of a failing one: empty, halves, then each array with one byte left out.
     *
     * @param bytes a failing array
     * @return candidates, shortest first
     */
    public static List<byte[]> shrinkBytes(byte[] bytes) {
        List<byte[]> out = new ArrayList<>();
        int n = bytes.length;
        if (n == 0) return out;
        out.add(new byte[0]);
        if (n > 1) {
            out.add(java.util.Arrays.copyOfRange(bytes, 0, n / 2));
            out.add(java.util.Arrays.copyOfRange(bytes, n / 2, n));
        }
        for (int i = 0; i < n && out.size() < 300; i++) {
            byte[] without = new byte[n - 1];
            System.arraycopy(bytes, 0, without, 0, i);
            System.arraycopy(bytes, i + 1, without, i, n - i - 1);
            out.add(without);
        }
        return out;
    }
}
