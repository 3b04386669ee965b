package io.jinit.env;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.SequencedMap;

/**
 * The content of {@code container_environment.json}, built one variable at a time: one JSON
 * object of all variables, {@link ContainerEnvironment#PROTECTED_NAMES} included, in the order
 * added, in the form Python's {@code json.dumps(dict)} gives (what phusion's {@code my_init}
 * writes): {@code {"A": "1", "B": "2"}}, no trailing newline, ASCII only: every character above
 * {@code ~} escaped as lowercase {@code \}{@code uXXXX} (so DEL too), control characters as
 * {@code \n}, {@code \t}... or {@code \}{@code u00XX}.
 *
 * <p>A lone surrogate (a byte that is not UTF-8, see {@link io.jinit.bytes.RawStrings}) comes out
 * as its {@code \}{@code udcXX} escape, as Python's {@code surrogateescape} does. This works
 * because jackson's character-based generator (used for a {@code String} result) escapes every
 * char above the limit one UTF-16 unit at a time and never validates surrogate pairs.
 *
 * <p>This is the only class of the package that touches jackson, and only in its nested
 * {@code Jackson} holder, initialised on the first {@link #bytes} call: a boot without the
 * variables directory never loads jackson, and other boots load it only when the JSON file is
 * written.
 */
final class JsonExport {
    private final SequencedMap<String, String> variables = new LinkedHashMap<>();

    /** Escapes DEL (0x7F) too, as Python's {@code ensure_ascii} does; the rest is jackson's standard set. */
    private static final class AsciiOnly extends CharacterEscapes {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        private final int[] codes;

        AsciiOnly() {
            codes = standardAsciiEscapesForJSON();
            codes[0x7F] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return codes;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return null; // no custom escapes: everything is standard or \\uXXXX
        }
    }

    /** jackson's writer, built when this holder is first used. */
    private static final class Jackson {
        static final JSON WRITER;

        static {
            JsonFactory factory = new JsonFactoryBuilder()
                    .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
                    .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
                    .characterEscapes(new AsciiOnly())
                    .build();
            Separators separators = Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEntrySpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("");
            DefaultPrettyPrinter.NopIndenter flat = new DefaultPrettyPrinter.NopIndenter();
            WRITER = JSON.builder(factory)
                    .prettyPrinter(new DefaultPrettyPrinter(separators).withObjectIndenter(flat).withArrayIndenter(flat))
                    .build();
        }
    }

    /**
     * Adds one variable to the object.
     *
     * @param name  a variable name (not empty, no {@code '='}, no NUL)
     * @param value its value (no NUL)
     */
    void add(String name, String value) {
        variables.put(name, value);
    }

    /**
     * @return the JSON object of the variables added so far, as ASCII bytes
     * @throws IOException if jackson fails (not expected for string maps)
     */
    byte[] bytes() throws IOException {
        return Jackson.WRITER.asString(variables).getBytes(StandardCharsets.US_ASCII);
    }
}
