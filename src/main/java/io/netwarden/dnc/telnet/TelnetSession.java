package io.netwarden.dnc.telnet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.net.telnet.EchoOptionHandler;
import org.apache.commons.net.telnet.InvalidTelnetOptionException;
import org.apache.commons.net.telnet.SuppressGAOptionHandler;
import org.apache.commons.net.telnet.TelnetClient;
import org.apache.commons.net.telnet.TerminalTypeOptionHandler;
import org.apache.commons.net.telnet.WindowSizeOptionHandler;

/**
 * One logged-in telnet connection to an element.
 *
 * <pre>
 *   open: connect ─▶ [login prompt ─▶ user] ─▶ [password prompt ─▶ password] ─▶ shell prompt (learnt exactly)
 *         ─▶ [paging-off command]
 *   run:  command ─▶ read until the prompt returns (answering pager prompts with a space) ─▶ strip echo and prompt
 * </pre>
 *
 * Reads poll the socket in short slices against a deadline, so a silent or chatty device ends in {@code timed_out},
 * never a hang. Not thread-safe: {@link CachedTelnetRunner} gives one session to one job at a time.
 */
final class TelnetSession implements AutoCloseable {

    /** Output of one command is cut off beyond this many characters. */
    static final int MAX_OUTPUT_CHARS = 8 * 1024 * 1024;
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final Pattern ESCAPES = Pattern.compile("\u001B\\[[0-9;?]*[ -/]*[@-~]|\u001B[()][0-9A-Za-z]|\u001B[=>]");

    private final TelnetTarget target;
    private final TelnetClient client;
    private final InputStream in;
    private final OutputStream out;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final ByteBuffer undecoded = ByteBuffer.allocate(8192);
    private String prompt;
    private long lastDataNanos = System.nanoTime();
    private volatile long lastUsedNanos = System.nanoTime();

    private TelnetSession(TelnetTarget target, TelnetClient client) {
        this.target = target;
        this.client = client;
        this.in = client.getInputStream();
        this.out = client.getOutputStream();
    }

    static TelnetSession open(TelnetTarget target) throws TelnetException {
        TelnetClient client = new TelnetClient("VT100");
        // the reader thread makes a socket timeout surface as SocketTimeoutException; without it commons-net reports EOF
        client.setReaderThread(true);
        try {
            client.addOptionHandler(new TerminalTypeOptionHandler("VT100", false, false, true, false));
            client.addOptionHandler(new EchoOptionHandler(false, false, false, true));
            client.addOptionHandler(new SuppressGAOptionHandler(true, true, true, true));
            client.addOptionHandler(new WindowSizeOptionHandler(511, 50, true, false, true, false));
        } catch (InvalidTelnetOptionException | IOException e) {
            throw new TelnetException("io_error", "cannot set up telnet options: " + e.getMessage());
        }
        client.setConnectTimeout((int) target.connectTimeout().toMillis());
        try {
            client.connect(target.host(), target.port());
            client.setSoTimeout(50);
        } catch (IOException e) {
            throw new TelnetException("connect_failed", "cannot connect to " + target.endpoint() + ": " + e.getMessage());
        }
        TelnetSession session = new TelnetSession(target, client);
        try {
            session.login();
            target.profile().pagingOff().ifPresent(command -> {
                try {
                    session.run(command);
                } catch (TelnetException e) {
                    throw new IllegalStateException(e);
                }
            });
        } catch (TelnetException | RuntimeException e) {
            session.close();
            if (e instanceof IllegalStateException ise && ise.getCause() instanceof TelnetException te) {
                throw te;
            }
            throw e;
        }
        return session;
    }

    private void login() throws TelnetException {
        TelnetProfile profile = target.profile();
        long deadline = System.nanoTime() + target.connectTimeout().plus(target.commandTimeout()).toNanos();
        StringBuilder seen = new StringBuilder();
        boolean userSent = false;
        boolean passwordSent = false;
        while (System.nanoTime() < deadline) {
            boolean got = readInto(seen);
            String text = clean(seen.toString());
            Matcher failure = profile.loginFailure().matcher(text);
            if (failure.find()) {
                throw new TelnetException("login_failed", "telnet login to " + target.element() + " (" + target.endpoint() + ") as '"
                        + target.username() + "' refused: " + failure.group().strip());
            }
            String tail = lastLine(text);
            // a prompt seen a second time only counts once the server has gone quiet: output arriving in pieces can pause
            // right after "Last login:" (pam_lastlog), which looks like a login prompt until the rest of the line comes
            boolean settled = !got && quiet();
            if (profile.passwordPrompt().matcher(tail).find() && (!passwordSent || settled)) {
                if (passwordSent) {
                    throw new TelnetException("login_failed", "telnet login to " + target.element() + " asked for the password again");
                }
                if (target.password() == null) {
                    throw new TelnetException("login_failed", target.element() + " asks for a password but the element has no telnet.password");
                }
                send(target.password().reveal());
                passwordSent = true;
                seen.setLength(0);
            } else if (profile.loginPrompt().matcher(tail).find() && (!userSent || settled)) {
                if (userSent) {
                    throw new TelnetException("login_failed", "telnet login to " + target.element() + " (" + target.endpoint()
                            + ") as '" + target.username() + "' refused: asked for the login again");
                }
                if (target.username() == null) {
                    throw new TelnetException("login_failed", target.element() + " asks for a login but the element has no telnet.username");
                }
                send(target.username());
                userSent = true;
                seen.setLength(0);
            } else if (settled && profile.prompt().matcher(tail).find()) {
                prompt = tail;
                return;
            }
        }
        throw new TelnetException("timed_out", "no shell prompt from " + target.element() + " (" + target.endpoint() + ") within "
                + target.connectTimeout().plus(target.commandTimeout()).toSeconds() + " s of connecting; last output: "
                + excerpt(clean(seen.toString())));
    }

