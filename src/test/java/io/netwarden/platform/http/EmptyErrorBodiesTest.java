package io.netwarden.platform.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EmptyErrorBodiesTest {

    @Test
    void vertxEmptyRefusalsGetTheirJsonBody() {
        String rewritten = EmptyErrorBodies.replacement("HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n");
        String body = "{\"error\":\"headers_too_large\",\"message\":\"the request headers are larger than 16384 bytes\"}";
        assertEquals("HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\ncontent-length: "
                + body.length() + "\r\n\r\n" + body, rewritten);
        // the connection header stays what it was: closed, or kept alive for the next pipelined request
        assertTrue(EmptyErrorBodies.replacement("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n")
                .contains("\r\nconnection: close\r\n\r\n{"));
        assertTrue(EmptyErrorBodies.replacement("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: keep-alive\r\n\r\n")
                .contains("\r\nconnection: keep-alive\r\n\r\n{"));
        assertTrue(EmptyErrorBodies.replacement("HTTP/1.0 414 Request-URI Too Long\r\ncontent-length: 0\r\n\r\n")
                .endsWith("{\"error\":\"uri_too_long\",\"message\":\"the request target is longer than 8192 characters\"}"));
        assertTrue(EmptyErrorBodies.replacement("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n")
                .contains("\"error\":\"bad_request\""));
    }

    @Test
    void everyOtherAnswerIsLeftAlone() {
        // our own errors carry a body; success, auth and not-found answers are never touched
        assertNull(EmptyErrorBodies.replacement("HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 40\r\n\r\n"));
        assertNull(EmptyErrorBodies.replacement("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"));
        assertNull(EmptyErrorBodies.replacement("HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n"));
        assertNull(EmptyErrorBodies.replacement("HTTP/1.1 414 Request-URI Too Long\r\ncontent-length: 0\r\nx-other: 1\r\n\r\n"));
        assertNull(EmptyErrorBodies.replacement("HTTP/1.1 414 Request-URI Too Long\r\n\r\n"));
        assertNull(EmptyErrorBodies.replacement("HTTP/1.1 414 Request-URI Too Long\r\ncontent-length: 0\r\n"));
        assertNull(EmptyErrorBodies.replacement("HTTP/1.1 4"));
        assertNull(EmptyErrorBodies.replacement("{\"some\":\"body bytes\"}"));
    }

    @Test
    void onlyHttp1ConnectionsAreTouchedNeverHttp2Frames() {
        String head = "HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n";
        // HTTP/2: the same bytes as a DATA frame's payload (an SNMP value, say) pass unchanged
        io.netty.channel.embedded.EmbeddedChannel http2 = new io.netty.channel.embedded.EmbeddedChannel(EmptyErrorBodies.INSTANCE);
        http2.writeOutbound(io.netty.buffer.Unpooled.copiedBuffer(head, java.nio.charset.StandardCharsets.ISO_8859_1));
        io.netty.buffer.ByteBuf out = http2.readOutbound();
        assertEquals(head, out.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
        out.release();
        // HTTP/1 (Vert.x' encoder in the pipeline): Vert.x' empty answer gets its body
        io.netty.channel.embedded.EmbeddedChannel http1 = new io.netty.channel.embedded.EmbeddedChannel();
        http1.pipeline().addLast(EmptyErrorBodies.NAME, EmptyErrorBodies.INSTANCE);
        http1.pipeline().addLast("httpEncoder", new io.netty.channel.ChannelOutboundHandlerAdapter());
        http1.writeOutbound(io.netty.buffer.Unpooled.copiedBuffer(head, java.nio.charset.StandardCharsets.ISO_8859_1));
        io.netty.buffer.ByteBuf rewritten = http1.readOutbound();
        assertTrue(rewritten.toString(java.nio.charset.StandardCharsets.ISO_8859_1).endsWith("\"error\":\"bad_request\","
                + "\"message\":\"the request could not be parsed as HTTP/1.1\"}"));
        rewritten.release();
        assertTrue(http1.isOpen(), "the connection is Vert.x' to close");
    }
}
