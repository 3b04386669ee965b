package io.jinit.bytes;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Lossless conversion between the raw bytes of Unix strings (arguments, environment, file
 * contents) and Java strings, as Python's {@code surrogateescape} does ({@code PEP 383}):
 * valid UTF-8 decodes as usual; every byte that is not part of valid UTF-8 becomes the lone
 * surrogate {@code U+DC80 + (byte - 0x80)}, and {@link #encode} turns it back into that byte.
 * So {@code encode(decode(b))} equals {@code b} for every byte array.
 */
public final class RawStrings {
    private RawStrings() {}

    /**
     * @param bytes any bytes
     * @return the string, with undecodable bytes as lone surrogates U+DC80..U+DCFF
     */
    public static String decode(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return decoder.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return decodeEscaping(bytes);
        }
    }

    private static String decodeEscaping(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        StringBuilder sb = new StringBuilder(bytes.length);
        while (true) {
            var result = decoder.decode(in, out, true);
            out.flip();
            sb.append(out);
            out.clear();
            if (result.isError()) {
                for (int i = 0; i < result.length(); i++) {
                    sb.append((char) (0xDC00 + (in.get() & 0xFF)));
                }
            } else if (result.isUnderflow()) {
                decoder.flush(out);
                out.flip();
                sb.append(out);
                return sb.toString();
            }
        }
    }

    /**
     * @param s a string, possibly holding escaped bytes as lone surrogates U+DC80..U+DCFF
     * @return its UTF-8 bytes, with each escaped byte restored; other lone surrogates become {@code ?}
     */
    public static byte[] encode(String s) {
        boolean plain = true;
        for (int i = 0; i < s.length() && plain; i++) plain = !Character.isSurrogate(s.charAt(i));
        if (plain) return s.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 8);
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                out.writeBytes(s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8));
                i += 2;
            } else if (c >= 0xDC80 && c <= 0xDCFF) {
                out.write(c - 0xDC00);
                i++;
            } else if (Character.isSurrogate(c)) {
                out.write('?');
                i++;
            } else {
                int j = i;
                while (j < s.length() && !Character.isSurrogate(s.charAt(j))) j++;
                out.writeBytes(s.substring(i, j).getBytes(StandardCharsets.UTF_8));
                i = j;
            }
        }
        return out.toByteArray();
    }
}
