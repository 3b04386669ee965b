package io.jinit.env;

import io.jinit.bytes.RawStrings;

/**
 * The content of {@code container_environment.sh}, built one variable at a time: a line
 * {@code export NAME=VALUE\n} per variable, in the order added, where NAME is
 * {@link #sanitizeName} and VALUE is {@link #shellQuote}. The bytes are
 * {@link RawStrings#encode}d, so sourcing the file in {@code sh}, {@code dash} or {@code bash}
 * gives back each value byte for byte.
 *
 * <p>Left out: {@link ContainerEnvironment#PROTECTED_NAMES}, silently; a variable whose
 * sanitized name is still not a shell name ({@code [A-Za-z_][A-Za-z0-9_]*}: a leading digit, a
 * non-ASCII letter), with a reason, because one such line would stop {@code sh}/{@code dash}
 * from sourcing the rest of the file. Two names that sanitize alike both get a line: the later
 * one wins when sourced.
 */
final class ShellExport {
    private final StringBuilder text = new StringBuilder();

    /**
     * Adds the line of one variable, unless the rules above leave it out.
     *
     * @param name  a variable name (not empty, no {@code '='}, no NUL)
     * @param value its value (no NUL)
     * @return null if the line was added or the name is protected; else why the variable was
     *     left out (a clause for {@link Diagnostics#leftOut})
     */
    String add(String name, String value) {
        if (ContainerEnvironment.PROTECTED_NAMES.contains(name)) return null;
        String shellName = sanitizeName(name);
        if (!isShellName(shellName)) return Diagnostics.display(shellName) + " is not a shell variable name";
        text.append("export ").append(shellName).append('=').append(shellQuote(value)).append('\n');
        return null;
    }

    /** @return the file's content: the lines added so far, as raw bytes */
    byte[] bytes() {
        return RawStrings.encode(text.toString());
    }

    /**
     * The name a variable gets in the {@code .sh}: every code point that is not a word character
     * becomes {@code _}, as Python's {@code re.sub(r'\W', '_', name)} does: a word character is
     * {@code _}, a letter (Lu, Ll, Lt, Lm, Lo) or a number (Nd, Nl, No, so {@code ²} and
     * {@code ½} are kept, as Python's {@code str.isalnum()} keeps them); a lone surrogate, i.e. a
     * byte that is not UTF-8, is not. The result can still start with a digit or hold non-ASCII
     * characters; {@link #add} leaves such a variable out.
     *
     * @param name a variable name
     * @return the sanitized name, one character per code point
     */
    static String sanitizeName(String name) {
        StringBuilder out = new StringBuilder(name.length());
        name.codePoints().forEach(cp -> {
            if (isWordCharacter(cp)) out.appendCodePoint(cp);
            else out.append('_');
        });
        return out.toString();
    }

    /** Python 3's {@code \w} on a str: {@code _}, a letter (Lu, Ll, Lt, Lm, Lo) or a number (Nd, Nl, No). */
    private static boolean isWordCharacter(int cp) {
        int type = Character.getType(cp);
        return cp == '_' || Character.isLetter(cp) || type == Character.DECIMAL_DIGIT_NUMBER
                || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
    }

    /**
     * Quotes a value for a POSIX shell, as the reference's {@code shquote} does: {@code ''} if
     * empty; unchanged if every code point is a word character (as in {@link #sanitizeName}:
     * {@code _}, a letter or a number, so {@code x²} stays unquoted as in Python's {@code \w})
     * or one of {@code @%+=:,./-}; otherwise in
     * single quotes, each {@code '} written as {@code '"'"'}. A lone surrogate (a byte that is not
     * UTF-8) is not safe, so such a value is quoted. Sourcing {@code NAME=<result>} in
     * {@code sh}, {@code dash} or {@code bash} gives back the value's bytes exactly.
     *
     * @param value any value without NUL
     * @return the shell word
     */
    static String shellQuote(String value) {
        if (value.isEmpty()) return "''";
        boolean safe = value.codePoints().allMatch(cp -> isWordCharacter(cp)
                || cp == '@' || cp == '%' || cp == '+' || cp == '=' || cp == ':' || cp == ','
                || cp == '.' || cp == '/' || cp == '-');
        if (safe) return value;
        return "'" + value.replace("'", "'\"'\"'") + "'";
    }

    /** @return true for a POSIX shell variable name: {@code [A-Za-z_][A-Za-z0-9_]*} */
    static boolean isShellName(String name) {
        if (name.isEmpty()) return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9';
            if (!ok) return false;
        }
        return true;
    }
}
