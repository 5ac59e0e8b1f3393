package io.netwarden.dnc.telnet;

import io.netwarden.dnc.HostResolver;
import io.netwarden.platform.auth.Secret;
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
    /** Most characters a device may send while logging in before it shows a prompt. */
    static final int MAX_LOGIN_CHARS = 64 * 1024;
    /** Prompt, pager and login patterns look at no more than this many of the last characters. */
    static final int WINDOW = 1024;
    /** Shortest password that is masked in command output too (in messages it always is). */
    static final int MIN_SCRUBBED = 4;
    private static final Duration QUIET = Duration.ofMillis(300);

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

    static TelnetSession open(TelnetTarget target, HostResolver resolver) throws TelnetException {
        java.net.InetAddress address;
        try {
            address = resolver.resolve(target.host());
        } catch (java.net.UnknownHostException e) {
            throw new TelnetException("connect_failed", e.getMessage());
        }
        TelnetClient client = new TelnetClient("VT100");
        // No reader thread: commons-net's thread dies when a device sends more than 2 KiB before the thread is marked as
        // started ("Queue is full"), and the read waiting for it then hangs for ever. Without it, a read timeout is
        // reported as end of stream once and thrown on the next read (see readInto).
        client.setReaderThread(false);
        client.setSocketFactory(new ChunkedSocketFactory());
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
            client.connect(address, target.port());
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
        TerminalText seen = new TerminalText();
        long total = 0;
        boolean userSent = false;
        boolean passwordSent = false;
        while (System.nanoTime() < deadline) {
            long before = seen.received();
            boolean got = readInto(seen);
            total += seen.received() - before;
            if (total > MAX_LOGIN_CHARS) {
                throw new TelnetException("bad_response", target.element() + " (" + target.endpoint() + ") sent more than "
                        + MAX_LOGIN_CHARS + " characters while logging in without showing a prompt");
            }
            // patterns look at the end of what came, never at all of it: a chatty device costs no more per read
            String recent = seen.last(WINDOW);
            Matcher failure = profile.loginFailure().matcher(recent);
            if (failure.find()) {
                throw new TelnetException("login_failed", "telnet login to " + target.element() + " (" + target.endpoint()
                        + ") refused: " + scrub(failure.group().strip()));
            }
            String tail = seen.tailLength() <= WINDOW ? seen.tail(WINDOW) : "";
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
                seen.clear();
            } else if (profile.loginPrompt().matcher(tail).find() && (!userSent || settled)) {
                if (userSent) {
                    throw new TelnetException("login_failed", "telnet login to " + target.element() + " (" + target.endpoint()
                            + ") refused: asked for the login again");
                }
                if (target.username() == null) {
                    throw new TelnetException("login_failed", target.element() + " asks for a login but the element has no telnet.username");
                }
                send(target.username());
                userSent = true;
                seen.clear();
            } else if (settled && !tail.isEmpty() && profile.prompt().matcher(tail).find()) {
                prompt = tail;
                return;
            }
        }
        throw new TelnetException("timed_out", "no shell prompt from " + target.element() + " (" + target.endpoint() + ") within "
                + target.connectTimeout().plus(target.commandTimeout()).toSeconds() + " s of connecting; last output: "
                + excerpt(seen.last(WINDOW)));
    }

    /** Runs one command line and returns what it printed. */
    CommandOutput run(String command) throws TelnetException {
        lastUsedNanos = System.nanoTime();
        TerminalText discard = new TerminalText();
        while (pending() && readInto(discard)) {
            discard.clear(); // whatever arrived unasked (banners, late output) is not this command's
        }
        send(command);
        long deadline = System.nanoTime() + target.commandTimeout().toNanos();
        TerminalText out = new TerminalText();
        while (System.nanoTime() < deadline) {
            boolean got = readInto(out);
            if (out.received() > MAX_OUTPUT_CHARS) {
                throw new TelnetException("output_too_large", "'" + command + "' on " + target.element() + " printed more than "
                        + MAX_OUTPUT_CHARS + " characters");
            }
            // prompt and pager are looked for in the last line only, and only in its last WINDOW characters
            String tail = out.tail(WINDOW);
            Matcher pager = target.profile().pager().matcher(tail);
            if (pager.find()) {
                send(" ", false);
                out.cut(out.length() - tail.length() + pager.start());
                continue;
            }
            boolean wholeLine = out.tailLength() <= WINDOW;
            boolean done = wholeLine && (prompt != null && tail.equals(prompt)
                    || (!got && quiet() && target.profile().prompt().matcher(tail).find()));
            if (done && out.length() > 0) {
                prompt = tail;
                lastUsedNanos = System.nanoTime();
                return new CommandOutput(command, scrubOutput(output(command, out.toString(), tail)));
            }
        }
        throw new TelnetException("timed_out", "no prompt from " + target.element() + " within " + target.commandTimeout().toSeconds()
                + " s after '" + command + "'; last output: " + excerpt(out.last(WINDOW)));
    }

    /** The password never leaves in a message, whatever a device echoes. */
    private String scrub(String text) {
        Secret password = target.password();
        return password == null ? text : text.replace(password.reveal(), Secret.MASK);
    }

    /**
     * Nor in a command's output; a password of fewer than {@link #MIN_SCRUBBED} characters is left alone there, where
     * replacing every occurrence would garble the output (such a password protects little anyway).
     */
    private String scrubOutput(String text) {
        Secret password = target.password();
        return password == null || password.reveal().length() < MIN_SCRUBBED ? text : scrub(text);
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
    private boolean readInto(TerminalText sink) throws TelnetException {
        if (Thread.currentThread().isInterrupted()) {
            throw stopped();
        }
        byte[] buf = new byte[8192];
        int n;
        try {
            n = in.read(buf);
            if (n < 0) {
                n = in.read(buf); // a timeout is thrown here; at a real end of stream this is -1 again
            }
        } catch (SocketTimeoutException nothingYet) {
            return false;
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw stopped(); // an interrupted virtual thread's socket is closed under it
            }
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

    /** The job's thread was interrupted: the job was cancelled, or ran out of time. */
    private TelnetException stopped() {
        return new TelnetException("cancelled", "stopped while talking to " + target.element()
                + ": the job was cancelled or ran out of time");
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

    /** The last 200 characters, on one line, the password masked. */
    private String excerpt(String text) {
        String oneLine = scrub(text).replace('\n', ' ').strip();
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
