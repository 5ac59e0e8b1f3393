package io.netwarden.dnc.telnet;

/**
 * What a terminal shows, built up chunk by chunk as a device sends it: escape sequences removed, {@code \r\n} as one
 * newline, a backspace erasing the character before it, a lone carriage return sending the line back to its start
 * (pagers erase their prompt that way), other control characters dropped.
 *
 * <p>Each character is looked at once, so a command's output of n characters costs O(n) however it is split into
 * chunks (the former approach cleaned everything received so far after every chunk: quadratic). A sequence or a
 * {@code \r} cut in two by the network is completed by the next chunk. A run of carriage returns counts as one. The last line is available without copying the
 * text ({@link #tail}), bounded, for prompt and pager patterns.
 *
 * <p>Not thread-safe: one per session read loop.
 */
final class TerminalText {

    private enum Escape {
        NONE, ESC, CSI_PARAMS, CSI_INTERMEDIATE, CHARSET
    }

    /** Longest escape sequence buffered (parameters included). */
    private static final int MAX_SEQUENCE = 64;

    private final StringBuilder text = new StringBuilder();
    private final StringBuilder sequence = new StringBuilder();
    private int lineStart;
    private Escape escape = Escape.NONE;
    private boolean pendingCr;
    private long received;

    /** Adds what the device sent next. */
    void append(CharSequence chunk) {
        received += chunk.length();
        for (int i = 0; i < chunk.length(); i++) {
            accept(chunk.charAt(i));
        }
    }

    /**
     * One character. Escape sequences are those of the ANSI forms devices send (CSI {@code ESC [ params intermediates
     * final}, charset {@code ESC ( x}, keypad {@code ESC =}); a sequence that turns out to be none of them is text again,
     * all but its ESC.
     */
    private void accept(char c) {
        switch (escape) {
            case NONE -> {
                if (c == '\u001B') {
                    escape = Escape.ESC;
                } else {
                    text(c);
                }
                return;
            }
            case ESC -> {
                if (c == '[') {
                    sequence(Escape.CSI_PARAMS, c);
                    return;
                }
                if (c == '(' || c == ')') {
                    sequence(Escape.CHARSET, c);
                    return;
                }
                escape = Escape.NONE;
                if (c != '=' && c != '>') {
                    text('\u001B'); // a lone ESC: dropped, but it still ends a pending carriage return
                    accept(c);
                }
                return;
            }
            case CSI_PARAMS -> {
                if ((c >= '0' && c <= '9') || c == ';' || c == '?') {
                    sequence.append(c);
                    return;
                }
                if (c >= ' ' && c <= '/') {
                    sequence(Escape.CSI_INTERMEDIATE, c);
                    return;
                }
                if (c >= '@' && c <= '~') {
                    endSequence();
                    return;
                }
            }
            case CSI_INTERMEDIATE -> {
                if (c >= ' ' && c <= '/') {
                    sequence.append(c);
                    return;
                }
                if (c >= '@' && c <= '~') {
                    endSequence();
                    return;
                }
            }
            case CHARSET -> {
                if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
                    endSequence();
                    return;
                }
            }
        }
        // not a sequence after all: what followed the ESC is text, and c starts afresh
        replay();
        accept(c);
    }

    private void sequence(Escape state, char c) {
        escape = state;
        sequence.append(c);
        if (sequence.length() > MAX_SEQUENCE) {
            replay(); // no real sequence is this long; keep the bytes as text rather than buffer without bound
        }
    }

    /** The buffered sequence was none: its ESC is dropped (ending a pending carriage return), the rest is text. */
    private void replay() {
        String chars = sequence.toString();
        endSequence();
        text('\u001B');
        for (int i = 0; i < chars.length(); i++) {
            text(chars.charAt(i));
        }
    }

    private void endSequence() {
        escape = Escape.NONE;
        sequence.setLength(0);
    }

    private void text(char c) {
        if (pendingCr) {
            if (c == '\u0000' || c == '\r') {
                return; // CR NUL is a CR (RFC 854), CR CR one CR: still waiting for what follows
            }
            pendingCr = false;
            if (c != '\n') {
                text.setLength(lineStart); // a lone CR: what follows overwrites the line
            }
        }
        if (c == '\r') {
            pendingCr = true;
        } else if (c == '\b') {
            if (text.length() > lineStart) {
                text.setLength(text.length() - 1);
            }
        } else if (c == '\n') {
            text.append('\n');
            lineStart = text.length();
        } else if (c == '\t' || c >= ' ') {
            text.append(c);
        }
    }

    /** Characters received so far, before cleaning (what output caps count). */
    long received() {
        return received;
    }

    int length() {
        return text.length();
    }

    /** Length of the last (unfinished) line. */
    int tailLength() {
        return text.length() - lineStart;
    }

    /** The last line, or its last {@code max} characters when it is longer. */
    String tail(int max) {
        return text.substring(Math.max(lineStart, text.length() - max));
    }

    /** The last {@code max} characters of the whole text (several lines, if they are short). */
    String last(int max) {
        return text.substring(Math.max(0, text.length() - max));
    }

    /** Drops everything from {@code index} on (a pager prompt, say); {@code index} lies in the last line. */
    void cut(int index) {
        if (index < lineStart || index > text.length()) {
            throw new IllegalArgumentException("can only cut within the last line");
        }
        text.setLength(index);
    }

    /** Forgets everything (the state of a half-received sequence is kept). */
    void clear() {
        text.setLength(0);
        lineStart = 0;
        received = 0;
    }

    /**
     * The text so far. A sequence still incomplete at the end shows as the text it would be if nothing completed it
     * (the characters after its ESC, and a carriage return before it taking effect).
     */
    @Override
    public String toString() {
        if (escape == Escape.NONE) {
            return text.toString();
        }
        return (pendingCr ? text.substring(0, lineStart) : text.toString()) + sequence;
    }
}
