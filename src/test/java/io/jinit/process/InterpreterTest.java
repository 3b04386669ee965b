package io.jinit.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The reason given when execve(2) says ENOENT for a script that exists: its #! interpreter. */
class InterpreterTest {

    @TempDir
    Path dir;

    private Path file(String name, String content) throws IOException {
        return Files.write(dir.resolve(name), content.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void crlfScriptNamesTheInterpreterWithItsCarriageReturn() throws IOException {
        Path script = file("crlf", "#!/bin/sh\r\necho hi\r\n");
        assertThat(Interpreter.of(script)).isEqualTo("/bin/sh\r");
        assertThat(Interpreter.missing(script.toString(), "No such file or directory"))
                .isEqualTo("bad interpreter \"/bin/sh\\r\" on its #! line: No such file or directory (the file has "
                        + "Windows CRLF line endings: convert it with dos2unix or sed -i 's/\\r$//')");
    }

    @Test
    void missingInterpreterWithoutCrlf() throws IOException {
        Path script = file("py", "#!  /no/such/python3 -u\nprint(1)\n");
        assertThat(Interpreter.of(script)).isEqualTo("/no/such/python3");
        assertThat(Interpreter.missing(script.toString(), "No such file or directory"))
                .isEqualTo("bad interpreter \"/no/such/python3\" on its #! line: No such file or directory");
    }

    @Test
    void noReasonWhenTheInterpreterExistsOrThereIsNone() throws IOException {
        assertThat(Interpreter.missing(file("ok", "#!/bin/sh\ntrue\n").toString(), "x")).isNull();
        assertThat(Interpreter.missing(file("plain", "echo no shebang\n").toString(), "x")).isNull();
        assertThat(Interpreter.missing(file("empty", "").toString(), "x")).isNull();
        assertThat(Interpreter.missing(dir.resolve("absent").toString(), "x")).isNull();
        assertThat(Interpreter.missing("relative-without-slash", "x")).isNull();
    }

    @Test
    void controlCharactersAreShown() {
        assertThat(Interpreter.visible("/bin/sh\r\t\u0001")).isEqualTo("/bin/sh\\r\\t\\x01");
    }
}
