package io.netwarden.platform.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Gives a JSON body to the answers Vert.x writes for HTTP/1 requests it cannot parse (a request line or header block
 * beyond its own 64 KiB limits, a malformed request line): Vert.x answers them itself, before any route, with an empty
 * body and {@code Connection: close}, so {@link RequestLimits} never sees them.
 *
 * <pre>
 *   socket ◀─ [this, next to the socket (after TLS)] ◀─ httpEncoder ◀─ Vert.x' invalid-request answer
 *              "HTTP/1.1 414 …\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"
 *                 ─▶ same status, Content-Type: application/json, {"error":"uri_too_long","message":"…"}
 * </pre>
 *
 * Only an encoded HTTP/1 response head whose status is 400, 413, 414 or 431 and whose only headers are
 * {@code content-length: 0} and perhaps {@code connection} is rewritten, and the connection is left as Vert.x decided
 * (closed after it, or kept: the body is framed by its length); every such answer of our own routes has a JSON body, so
 * it never matches, and on HTTP/2 connections nothing is touched (there the bytes are frames). A request whose line
 * could not be parsed gets the body even if it said HEAD: its method is unknown, and the connection is closed after
 * it. Added at accept by {@link ConnectionGuard}; moves itself behind the TLS handler when there is one. Thread safety:
 * stateless, shared by every connection.
 */
@ChannelHandler.Sharable
final class EmptyErrorBodies extends ChannelDuplexHandler {

    static final String NAME = "netwarden-empty-error-bodies";
    static final EmptyErrorBodies INSTANCE = new EmptyErrorBodies();
    /** Vert.x' HTTP/1 encoder: there only while the connection speaks HTTP/1. */
    private static final String HTTP1_ENCODER = "httpEncoder";
    /** Vert.x' answer is well under this; anything longer is not one. */
    private static final int MAX_HEAD = 256;

    private EmptyErrorBodies() {
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        // Vert.x adds its TLS handler (named "ssl") behind this one when the connection is set up; plain text is after it
        if (ctx.pipeline().get("ssl") != null && ctx.pipeline().context(this) != null) {
            ctx.pipeline().remove(this);
            ctx.pipeline().addAfter("ssl", NAME, this);
        }
        super.channelActive(ctx);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        // HTTP/1 only: on an HTTP/2 connection these bytes are frames, and a DATA frame's payload is the application's
        if (msg instanceof ByteBuf buf && buf.readableBytes() <= MAX_HEAD && ctx.pipeline().get(HTTP1_ENCODER) != null) {
            String replacement = replacement(buf.toString(buf.readerIndex(), buf.readableBytes(), StandardCharsets.ISO_8859_1));
            if (replacement != null) {
                buf.release();
                ctx.write(ctx.alloc().buffer(replacement.length()).writeBytes(replacement.getBytes(StandardCharsets.ISO_8859_1)),
                        promise);
                return;
            }
        }
        super.write(ctx, msg, promise);
    }

    /** The JSON answer for an empty Vert.x error head, or null when {@code head} is anything else. */
    static String replacement(String head) {
        if (!head.startsWith("HTTP/1.") || head.length() < 13 || !head.endsWith("\r\n\r\n") || head.charAt(12) != ' ') {
            return null;
        }
        String status = head.substring(9, 12);
        String[] error = switch (status) {
            case "400" -> new String[] {"bad_request", "the request could not be parsed as HTTP/1.1"};
            case "413" -> new String[] {"body_too_large", "the request body is too large"};
            case "414" -> new String[] {"uri_too_long", "the request target is longer than " + RequestLimits.MAX_URI
                    + " characters"};
            case "431" -> new String[] {"headers_too_large", "the request headers are larger than "
                    + RequestLimits.MAX_HEADERS + " bytes"};
            default -> null;
        };
        if (error == null) {
            return null;
        }
        String[] lines = head.substring(0, head.length() - 4).split("\r\n", -1);
        boolean empty = false;
        String connection = null;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].toLowerCase(Locale.ROOT);
            switch (line) {
                case "connection: close", "connection: keep-alive" -> connection = line;
                case "content-length: 0" -> empty = true;
                default -> {
                    return null;
                }
            }
        }
        if (!empty) {
            return null;
        }
        // the connection stays as Vert.x decided: closed after it, or kept for the next request (the body is framed)
        String body = "{\"error\":\"" + error[0] + "\",\"message\":\"" + error[1] + "\"}";
        return lines[0] + "\r\ncontent-type: application/json\r\ncontent-length: " + body.length()
                + (connection == null ? "" : "\r\n" + connection) + "\r\n\r\n" + body;
    }
}
