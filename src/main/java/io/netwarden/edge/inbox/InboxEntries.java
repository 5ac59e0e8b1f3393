package io.netwarden.edge.inbox;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts the text of the inbox file into entries: each top-level JSON value ({@code [...]} or {@code {...}}, over as
 * many lines as it needs, as {@code cat myfile.json >> inmsg.txt} leaves them), and whatever lies between them.
 *
 * <pre>
 *   [ {...} ]   {...}   garbage ⏎ [ ...            ─▶  VALUE, VALUE, JUNK (up to the next line opening a value), OPEN
 * </pre>
 *
 * Brackets are counted outside JSON strings only; whether a value is valid JSON is for the parser to say. A value still
 * open at the end may be a write in progress: it is left for the next round. Stateless.
 */
final class InboxEntries {

    private InboxEntries() {
    }

    enum Kind {
        /** A bracket-balanced value: parse it. */
        VALUE,
        /** Text that is not a JSON value: report it. */
        JUNK,
        /** A value not closed by the end of the text. */
        OPEN
    }

    /** {@code text.substring(start, end)}. */
    record Entry(Kind kind, int start, int end) {
    }

    static List<Entry> split(String text) {
        List<Entry> entries = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '[' || c == '{') {
                int end = valueEnd(text, i);
                if (end < 0) {
                    entries.add(new Entry(Kind.OPEN, i, n));
                    return entries;
                }
                entries.add(new Entry(Kind.VALUE, i, end));
                i = end;
            } else {
                int next = nextValueLine(text, i);
                entries.add(new Entry(Kind.JUNK, i, next));
                i = next;
            }
        }
        return entries;
    }

    /** Index after the bracket that closes the value opened at {@code start}; -1 when the text ends first. */
    private static int valueEnd(String text, int start) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                depth++;
            } else if (c == ']' || c == '}') {
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            }
        }
        return -1;
    }

    /**
     * Where the next line that opens a value ({@code [} or {@code {} after optional blanks) begins, after {@code from};
     * the text's length when none does.
     */
    static int nextValueLine(String text, int from) {
        int i = text.indexOf('\n', from);
        while (i >= 0) {
            int j = i + 1;
            while (j < text.length() && (text.charAt(j) == ' ' || text.charAt(j) == '\t' || text.charAt(j) == '\r')) {
                j++;
            }
            if (j < text.length() && (text.charAt(j) == '[' || text.charAt(j) == '{')) {
                return j;
            }
            i = text.indexOf('\n', i + 1);
        }
        return text.length();
    }

    /** 1-based line of {@code offset}, for reports that point at an entry without quoting it. */
    static int line(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
