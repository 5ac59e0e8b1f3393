package io.netwarden.dnc.telnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TerminalTextTest {

    /**
     * The way output was cleaned before: the whole text at once, by regex. The incremental cleaner must agree with it,
     * with one intended difference: a run of carriage returns (and NULs after them) counts as one, as on a terminal —
     * the old cleaner erased the line before {@code CR CR CR LF} but not before {@code CR CR LF}.
     */
    private static final Pattern ESCAPES = Pattern.compile("\u001B\\[[0-9;?]*[ -/]*[@-~]|\u001B[()][0-9A-Za-z]|\u001B[=>]");

    static String reference(String raw) {
        String s = ESCAPES.matcher(raw).replaceAll("").replaceAll("\r[\r\u0000]*", "\r").replace("\r\n", "\n");
        StringBuilder result = new StringBuilder(s.length());
        int lineStart = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\b') {
                if (result.length() > lineStart) {
                    result.setLength(result.length() - 1);
                }
            } else if (c == '\r') {
                int next = i + 1;
                if (next < s.length() && s.charAt(next) != '\n') {
                    result.setLength(lineStart);
                }
            } else if (c == '\n') {
                result.append('\n');
                lineStart = result.length();
            } else if (c == '\t' || c >= ' ') {
                result.append(c);
            }
        }
        return result.toString();
    }

    private static String clean(String raw, Random chunks) {
        TerminalText text = new TerminalText();
        int i = 0;
        while (i < raw.length()) {
            int n = 1 + chunks.nextInt(Math.min(40, raw.length() - i));
            text.append(raw.substring(i, i + n));
            i += n;
        }
        return text.toString();
    }

    @Test
    void devicesOwnHabitsAreCleaned() {
        assertEquals("show ver\nIOS 15\nr1#", clean("show ver\r\nIOS 15\r\n\u001B[1;32mr1#\u001B[0m", new Random(1)));
        assertEquals("line 1\nline 2", clean("line 1\r\n --More-- \r          \rline 2", new Random(2)));
        assertEquals("ab", clean("abc\b", new Random(3)));
        assertEquals("x", clean("\u001B(B\u001B=x", new Random(4)));
    }

    @Test
    void agreesWithTheWholeTextCleanerHoweverTheInputIsSplit() {
        // Given: random device output made of the characters that matter, split at random places
        String alphabet = "ab \t#>$%-\u001B[]();?=m0123456789\r\n\b\u0000\u0007()Bx";
        Random random = new Random(42);
        for (int round = 0; round < 20_000; round++) {
            StringBuilder raw = new StringBuilder();
            int length = random.nextInt(60);
            for (int i = 0; i < length; i++) {
                raw.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String input = raw.toString();

            // When / Then
            String expected = reference(input);
            String actual = clean(input, random);
            if (!expected.equals(actual)) {
                throw new AssertionError("differs for " + escape(input) + ": expected " + escape(expected) + ", got " + escape(actual));
            }
        }
    }

    @Test
    void theTailIsTheLastLineAndIsBounded() {
        TerminalText text = new TerminalText();
        text.append("first\nsecond line" + "x".repeat(5000));
        assertEquals(100, text.tail(100).length());
        assertTrue(text.tail(100).endsWith("xxx"));
        text.append("\nr1#");
        assertEquals("r1#", text.tail(100));
        text.cut(text.length() - 1);
        assertEquals("r1", text.tail(100));
    }

    @Test
    void megabytesAreCleanedInOnePass() {
        // 8 MiB in 8 KiB chunks: each character is looked at once (this took minutes when every chunk re-cleaned all)
        TerminalText text = new TerminalText();
        String chunk = ("interface Gi0/" + "1".repeat(20) + "\r\n").repeat(8192 / 36);
        for (long sent = 0; sent < 8L * 1024 * 1024; sent += chunk.length()) {
            text.append(chunk);
        }
        assertTrue(text.length() > 7_000_000, "length " + text.length());
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            out.append(c < ' ' ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return "\"" + out + "\"";
    }
}
