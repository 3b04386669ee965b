package io.jinit.env;

import static org.assertj.core.api.Assertions.assertThat;

import io.jinit.posix.RawStrings;
import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Issue 4, item 1: random names and values round-trip through the directory, the .sh (sourced
 * by sh, dash, bash and bash --posix) and the .json (jackson-jr), byte for byte; invalid names
 * are skipped with exactly one warning line and never crash. The oracle is
 * {@link RoundTripCheck}.
 *
 * <p>One try is a batch of {@value #BATCH} variables with distinct names, exported and checked
 * together (one .sh sourced once per shell), so {@value #TRIES} tries check
 * {@value #BATCH} × {@value #TRIES} = 10,000 variables.
 *
 * <p>Names: 70 % valid ({@code [A-Za-z_][A-Za-z0-9_]{0,20}}), 30 % invalid: with {@code /},
 * with {@code =}, empty, a leading digit, non-ASCII letters, non-ASCII non-letters, {@code ..}.
 * A leading digit is a valid file name and a valid environment name: such a variable goes to the
 * directory and the .json, but not to the .sh (no shell could source it; one warning). Names
 * whose sanitized form is a variable the shells themselves set or read ({@code _},
 * {@code PATH}, {@code RANDOM}, {@code BASH*}...) and the six protected names are not generated:
 * they cannot be checked by sourcing and printing (unit tests cover the protected names).
 *
 * <p>Values: bytes 1..255 (no NUL: no environment value can hold it), built from fragments
 * (ASCII, {@code \n}, {@code \r}, quotes, {@code $}, backticks, backslashes, UTF-8 of 1 to 4
 * bytes, and bytes that are not UTF-8: stray continuation bytes, truncated and overlong
 * sequences, encoded surrogates); 15 % are long, up to 64 KiB.
 */
class EnvRoundTripPropertyTest {
    static final int BATCH = 100;
    static final int TRIES = 100;
    static final int MAX_VALUE = 64 * 1024;

    private static final RoundTripCheck CHECK = new RoundTripCheck();

    /** Variables the shells set or interpret themselves: sourcing them cannot be checked by printing them back. */
    private static final Set<String> SHELL_OWN = Set.of(
            "_", "IFS", "PATH", "ENV", "CDPATH", "HOME", "SHELL", "USER", "UID", "GID", "GROUP", "EUID", "PPID",
            "PWD", "OLDPWD", "OPTIND", "OPTARG", "OPTERR", "LINENO", "RANDOM", "SRANDOM", "SECONDS", "GROUPS",
            "FUNCNAME", "FUNCNEST", "DIRSTACK", "PIPESTATUS", "SHELLOPTS", "SHLVL", "HOSTNAME", "HOSTTYPE",
            "MACHTYPE", "OSTYPE", "POSIXLY_CORRECT", "LANG", "LANGUAGE", "MAIL", "MAILCHECK", "MAILPATH",
            "EPOCHREALTIME", "EPOCHSECONDS", "COPROC", "COLUMNS", "LINES", "TMOUT", "REPLY", "MAPFILE",
            "EXECIGNORE", "GLOBIGNORE", "GLOBSORT", "FIGNORE", "TIMEFORMAT", "IGNOREEOF", "INPUTRC",
            "CHILD_MAX", "PROMPT_COMMAND", "PROMPT_DIRTRIM", "INSIDE_EMACS", "EMACS", "FCEDIT", "HOSTFILE",
            "TMPDIR", "histchars", "COMPREPLY");
    private static final List<String> SHELL_OWN_PREFIXES = List.of("BASH", "COMP_", "HIST", "LC_", "PS", "READLINE_");

    static boolean shellOwn(String name) {
        String s = ContainerEnvironment.sanitizeName(name);
        return SHELL_OWN.contains(s) || SHELL_OWN_PREFIXES.stream().anyMatch(s::startsWith)
                || ContainerEnvironment.PROTECTED_NAMES.contains(name);
    }

    @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
    void valuesRoundTripThroughDirectoryShellAndJson(@ForAll("batches") List<Variable> batch) throws Exception {
        SequencedMap<String, String> env = new LinkedHashMap<>();
        for (Variable v : batch) env.put(v.name(), v.value());
        assertThat(env).hasSize(BATCH);
        CHECK.check(env);
    }

    @AfterContainer
    static void report() {
        System.out.printf("env round trip: %d variables (%d valid names, %d invalid), %d value bytes, %d shell runs;"
                        + " export %d ms, shells %d ms%n",
                CHECK.variables, CHECK.validNames, CHECK.invalidNames, CHECK.valueBytes, CHECK.shellRuns,
                CHECK.exportNanos / 1_000_000, CHECK.shellNanos / 1_000_000);
        assertThat(CHECK.variables).as("variables checked").isGreaterThanOrEqualTo((long) BATCH * TRIES);
    }

    /** A name and a value, both as RawStrings strings. */
    record Variable(String name, String value) {
        @Override
        public String toString() {
            return ContainerEnvironment.display(name) + "=" + RawStrings.encode(value).length + " bytes";
        }
    }

    @Provide
    Arbitrary<List<Variable>> batches() {
        return Combinators.combine(names(), values()).as(Variable::new)
                .list().ofSize(BATCH).uniqueElements(Variable::name);
    }

    // ------------------------------------------------------------ names

    private static Arbitrary<String> validNames() {
        Arbitrary<Character> first = Arbitraries.chars().range('A', 'Z').range('a', 'z').with('_');
        Arbitrary<String> rest = Arbitraries.strings().withCharRange('A', 'Z').withCharRange('a', 'z')
                .withCharRange('0', '9').withChars('_').ofMinLength(0).ofMaxLength(20);
        return Combinators.combine(first, rest).as((f, r) -> f + r);
    }

    private static Arbitrary<String> invalidNames() {
        Arbitrary<String> valid = validNames();
        Arbitrary<String> tail = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9')
                .withChars('_', '/', '=', '.', '-').ofMaxLength(8);
        Arbitrary<String> nonAsciiLetter = Arbitraries.of("é", "Ä", "ß", "ж", "中", "ñ", "Ω", "\uD835\uDC00");
        Arbitrary<String> nonAsciiOther = Arbitraries.of("😀", "€", "²", "\u00A0", "\u2028", "·");
        return Arbitraries.oneOf(
                Combinators.combine(valid, tail).as((v, t) -> v + "/" + t),
                Combinators.combine(valid, tail).as((v, t) -> v + "=" + t),
                Combinators.combine(tail, tail).as((a, b) -> "/" + a + b),
                Arbitraries.just(""),
                Arbitraries.just(".."),
                Combinators.combine(Arbitraries.chars().range('0', '9'), tail).as((d, t) -> d + t.replace("/", "")),
                Combinators.combine(valid, nonAsciiLetter, tail).as((v, l, t) -> v + l + t),
                Combinators.combine(nonAsciiLetter, valid).as((l, v) -> l + v),
                Combinators.combine(valid, nonAsciiOther).as((v, o) -> v + o));
    }

    private static Arbitrary<String> names() {
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(70, validNames()),
                        net.jqwik.api.Tuple.of(30, invalidNames()))
                .filter(n -> !shellOwn(n));
    }

    // ------------------------------------------------------------ values

    /** Byte fragments that values are made of; none holds NUL. */
    private static final List<byte[]> FRAGMENTS = List.of(
            b("\n"), b("\r"), b("\r\n"), b("'"), b("\""), b("$"), b("`"), b("\\"), b(" "), b("\t"),
            b("'\"'\"'"), b("$(id)"), b("${HOME}"), b("`id`"), b("!"), b("*"), b("?"), b("~"), b("#"),
            b("-n"), b("%s"), b("\\0"), b("="), b("@%+=:,./-"), b("\u007f"), b("\u0001"),
            b("é"), b("日本"), b("😀"), b("\u2028"), b("\u0085"),
            bytes(0x80), bytes(0xFF), bytes(0xC3), bytes(0xE6, 0x97), bytes(0xC0, 0x80), bytes(0xED, 0xA0, 0x80),
            bytes(0xF4, 0x90, 0x80, 0x80), bytes(0xF8, 0x88, 0x80, 0x80, 0x80), bytes(0xE9), bytes(0xBF, 'x'));

    private static byte[] b(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[] bytes(int... v) {
        return EnvFixture.bytes(v);
    }

    private static Arbitrary<String> values() {
        Arbitrary<byte[]> fragment = Arbitraries.oneOf(
                Arbitraries.of(FRAGMENTS),
                Arbitraries.strings().ascii().ofMaxLength(12).map(s -> b(s.replace('\0', 'N'))),
                Arbitraries.integers().between(1, 255).map(i -> bytes(i)));
        Arbitrary<byte[]> shortValue = fragment.list().ofMaxSize(30).map(EnvRoundTripPropertyTest::concat);
        Arbitrary<byte[]> longValue = Combinators.combine(Arbitraries.longs(), Arbitraries.integers().between(0, MAX_VALUE))
                .as(EnvRoundTripPropertyTest::longValue);
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(85, shortValue),
                        net.jqwik.api.Tuple.of(15, longValue))
                .map(RawStrings::decode);
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    /** A value of exactly {@code length} bytes, fragments chosen by a seeded random (cheap to generate at 64 KiB). */
    private static byte[] longValue(long seed, int length) {
        SplittableRandom random = new SplittableRandom(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + 8);
        while (out.size() < length) {
            switch (random.nextInt(4)) {
                case 0 -> out.writeBytes(FRAGMENTS.get(random.nextInt(FRAGMENTS.size())));
                case 1 -> out.write(1 + random.nextInt(255));
                default -> {
                    int n = 1 + random.nextInt(64);
                    for (int i = 0; i < n; i++) out.write(' ' + random.nextInt(95)); // printable ASCII
                }
            }
        }
        byte[] all = out.toByteArray();
        return java.util.Arrays.copyOf(all, length); // may cut a UTF-8 sequence: more bytes that are not UTF-8
    }
}
