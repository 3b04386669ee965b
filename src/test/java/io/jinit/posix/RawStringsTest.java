package io.jinit.posix;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class RawStringsTest {

    @Property(tries = 2000)
    void anyBytesRoundTrip(@ForAll @Size(max = 300) byte[] bytes) {
        assertThat(RawStrings.encode(RawStrings.decode(bytes))).isEqualTo(bytes);
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