    /** Runs one command line and returns what it printed. */
    CommandOutput run(String command) throws TelnetException {
        lastUsedNanos = System.nanoTime();
        StringBuilder discard = new StringBuilder();
        while (pending() && readInto(discard)) {
            discard.setLength(0); // whatever arrived unasked (banners, late output) is not this command's
        }
        send(command);
        long deadline = System.nanoTime() + target.commandTimeout().toNanos();
        StringBuilder raw = new StringBuilder();
        while (System.nanoTime() < deadline) {
            boolean got = readInto(raw);
            if (raw.length() > MAX_OUTPUT_CHARS) {
                throw new TelnetException("output_too_large", "'" + command + "' on " + target.element() + " printed more than "
                        + MAX_OUTPUT_CHARS + " characters");
            }
            String text = clean(raw.toString());
            String tail = lastLine(text);
            Matcher pager = target.profile().pager().matcher(tail);
            if (pager.find()) {
                send(" ", false);
                raw.setLength(0);
                raw.append(text, 0, text.length() - tail.length()).append(tail, 0, pager.start());
                continue;
            }
            boolean done = prompt != null && tail.equals(prompt)
                    || (!got && quiet() && target.profile().prompt().matcher(tail).find());
            if (done && text.length() > 0) {
                prompt = tail;
                lastUsedNanos = System.nanoTime();
                return new CommandOutput(command, output(command, text, tail));
            }
        }
        throw new TelnetException("timed_out", "no prompt from " + target.element() + " within " + target.commandTimeout().toSeconds()
                + " s after '" + command + "'; last output: " + excerpt(clean(raw.toString())));
    }

    /** Drops the echoed command (first line) and the prompt (last line). */
    private static String output(String command, String text, String promptLine) {
        String body = text.substring(0, text.length() - promptLine.length());
        List<String> lines = new ArrayList<>(List.of(body.split("\n", -1)));
        if (!lines.isEmpty() && lines.getFirst().strip().endsWith(command.strip())) {
            lines.removeFirst();
        }
        while (!lines.isEmpty() && lines.getLast().isEmpty()) {
            lines.removeLast();
        }
        return String.join("\n", lines);
    }

    /** Reads what is there now (waiting at most one socket timeout slice); false when nothing came. */
    private boolean readInto(StringBuilder sink) throws TelnetException {
        byte[] buf = new byte[8192];
        int n;
        try {
            n = in.read(buf);
        } catch (SocketTimeoutException nothingYet) {
            return false;
        } catch (IOException e) {
            throw new TelnetException("io_error", "connection to " + target.element() + " broke: " + e.getMessage());
        }
        if (n < 0) {
            throw new TelnetException("io_error", target.element() + " (" + target.endpoint() + ") closed the connection");
        }
        if (n == 0) {
            return false;
        }
        lastDataNanos = System.nanoTime();
        if (undecoded.remaining() < n) {
            undecoded.clear(); // a flood of undecodable bytes: drop what could not be decoded so far
        }
        undecoded.put(buf, 0, n).flip();
        CharBuffer chars = CharBuffer.allocate(n + undecoded.remaining() + 4);
        decoder.decode(undecoded, chars, false);
        undecoded.compact();
        sink.append(chars.flip());
        return true;
    }

    private boolean pending() throws TelnetException {
        try {
            return in.available() > 0;
        } catch (IOException e) {
            throw new TelnetException("io_error", "connection to " + target.element() + " broke: " + e.getMessage());
        }
    }

    private boolean quiet() {
        return System.nanoTime() - lastDataNanos >= QUIET.toNanos();
    }

    private void send(String line) throws TelnetException {
        send(line, true);
    }

    private void send(String text, boolean newline) throws TelnetException {
        try {
            out.write((newline ? text + "\r\n" : text).getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new TelnetException("io_error", "cannot write to " + target.element() + ": " + e.getMessage());
        }
    }

    /** Terminal output as text: escape sequences out, backspaces and carriage-return overwrites applied. */
    static String clean(String raw) {
        String s = ESCAPES.matcher(raw).replaceAll("").replace("\r\n", "\n").replace("\r\u0000", "\r");
        StringBuilder result = new StringBuilder(s.length());
        int lineStart = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\b') {
                if (result.length() > lineStart) {
                    result.setLength(result.length() - 1);
                }
            } else if (c == '\r') {
                // a lone CR returns to the line start: what follows overwrites it (pagers erase their prompt this way)
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

    private static String lastLine(String text) {
        int nl = text.lastIndexOf('\n');
        return nl < 0 ? text : text.substring(nl + 1);
    }

    private static String excerpt(String text) {
        String oneLine = text.replace('\n', ' ').strip();
        return oneLine.isEmpty() ? "(nothing)" : "'" + (oneLine.length() > 200 ? "…" + oneLine.substring(oneLine.length() - 200) : oneLine) + "'";
    }

    boolean alive() {
        return client.isConnected();
    }

    long idleNanos() {
        return System.nanoTime() - lastUsedNanos;
    }

    @Override
    public void close() {
        try {
            client.disconnect();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
