package io.jinit.bytes;

import io.jinit.testing.SeededProperty;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class RawStringsTest {

    static final int TRIES = 2000;
    static final int MAX_LENGTH = 300;

    /** 2,000 byte arrays of 0..300 bytes (random bytes mixed with UTF-8 of 1 to 4 bytes) round-trip. */
    @Test
    void anyBytesRoundTrip() {
        int checked = SeededProperty.forAll("RawStrings.anyBytesRoundTrip", TRIES, RawStringsTest::bytes)
                .shrinkWith(SeededProperty::shrinkBytes)
                .describedBy(b -> b.length + " bytes " + HexFormat.of().formatHex(b))
                .check(bytes -> assertThat(RawStrings.encode(RawStrings.decode(bytes))).isEqualTo(bytes));
        assertThat(checked).isPositive();
    }

    /** Up to {@value #MAX_LENGTH} bytes: runs of random bytes and of UTF-8 sequences (valid or cut). */
    static byte[] bytes(SplittableRandom random) {
        int length = random.nextInt(MAX_LENGTH + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + 4);
        while (out.size() < length) {
            switch (random.nextInt(3)) {
                case 0 -> out.write(random.nextInt(256));
                case 1 -> {
                    int cp = switch (random.nextInt(4)) {
                        case 0 -> random.nextInt(0x80);
                        case 1 -> 0x80 + random.nextInt(0x800 - 0x80);
                        case 2 -> 0x800 + random.nextInt(0x10000 - 0x800);
                        default -> 0x10000 + random.nextInt(0x110000 - 0x10000);
                    };
                    // surrogate code points too: encoded (CESU-like) they are not UTF-8
                    byte[] b = cp >= 0xD800 && cp <= 0xDFFF
                            ? new byte[] {(byte) 0xED, (byte) (0x80 | ((cp >> 6) & 0x3F)), (byte) (0x80 | (cp & 0x3F))}
                            : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                    out.write(b, 0, random.nextInt(4) == 0 ? random.nextInt(b.length) + 1 : b.length);
                }
                default -> out.write(0x80 + random.nextInt(0x80));
            }
        }
        return java.util.Arrays.copyOf(out.toByteArray(), length);
    }

    @Test
    void validUtf8DecodesAsUsual() {
        assertThat(RawStrings.decode("héllo ☃ 𝄞".getBytes(StandardCharsets.UTF_8))).isEqualTo("héllo ☃ 𝄞");
    }

    @Test
    void invalidBytesBecomeLoneSurrogatesAsPythonSurrogateescape() {
        String s = RawStrings.decode(new byte[] {'a', (byte) 0xff, 'b', (byte) 0xc3});
        assertThat(s).isEqualTo("a\udcffb\udcc3");
        assertThat(RawStrings.encode(s)).containsExactly('a', 0xff, 'b', 0xc3);
    }

    @Test
    void encodedSurrogateCodePointIsKeptAsBytes() {
        byte[] cesu = {(byte) 0xed, (byte) 0xb2, (byte) 0x80};
        assertThat(RawStrings.encode(RawStrings.decode(cesu))).isEqualTo(cesu);
    }
}
