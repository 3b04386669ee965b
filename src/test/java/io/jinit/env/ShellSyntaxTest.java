package io.jinit.env;

import static io.jinit.env.Diagnostics.display;
import static io.jinit.env.ShellExport.isShellName;
import static io.jinit.env.ShellExport.sanitizeName;
import static io.jinit.env.ShellExport.shellQuote;
import static org.assertj.core.api.Assertions.assertThat;

import io.jinit.bytes.RawStrings;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The naming and quoting rules of container_environment.sh (contract, "Environment files"). */
class ShellSyntaxTest {

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            PATH           | PATH
            my_var1        | my_var1
            A-B.c d        | A_B_c_d
            a=b/c          | a_b_c
            1ABC           | 1ABC
            Äpfel          | Äpfel
            名前            | 名前
            x²             | x²
            ½Ⅻ€·           | ½Ⅻ__
            """)
    void sanitizeName_replacesEveryNonWordCharacterUnicodeAware(String name, String expected) {
        assertThat(sanitizeName(name)).isEqualTo(expected);
    }

    @Test
    void sanitizeName_handlesCodePointsNotChars() {
        // U+1F600 (emoji, not a letter) is two chars but one code point: one '_'
        assertThat(sanitizeName("a\uD83D\uDE00b")).isEqualTo("a_b");
        // U+1D400 MATHEMATICAL BOLD CAPITAL A is a letter outside the BMP: kept
        assertThat(sanitizeName("\uD835\uDC00x")).isEqualTo("\uD835\uDC00x");
        // bytes that are not UTF-8 (lone surrogates) are not letters
        assertThat(sanitizeName("A" + RawStrings.decode(new byte[] {(byte) 0xFF, (byte) 0x80}) + "B")).isEqualTo("A__B");
        assertThat(sanitizeName("")).isEmpty();
    }

    @Test
    void shellQuote_emptyIsTwoQuotes() {
        assertThat(shellQuote("")).isEqualTo("''");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "ABC_123", "@%+=:,./-", "/usr/bin:/bin", "user@host", "a=b", "-x", "été", "日本語", "\uD835\uDC00", "x²", "½Ⅻ"})
    void shellQuote_leavesSafeWordsUnquoted(String value) {
        assertThat(shellQuote(value)).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", "$HOME", "`id`", "a\"b", "a\\b", "~", "*", "a\nb", "a\rb", "a;b", "5€", "\t", "!", "#"})
    void shellQuote_quotesEverythingElse(String value) {
        assertThat(shellQuote(value)).isEqualTo("'" + value + "'");
    }

    @Test
    void shellQuote_writesSingleQuotesAsQuoteDoubleQuotedQuote() {
        assertThat(shellQuote("it's")).isEqualTo("'it'\"'\"'s'");
        assertThat(shellQuote("'")).isEqualTo("''\"'\"''");
    }

    @Test
    void shellQuote_aByteThatIsNotUtf8IsNotSafe() {
        String raw = RawStrings.decode(new byte[] {'a', (byte) 0xE9, 'b'}); // Latin-1 é: not UTF-8
        assertThat(raw).isEqualTo("a\uDCE9b");
        assertThat(shellQuote(raw)).isEqualTo("'a\uDCE9b'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"A", "_", "_1", "abc_DEF_123", "x"})
    void isShellName_acceptsPosixNames(String name) {
        assertThat(isShellName(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1A", "9", "Äpfel", "a-b", "a b", "a.b"})
    void isShellName_rejectsTheRest(String name) {
        assertThat(isShellName(name)).isFalse();
    }

    @Test
    void display_quotesAndKeepsOneLine() {
        assertThat(display("A/B")).isEqualTo("'A/B'");
        assertThat(display("a'b\\c")).isEqualTo("'a\\'b\\\\c'");
        assertThat(display("a\nb\rc\td")).isEqualTo("'a\\nb\\rc\\td'");
        assertThat(display("\u0001\u007f\u0085\u2028")).isEqualTo("'\\u0001\\u007f\\u0085\\u2028'");
        assertThat(display(RawStrings.decode(new byte[] {(byte) 0xFF}))).isEqualTo("'\\xff'");
        assertThat(display("Äpfel")).isEqualTo("'Äpfel'");
    }

    /** The quoting holds in real shells: each tricky value comes back byte for byte. */
    @Test
    void quotedValuesSurviveSourcingInSh_dash_bash(@TempDir Path dir) throws Exception {
        List<String> values = List.of("", "plain", "it's", "''", "\"'\"", "$HOME `id` $(id) \\", "a\nb\r\n",
                "é 日本", "!#*?[a]~", RawStrings.decode(new byte[] {(byte) 0xFF, '\'', (byte) 0xC3, '\n'}), "x²", "-n", "-e");
        StringBuilder sh = new StringBuilder();
        StringBuilder print = new StringBuilder(". \"$1\"\nprintf '%s\\0'");
        for (int i = 0; i < values.size(); i++) {
            sh.append("export V").append(i).append('=').append(shellQuote(values.get(i))).append('\n');
            print.append(" \"$V").append(i).append('"');
        }
        Path env = Files.write(dir.resolve("env.sh"), RawStrings.encode(sh.toString()));
        Path script = Files.writeString(dir.resolve("print.sh"), print.append('\n'));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (String v : values) {
            expected.writeBytes(RawStrings.encode(v));
            expected.write(0);
        }
        for (String shell : List.of("sh", "dash", "bash")) {
            Process p = new ProcessBuilder(shell, script.toString(), env.toString()).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertThat(p.waitFor()).as(shell + ": " + new String(out, StandardCharsets.UTF_8)).isZero();
            assertThat(out).as(shell).isEqualTo(expected.toByteArray());
        }
    }
}
